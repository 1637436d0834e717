import Stripe from "stripe";
import { chargeRefusal, toStripeAmount } from "./stripe-currencies";
import type { PaymentAttempt, PaymentGateway, PaymentRequest, WebhookParse } from "./gateway";
import { GENERIC_FAILURE_REASON, parseStripeWebhook } from "./stripe-event";

/**
 * A ledger call waits on this request, so it must end well before the caller gives up;
 * an unanswered charge is reported as `retry` and asked again under the same idempotency key.
 */
export const STRIPE_TIMEOUT_MS = 20_000;

/**
 * The SDK's own retries reuse the idempotency key, so they are safe; one keeps a blip from
 * becoming a backoff cycle without stretching a stuck request much further.
 */
export const STRIPE_NETWORK_RETRIES = 1;

export const REQUIRES_ACTION_REASON =
  "Your bank asked to confirm this payment, which is not possible for an automatic charge. Please add credit manually or use another card.";

export interface StripeGatewayOptions {
  secretKey: string;
  webhookSecret: string;
  /** Tests pass a mock; by default the runtime's fetch. */
  fetch?: typeof fetch;
  timeoutMs?: number;
  maxNetworkRetries?: number;
}

export class StripeGateway implements PaymentGateway {
  readonly name = "stripe";
  readonly #stripe: Stripe;
  readonly #webhookSecret: string;

  constructor(options: StripeGatewayOptions) {
    this.#webhookSecret = options.webhookSecret;
    this.#stripe = new Stripe(options.secretKey, {
      httpClient: Stripe.createFetchHttpClient(options.fetch),
      timeout: options.timeoutMs ?? STRIPE_TIMEOUT_MS,
      maxNetworkRetries: options.maxNetworkRetries ?? STRIPE_NETWORK_RETRIES,
      // Telemetry sends timings of earlier requests in a header; nothing here needs it.
      telemetry: false,
    });
  }

  async createPayment(request: PaymentRequest): Promise<PaymentAttempt> {
    const refusal = chargeRefusal(request.amountMicros, request.currency);
    if (refusal) {
      return {
        status: "failed",
        gatewayRef: null,
        failureCode: "gateway_rejected",
        failureReason: `The amount ${refusal}.`,
      };
    }
    try {
      const intent = await this.#stripe.paymentIntents.create(
        {
          amount: toStripeAmount(request.amountMicros, request.currency),
          currency: request.currency.toLowerCase(),
          payment_method: request.paymentMethod,
          ...(request.customerRef ? { customer: request.customerRef } : {}),
          confirm: true,
          off_session: true,
          description: request.description,
          metadata: { paymentId: request.paymentId, accountId: request.accountId },
        },
        { idempotencyKey: request.paymentId },
      );
      return attemptFromIntent(intent);
    } catch (error) {
      return attemptFromError(error);
    }
  }

  parseWebhook(body: string, headers: Headers, nowMs: number): Promise<WebhookParse> {
    return parseStripeWebhook(this.#webhookSecret, body, headers, nowMs);
  }
}

function attemptFromIntent(intent: Stripe.PaymentIntent): PaymentAttempt {
  switch (intent.status) {
    case "succeeded":
      return { status: "succeeded", gatewayRef: intent.id };
    case "processing":
      return { status: "pending", gatewayRef: intent.id };
    case "requires_action":
      // Off-session there is no cardholder to complete 3-D Secure, so waiting would never end.
      return {
        status: "failed",
        gatewayRef: intent.id,
        failureCode: "requires_action",
        failureReason: REQUIRES_ACTION_REASON,
      };
    case "requires_payment_method":
      return {
        status: "failed",
        gatewayRef: intent.id,
        failureCode: "declined",
        failureReason: intent.last_payment_error?.message ?? GENERIC_FAILURE_REASON,
      };
    default:
      // requires_capture, requires_confirmation, canceled: states our parameters cannot lead to.
      return {
        status: "failed",
        gatewayRef: intent.id,
        failureCode: "gateway_rejected",
        failureReason: GENERIC_FAILURE_REASON,
      };
  }
}

function attemptFromError(error: unknown): PaymentAttempt {
  if (!(error instanceof Stripe.errors.StripeError)) {
    return {
      status: "retry",
      retryKind: "network",
      message: error instanceof Error ? error.message : String(error),
    };
  }
  const gatewayRef = error.payment_intent?.id ?? null;
  if (error instanceof Stripe.errors.StripeCardError) {
    return {
      status: "failed",
      gatewayRef,
      failureCode: "declined",
      failureReason: error.message || GENERIC_FAILURE_REASON,
    };
  }
  if (error instanceof Stripe.errors.StripeConnectionError) {
    return {
      status: "retry",
      retryKind: /timeout/i.test(error.message) ? "timeout" : "network",
      message: error.message,
    };
  }
  if (error instanceof Stripe.errors.StripeRateLimitError || error.code === "lock_timeout") {
    return { status: "retry", retryKind: "rate_limited", message: error.message };
  }
  // 409 idempotency_key_in_use: our previous attempt with this key is still running at Stripe.
  if (
    error instanceof Stripe.errors.StripeAPIError ||
    error.code === "idempotency_key_in_use" ||
    (error.statusCode ?? 0) >= 500
  ) {
    return { status: "retry", retryKind: "gateway_unavailable", message: error.message };
  }
  if (error.code === "resource_missing" && error.param === "payment_method") {
    return {
      status: "failed",
      gatewayRef,
      failureCode: "invalid_payment_method",
      failureReason: error.message,
    };
  }
  // Authentication, permission and invalid-request errors are ours to fix, not the cardholder's.
  return {
    status: "failed",
    gatewayRef,
    failureCode: "gateway_rejected",
    failureReason: GENERIC_FAILURE_REASON,
    detail: error.message,
  };
}
