import { chargeRefusal, toStripeAmount } from "./stripe-currencies";
import type { PaymentAttempt, PaymentGateway, PaymentRequest, WebhookParse } from "./gateway";
import {
  PAYMENT_FAILED_EVENT,
  PAYMENT_SUCCEEDED_EVENT,
  parseStripeWebhook,
  type StripePaymentIntentJson,
} from "./stripe-event";
import { SIGNATURE_HEADER, signWebhook } from "./webhook-signature";

/**
 * The local default gateway. It answers like Stripe does for an off-session charge and then
 * confirms through a signed, Stripe-shaped webhook posted to our own webhook route, so dev
 * and tests exercise the exact path production payments take.
 */

export const SANDBOX_CARD_SUCCEEDS = "pm_card_visa";
export const SANDBOX_CARD_DECLINED = "pm_card_chargeDeclined";
export const SANDBOX_CARD_CONFIRMS_LATE = "pm_card_visa_delayed";
export const SANDBOX_PAYMENT_METHODS = [
  SANDBOX_CARD_SUCCEEDS,
  SANDBOX_CARD_DECLINED,
  SANDBOX_CARD_CONFIRMS_LATE,
] as const;

/** How long `pm_card_visa_delayed` stays pending: long enough to see "pending" in the dashboard. */
export const SANDBOX_LATE_CONFIRMATION_MS = 5_000;

export const SANDBOX_DECLINE_MESSAGE = "Your card was declined.";
export const WEBHOOK_PATH = "/v1/webhooks/payments";

/**
 * A webhook the sandbox will send. Plain data, so a Durable Object can keep it in a table
 * and deliver it from its alarm; it is signed at delivery, as a real gateway signs at send.
 */
export interface SandboxWebhook {
  deliverAtMs: number;
  body: string;
}

export interface SandboxDeps {
  webhookSecret: string;
  /** Absolute URL of our webhook route, e.g. `${PUBLIC_BASE_URL}/v1/webhooks/payments`. */
  webhookUrl: string;
  /**
   * Takes a webhook to send at `deliverAtMs` (now for immediate outcomes). It must not send
   * it before `createPayment` has returned, as no real gateway does; the caller then runs
   * `deliverWebhook` for it (waitUntil, or a DO alarm for later ones).
   */
  schedule: (webhook: SandboxWebhook) => void | Promise<void>;
  /** Posts the signed request, e.g. the Worker's own fetch. */
  deliver: (request: Request) => Promise<Response | void>;
  nowMs?: () => number;
}

export class SandboxGateway implements PaymentGateway {
  readonly name = "sandbox";
  readonly #deps: SandboxDeps;

  constructor(deps: SandboxDeps) {
    this.#deps = deps;
  }

  /** Stateless: the same paymentId gives the same answer and the same event ids, as an idempotent gateway would. */
  async createPayment(request: PaymentRequest): Promise<PaymentAttempt> {
    const gatewayRef = `pi_sandbox_${request.paymentId}`;
    const refusal = chargeRefusal(request.amountMicros, request.currency);
    if (refusal) {
      return {
        status: "failed",
        gatewayRef: null,
        failureCode: "gateway_rejected",
        failureReason: `The amount ${refusal}.`,
      };
    }
    const nowMs = this.#now();
    switch (request.paymentMethod) {
      case SANDBOX_CARD_SUCCEEDS:
        await this.#schedule(request, gatewayRef, "succeeded", nowMs);
        return { status: "succeeded", gatewayRef };
      case SANDBOX_CARD_DECLINED:
        await this.#schedule(request, gatewayRef, "failed", nowMs);
        return {
          status: "failed",
          gatewayRef,
          failureCode: "declined",
          failureReason: SANDBOX_DECLINE_MESSAGE,
        };
      case SANDBOX_CARD_CONFIRMS_LATE:
        await this.#schedule(
          request,
          gatewayRef,
          "succeeded",
          nowMs + SANDBOX_LATE_CONFIRMATION_MS,
        );
        return { status: "pending", gatewayRef };
      default:
        return {
          status: "failed",
          gatewayRef: null,
          failureCode: "invalid_payment_method",
          failureReason: `No such payment method: '${request.paymentMethod}'. The sandbox accepts ${SANDBOX_PAYMENT_METHODS.join(", ")}.`,
        };
    }
  }

  /** Signs the webhook with the current time and posts it to our webhook route. */
  async deliverWebhook(webhook: SandboxWebhook): Promise<Response | void> {
    return this.#deps.deliver(
      await signedWebhookRequest(
        this.#deps.webhookUrl,
        this.#deps.webhookSecret,
        webhook.body,
        this.#now(),
      ),
    );
  }

  parseWebhook(body: string, headers: Headers, nowMs: number): Promise<WebhookParse> {
    return parseStripeWebhook(this.#deps.webhookSecret, body, headers, nowMs);
  }

  async #schedule(
    request: PaymentRequest,
    gatewayRef: string,
    outcome: "succeeded" | "failed",
    deliverAtMs: number,
  ): Promise<void> {
    const body = JSON.stringify(sandboxEvent(request, gatewayRef, outcome, deliverAtMs));
    await this.#deps.schedule({ deliverAtMs, body });
  }

  #now(): number {
    return this.#deps.nowMs?.() ?? Date.now();
  }
}

export async function signedWebhookRequest(
  url: string,
  secret: string,
  body: string,
  nowMs: number,
): Promise<Request> {
  return new Request(url, {
    method: "POST",
    headers: {
      "Content-Type": "application/json",
      [SIGNATURE_HEADER]: await signWebhook(secret, body, nowMs / 1000),
    },
    body,
  });
}

/** A Stripe event as Stripe would send it for this payment, trimmed to fields anyone reads. */
export function sandboxEvent(
  request: PaymentRequest,
  gatewayRef: string,
  outcome: "succeeded" | "failed",
  createdAtMs: number,
) {
  const succeeded = outcome === "succeeded";
  const intent: StripePaymentIntentJson = {
    id: gatewayRef,
    object: "payment_intent",
    amount: toStripeAmount(request.amountMicros, request.currency),
    currency: request.currency.toLowerCase(),
    status: succeeded ? "succeeded" : "requires_payment_method",
    payment_method: request.paymentMethod,
    description: request.description,
    metadata: { paymentId: request.paymentId, accountId: request.accountId },
    last_payment_error: succeeded
      ? null
      : {
          type: "card_error",
          code: "card_declined",
          decline_code: "generic_decline",
          message: SANDBOX_DECLINE_MESSAGE,
        },
  };
  return {
    id: `evt_sandbox_${request.paymentId}_${outcome}`,
    object: "event",
    type: succeeded ? PAYMENT_SUCCEEDED_EVENT : PAYMENT_FAILED_EVENT,
    created: Math.floor(createdAtMs / 1000),
    livemode: false,
    data: { object: intent },
  };
}
