import Stripe from "stripe";
import type {
  CardSetup,
  CustomerDetails,
  GatewayAnswer,
  PaymentAttempt,
  PaymentGateway,
  PaymentRequest,
  RetrievedCard,
  RetrievedPayment,
  WebhookParse,
} from "./gateway";
import { chargeRefusal, toStripeAmount } from "./stripe-currencies";
import {
  cardSetupOf,
  GENERIC_FAILURE_REASON,
  outcomeOfIntent,
  parseStripeWebhook,
  REQUIRES_ACTION_REASON,
  retrievedCard,
  retrievedPayment,
} from "./stripe-event";

/**
 * A ledger call waits on this request, so it must end well before the caller gives up;
 * an unanswered charge is reported as `retry` and reconciled later.
 */
export const STRIPE_TIMEOUT_MS = 20_000;

/**
 * The SDK's own retries reuse the idempotency key, so they are safe; one keeps a blip from
 * becoming a backoff cycle without stretching a stuck request much further.
 */
export const STRIPE_NETWORK_RETRIES = 1;

/**
 * The API version the SDK is pinned to; the webhook endpoint must be created with the same
 * one (README, "Stripe setup") so events arrive in the shapes parsed here.
 */
export const STRIPE_API_VERSION = Stripe.API_VERSION;

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
          // Cards only: recent API versions otherwise enable redirect-based methods and then
          // refuse a confirmation without a return_url.
          allowed_payment_method_types: ["card"],
          confirm: true,
          ...(request.onSession
            ? { return_url: request.onSession.returnUrl }
            : { off_session: true }),
          description: request.description,
          metadata: { paymentId: request.paymentId, accountId: request.accountId },
        },
        { idempotencyKey: request.paymentId },
      );
      return outcomeOfIntent(intentJson(intent));
    } catch (error) {
      return attemptFromError(error);
    }
  }

  async retrievePayment(gatewayRef: string): Promise<GatewayAnswer<RetrievedPayment>> {
    return this.#call(async () => {
      const payment = retrievedPayment(await this.#stripe.paymentIntents.retrieve(gatewayRef));
      return payment ?? notUnderstood("PaymentIntent");
    });
  }

  async findPayment(paymentId: string): Promise<GatewayAnswer<RetrievedPayment | null>> {
    return this.#call(async () => {
      const found = await this.#stripe.paymentIntents.search({
        query: `metadata['paymentId']:'${paymentId.replaceAll("'", "\\'")}'`,
        limit: 1,
      });
      const first = found.data[0];
      return first ? (retrievedPayment(first) ?? notUnderstood("PaymentIntent")) : null;
    });
  }

  async cancelPayment(gatewayRef: string): Promise<GatewayAnswer<null>> {
    return this.#call(async () => {
      await this.#stripe.paymentIntents.cancel(gatewayRef, {
        cancellation_reason: "abandoned",
      });
      return null;
    });
  }

  async saveCustomer(input: {
    accountId: string;
    customerRef: string | null;
    details?: CustomerDetails;
  }): Promise<GatewayAnswer<{ customerRef: string }>> {
    const details = input.details ? customerParams(input.details) : {};
    return this.#call(async () => {
      let customerRef = input.customerRef;
      if (customerRef) {
        if (input.details) await this.#stripe.customers.update(customerRef, details);
      } else {
        // Keyed by account, so a retry or a race of two tabs creates one customer, not two.
        const customer = await this.#stripe.customers.create(
          { ...details, metadata: { accountId: input.accountId } },
          { idempotencyKey: `customer-${input.accountId}` },
        );
        customerRef = customer.id;
      }
      const taxId = input.details?.taxId;
      const taxIdType = stripeTaxIdType(input.details?.address?.country);
      // Only VAT ids of a type Stripe knows go to it: another type would refuse the whole
      // customer (and with it the card setup). The key makes saving the same one a no-op.
      if (taxId && taxIdType) {
        await this.#stripe.customers.createTaxId(
          customerRef,
          { type: taxIdType, value: taxId },
          { idempotencyKey: `tax-id-${input.accountId}-${taxId}` },
        );
      }
      return { customerRef };
    });
  }

  async startCardSetup(input: {
    accountId: string;
    customerRef: string;
    returnUrl: string;
  }): Promise<GatewayAnswer<{ url: string }>> {
    return this.#call(async () => {
      const session = await this.#stripe.checkout.sessions.create({
        mode: "setup",
        customer: input.customerRef,
        allowed_payment_method_types: ["card"],
        success_url: `${input.returnUrl}?card=saved`,
        cancel_url: `${input.returnUrl}?card=cancelled`,
        client_reference_id: input.accountId,
        metadata: { accountId: input.accountId },
        setup_intent_data: { metadata: { accountId: input.accountId } },
      });
      if (!session.url) return notUnderstood("Checkout Session without url");
      return { url: session.url };
    });
  }

  async retrieveCardSetup(setupRef: string): Promise<GatewayAnswer<CardSetup>> {
    return this.#call(
      async () =>
        cardSetupOf(await this.#stripe.setupIntents.retrieve(setupRef)) ??
        notUnderstood("SetupIntent"),
    );
  }

  async retrieveCard(paymentMethodRef: string): Promise<GatewayAnswer<RetrievedCard>> {
    return this.#call(
      async () =>
        retrievedCard(await this.#stripe.paymentMethods.retrieve(paymentMethodRef)) ??
        notUnderstood("PaymentMethod (not a card)"),
    );
  }

  async retrieveCustomer(
    customerRef: string,
  ): Promise<GatewayAnswer<{ accountId: string | null; deleted: boolean }>> {
    return this.#call(async () => {
      const customer = await this.#stripe.customers.retrieve(customerRef);
      if (customer.deleted) return { accountId: null, deleted: true };
      return { accountId: customer.metadata.accountId ?? null, deleted: false };
    });
  }

  async detachCard(paymentMethodRef: string): Promise<GatewayAnswer<null>> {
    return this.#call(async () => {
      await this.#stripe.paymentMethods.detach(paymentMethodRef);
      return null;
    });
  }

  deliverWebhook(): Promise<never> {
    return Promise.reject(new Error("Stripe delivers its own webhooks; none is kept for it"));
  }

  parseWebhook(body: string, headers: Headers, nowMs: number): Promise<WebhookParse> {
    return parseStripeWebhook(this.#webhookSecret, body, headers, nowMs);
  }

  /** Any call but a charge: Stripe's errors become a value, transient ones worth retrying. */
  async #call<T>(run: () => Promise<T>): Promise<GatewayAnswer<T>> {
    try {
      return { ok: true, value: await run() };
    } catch (error) {
      if (error instanceof NotUnderstood)
        return { ok: false, retryable: false, message: error.message };
      const attempt = attemptFromError(error);
      return attempt.status === "retry"
        ? { ok: false, retryable: true, message: attempt.message }
        : {
            ok: false,
            retryable: false,
            message: error instanceof Error ? error.message : String(error),
          };
    }
  }
}

