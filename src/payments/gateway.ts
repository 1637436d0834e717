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
  /**
   * Set when the admin asked for it in the browser: the bank may then ask them to
   * authenticate (3-D Secure), and the gateway sends them back to `returnUrl` afterwards.
   * Without it the charge is off-session, and a bank that wants the cardholder refuses it.
   */
  onSession?: { returnUrl: string };
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
  /** On-session only: the bank wants the cardholder; send them to `nextActionUrl`. */
  | { status: "requires_action"; gatewayRef: string; nextActionUrl: string }
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

/** What the gateway says of a payment when asked (reconciliation): never a guess. */
export type PaymentOutcome = Exclude<PaymentAttempt, { status: "retry" }>;

export interface RetrievedPayment {
  outcome: PaymentOutcome;
  /** From the payment's metadata; null for a payment this service did not start. */
  paymentId: string | null;
  accountId: string | null;
}

/** The answer of a gateway call that is not a charge: a value, or why not (and if worth retrying). */
export type GatewayAnswer<T> =
  | { ok: true; value: T }
  | { ok: false; retryable: boolean; message: string };

/**
 * Optional details of the account's billing identity, passed to the gateway's customer
 * (receipts, tax). The billing-details form fills them; a card can be saved without them.
 */
export interface CustomerDetails {
  name?: string;
  email?: string;
  address?: { line1: string; line2?: string; city: string; postalCode: string; country: string };
  taxId?: string;
}

/** A saved card as the Billing page shows it; no card number ever reaches this service. */
export interface CardSummary {
  paymentMethodRef: string;
  brand: string;
  last4: string;
  expMonth: number;
  expYear: number;
}

export interface RetrievedCard extends CardSummary {
  customerRef: string | null;
}

export interface CardSetup {
  accountId: string | null;
  customerRef: string | null;
  paymentMethodRef: string | null;
  /** When the admin started it: of two setups, the later one is the card on file. */
  createdMs: number;
  succeeded: boolean;
}

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

/**
 * Every verified event this service acts on. Events that only point at a payment (refunds,
 * disputes, fraud warnings) carry its gateway reference: the account is learnt by
 * retrieving that payment, since those objects carry no metadata of ours.
 */
export type GatewayEvent =
  | { kind: "payment"; event: PaymentEvent }
  | { kind: "card_setup"; eventId: string; setupRef: string; setup: CardSetup | null }
  | { kind: "card_updated"; eventId: string; card: RetrievedCard }
  | {
      kind: "card_detached";
      eventId: string;
      paymentMethodRef: string;
      customerRef: string | null;
    }
  | { kind: "customer_deleted"; eventId: string; customerRef: string; accountId: string | null }
  | {
      kind: "refund";
      eventId: string;
      gatewayRef: string;
      /** Stripe's charge.refunded carries the total refunded so far, not this refund alone. */
      refundedMinor: number;
      currency: string;
    }
  | {
      kind: "dispute";
      eventId: string;
      gatewayRef: string;
      disputeRef: string;
      amountMinor: number;
      currency: string;
      status: "open" | "won" | "lost";
    }
  | { kind: "fraud_warning"; eventId: string; gatewayRef: string; warningRef: string };

export type WebhookRejection =
  | "bad_signature"
  | "stale_timestamp"
  | "malformed"
  /** Genuine, but of a type this service does not need: acknowledged and logged. */
  | "ignored_event_type"
  /** A genuine event about a payment that this service did not start (no metadata.paymentId). */
  | "unrelated_payment";

export type WebhookParse =
  | { ok: true; event: GatewayEvent }
  | { ok: false; reason: WebhookRejection; type?: string };

export interface PaymentGateway {
  readonly name: "sandbox" | "stripe";
  createPayment(request: PaymentRequest): Promise<PaymentAttempt>;
  /** The payment as the gateway knows it now, by its reference (Stripe `pi_…`). */
  retrievePayment(gatewayRef: string): Promise<GatewayAnswer<RetrievedPayment>>;
  /** A payment by our id when no reference was ever learnt; null when none exists. */
  findPayment(paymentId: string): Promise<GatewayAnswer<RetrievedPayment | null>>;
  /** Cancels a payment the cardholder abandoned, so it can no longer succeed. */
  cancelPayment(gatewayRef: string): Promise<GatewayAnswer<null>>;
  /** Creates the account's customer once (idempotently), or updates its details. */
  saveCustomer(input: {
    accountId: string;
    customerRef: string | null;
    details?: CustomerDetails;
  }): Promise<GatewayAnswer<{ customerRef: string }>>;
  /** The hosted page where the admin saves a card for later off-session charges. */
  startCardSetup(input: {
    accountId: string;
    customerRef: string;
    returnUrl: string;
  }): Promise<GatewayAnswer<{ url: string }>>;
  retrieveCardSetup(setupRef: string): Promise<GatewayAnswer<CardSetup>>;
  retrieveCard(paymentMethodRef: string): Promise<GatewayAnswer<RetrievedCard>>;
  retrieveCustomer(
    customerRef: string,
  ): Promise<GatewayAnswer<{ accountId: string | null; deleted: boolean }>>;
  detachCard(paymentMethodRef: string): Promise<GatewayAnswer<null>>;
  /** `body` is the raw request text: the signature covers the exact bytes, not a re-serialisation. */
  parseWebhook(body: string, headers: Headers, nowMs: number): Promise<WebhookParse>;
  /**
   * Sends a webhook this gateway asked the ledger to keep until due (the sandbox's
   * `schedule`, which stands in for a gateway's own delivery); a real gateway never asks.
   */
  deliverWebhook(webhook: ScheduledWebhook): Promise<unknown>;
}

/** A webhook held until `deliverAtMs`. */
export interface ScheduledWebhook {
  deliverAtMs: number;
  body: string;
}
