import type { Micros } from "../money";

/**
 * What the ledger asks a payment gateway to charge. `paymentId` is our id and doubles as
 * the gateway's idempotency key, so asking twice for the same payment (a retry after a
 * timeout, an alarm that runs twice) never charges twice.
 */
export interface PaymentRequest {
  paymentId: string;
  accountId: string;
  amountMicros: Micros;
  /** ISO 4217, upper case, the account currency. */
  currency: string;
  /** A saved payment method (Stripe `pm_…`, or a sandbox test method). */
  paymentMethod: string;
  /** The gateway's customer the payment method is attached to (Stripe `cus_…`), when it has one. */
  customerRef?: string;
  description: string;
}

/** Why a payment failed for good: asking again with the same method will not change it soon. */
export type PaymentFailureCode =
  | "declined"
  | "requires_action"
  | "invalid_payment_method"
  | "gateway_rejected";

/** Why the outcome is unknown; the payment may still succeed, so it stays pending. */
export type PaymentRetryKind = "timeout" | "network" | "gateway_unavailable" | "rate_limited";

/**
 * The synchronous answer to a charge. The final word may still come by webhook: `pending`
 * always does, and a `succeeded` or `failed` answer is followed by a webhook with the same
 * outcome, so settling a payment must be idempotent by paymentId.
 *
 * `retry` means we did not learn the outcome (timeout, connection lost, gateway 5xx/429):
 * the charge may or may not exist. Keep the payment pending and call `createPayment` again
 * with the same paymentId; the idempotency key makes that safe, and a webhook may settle it
 * first.
 */
export type PaymentAttempt =
  | { status: "succeeded"; gatewayRef: string }
  | { status: "pending"; gatewayRef: string }
  | {
      status: "failed";
      gatewayRef: string | null;
      failureCode: PaymentFailureCode;
      /** Shown to the account admin. */
      failureReason: string;
      /** For logs only: the gateway's own words when they are not fit for the admin. */
      detail?: string;
    }
  | { status: "retry"; retryKind: PaymentRetryKind; message: string };

/** A gateway's confirmation of a payment we started, verified and reduced to what the ledger needs. */
export interface PaymentEvent {
  /** The gateway's event id: the same delivery replayed carries the same id. */
  eventId: string;
  paymentId: string;
  accountId: string | null;
  gatewayRef: string;
  outcome: "succeeded" | "failed";
  failureReason?: string;
  /** As the gateway counts it; compare with the payment's own amount before crediting. */
  amountMinor: number;
  amountMicros: Micros;
  /** ISO 4217, upper case. */
  currency: string;
}

export type WebhookRejection =
  | "bad_signature"
  | "stale_timestamp"
  | "malformed"
  | "ignored_event_type"
  /** A genuine event about a payment that this service did not start (no metadata.paymentId). */
  | "unrelated_payment";

export type WebhookParse =
  | { ok: true; event: PaymentEvent }
  | { ok: false; reason: WebhookRejection };

export interface PaymentGateway {
  readonly name: "sandbox" | "stripe";
  createPayment(request: PaymentRequest): Promise<PaymentAttempt>;
  /** `body` is the raw request text: the signature covers the exact bytes, not a re-serialisation. */
  parseWebhook(body: string, headers: Headers, nowMs: number): Promise<WebhookParse>;
}