class NotUnderstood extends Error {}

function notUnderstood(what: string): never {
  throw new NotUnderstood(`Stripe answered with a ${what} this service cannot read`);
}

/** The EU's member states, whose VAT ids Stripe takes as `eu_vat`. */
const EU_VAT_COUNTRIES = new Set(
  "AT BE BG CY CZ DE DK EE ES FI FR GR HR HU IE IT LT LU LV MT NL PL PT RO SE SI SK".split(" "),
);
/** Other countries whose VAT ids the billing details check and Stripe has a type for. */
const OTHER_VAT_TYPES: Record<string, Stripe.TaxIdCreateParams.Type> = {
  GB: "gb_vat",
  CH: "ch_vat",
  NO: "no_vat",
};

/** Stripe's tax id type for a VAT id of `country`; null where the service sends none. */
export function stripeTaxIdType(country: string | undefined): Stripe.TaxIdCreateParams.Type | null {
  if (!country) return null;
  if (EU_VAT_COUNTRIES.has(country)) return "eu_vat";
  return OTHER_VAT_TYPES[country] ?? null;
}

function customerParams(details: CustomerDetails): Stripe.CustomerUpdateParams {
  return {
    ...(details.name ? { name: details.name } : {}),
    ...(details.email ? { email: details.email } : {}),
    ...(details.address
      ? {
          address: {
            line1: details.address.line1,
            ...(details.address.line2 ? { line2: details.address.line2 } : {}),
            city: details.address.city,
            postal_code: details.address.postalCode,
            country: details.address.country,
          },
        }
      : {}),
  };
}

/** The SDK's typed object back to the JSON shape the shared parser reads. */
function intentJson(intent: Stripe.PaymentIntent) {
  return {
    ...intent,
    metadata: intent.metadata ?? {},
    next_action: intent.next_action
      ? {
          type: intent.next_action.type,
          redirect_to_url: intent.next_action.redirect_to_url?.url
            ? { url: intent.next_action.redirect_to_url.url }
            : null,
        }
      : null,
    last_payment_error: intent.last_payment_error
      ? { message: intent.last_payment_error.message }
      : null,
  };
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
    // Off-session, a bank that wants the cardholder answers authentication_required.
    if (error.code === "authentication_required") {
      return {
        status: "failed",
        gatewayRef,
        failureCode: "requires_action",
        failureReason: REQUIRES_ACTION_REASON,
      };
    }
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
