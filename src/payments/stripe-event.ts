import { z } from "zod";
import { isCurrency } from "../money";
import type {
  GatewayEvent,
  PaymentOutcome,
  RetrievedCard,
  RetrievedPayment,
  WebhookParse,
} from "./gateway";
import { fromStripeAmount } from "./stripe-currencies";
import { SIGNATURE_HEADER, verifyWebhookSignature } from "./webhook-signature";

/**
 * Stripe's event and object JSON, reduced to the fields the ledger acts on. The sandbox
 * emits and stores the same shapes, so both gateways share these parsers and the signature
 * check before them.
 */

export const PAYMENT_SUCCEEDED_EVENT = "payment_intent.succeeded";
export const PAYMENT_FAILED_EVENT = "payment_intent.payment_failed";
export const PAYMENT_CANCELED_EVENT = "payment_intent.canceled";
export const CHECKOUT_COMPLETED_EVENT = "checkout.session.completed";
export const SETUP_SUCCEEDED_EVENT = "setup_intent.succeeded";
export const CARD_UPDATED_EVENTS = [
  "payment_method.updated",
  "payment_method.automatically_updated",
] as const;
export const CARD_DETACHED_EVENT = "payment_method.detached";
export const CUSTOMER_DELETED_EVENT = "customer.deleted";
export const CHARGE_REFUNDED_EVENT = "charge.refunded";
export const DISPUTE_CREATED_EVENT = "charge.dispute.created";
export const DISPUTE_CLOSED_EVENT = "charge.dispute.closed";
export const FRAUD_WARNING_EVENT = "radar.early_fraud_warning.created";

/** The exact list to subscribe the webhook endpoint to (README, "Stripe setup"). */
export const SUBSCRIBED_EVENT_TYPES = [
  PAYMENT_SUCCEEDED_EVENT,
  PAYMENT_FAILED_EVENT,
  PAYMENT_CANCELED_EVENT,
  CHECKOUT_COMPLETED_EVENT,
  SETUP_SUCCEEDED_EVENT,
  ...CARD_UPDATED_EVENTS,
  CARD_DETACHED_EVENT,
  CUSTOMER_DELETED_EVENT,
  CHARGE_REFUNDED_EVENT,
  DISPUTE_CREATED_EVENT,
  DISPUTE_CLOSED_EVENT,
  FRAUD_WARNING_EVENT,
] as const;

/** What a failed payment tells the admin when the gateway gave no reason of its own. */
export const GENERIC_FAILURE_REASON = "The payment was not completed.";
export const REQUIRES_ACTION_REASON =
  "Your bank asked to confirm this payment, which is not possible for an automatic charge. Please add credit manually or use another card.";
export const CANCELED_REASON = "The payment was canceled before it completed.";

const id = z.string().min(1);
const ref = z
  .union([id, z.object({ id }).loose()])
  .transform((v) => (typeof v === "string" ? v : v.id));
const metadata = z
  .record(z.string(), z.string())
  .nullish()
  .transform((m) => m ?? {});
const currencyCode = z
  .string()
  .regex(/^[a-zA-Z]{3}$/)
  .transform((c) => c.toUpperCase());

const paymentIntentSchema = z
  .object({
    id,
    object: z.literal("payment_intent"),
    amount: z.number().int().nonnegative(),
    currency: currencyCode,
    status: z.string(),
    metadata,
    last_payment_error: z
      .object({ code: z.string().optional(), message: z.string().optional() })
      .loose()
      .nullish(),
    next_action: z
      .object({
        type: z.string(),
        redirect_to_url: z.object({ url: z.string() }).loose().nullish(),
      })
      .loose()
      .nullish(),
  })
  .loose();

export type StripePaymentIntentJson = z.input<typeof paymentIntentSchema>;

const setupIntentSchema = z
  .object({
    id,
    object: z.literal("setup_intent"),
    status: z.string(),
    customer: ref.nullish(),
    payment_method: ref.nullish(),
    metadata,
    created: z.number().int(),
  })
  .loose();

const checkoutSessionSchema = z
  .object({
    id,
    object: z.literal("checkout.session"),
    mode: z.string(),
    setup_intent: ref.nullish(),
  })
  .loose();

const paymentMethodSchema = z
  .object({
    id,
    object: z.literal("payment_method"),
    customer: ref.nullish(),
    card: z
      .object({
        brand: z.string(),
        last4: z.string(),
        exp_month: z.number().int(),
        exp_year: z.number().int(),
      })
      .loose()
      .nullish(),
  })
  .loose();

const customerSchema = z
  .object({ id, object: z.literal("customer"), deleted: z.boolean().optional(), metadata })
  .loose();

const chargeSchema = z
  .object({
    id,
    object: z.literal("charge"),
    amount_refunded: z.number().int().nonnegative(),
    currency: currencyCode,
    payment_intent: ref.nullish(),
  })
  .loose();

const disputeSchema = z
  .object({
    id,
    object: z.literal("dispute"),
    amount: z.number().int().nonnegative(),
    currency: currencyCode,
    status: z.string(),
    payment_intent: ref.nullish(),
  })
  .loose();

const fraudWarningSchema = z
  .object({ id, object: z.literal("radar.early_fraud_warning"), payment_intent: ref.nullish() })
  .loose();

const eventSchema = z.object({
  id,
  type: z.string(),
  data: z.object({
    object: z.unknown(),
    previous_attributes: z.record(z.string(), z.unknown()).optional(),
  }),
});

/** A PaymentIntent's state as the ledger reads it; shared by charges, retrievals and the sandbox. */
export function outcomeOfIntent(intent: z.output<typeof paymentIntentSchema>): PaymentOutcome {
  switch (intent.status) {
    case "succeeded":
      return { status: "succeeded", gatewayRef: intent.id };
    case "processing":
      return { status: "pending", gatewayRef: intent.id };
    case "requires_action": {
      const url = intent.next_action?.redirect_to_url?.url;
      // Only an on-session charge gets a page to send the cardholder to.
      return url
        ? { status: "requires_action", gatewayRef: intent.id, nextActionUrl: url }
        : {
            status: "failed",
            gatewayRef: intent.id,
            failureCode: "requires_action",
            failureReason: REQUIRES_ACTION_REASON,
          };
    }
    case "requires_payment_method":
      // Off-session, a bank that wants the cardholder: not a decline, an action for the admin.
      if (intent.last_payment_error?.code === "authentication_required")
        return {
          status: "failed",
          gatewayRef: intent.id,
          failureCode: "requires_action",
          failureReason: REQUIRES_ACTION_REASON,
        };
      return {
        status: "failed",
        gatewayRef: intent.id,
        failureCode: "declined",
        failureReason: intent.last_payment_error?.message ?? GENERIC_FAILURE_REASON,
      };
    case "canceled":
      return {
        status: "failed",
        gatewayRef: intent.id,
        failureCode: "gateway_rejected",
        failureReason: intent.last_payment_error?.message ?? CANCELED_REASON,
      };
    default:
      // requires_capture, requires_confirmation: states our parameters cannot lead to.
      return {
        status: "failed",
        gatewayRef: intent.id,
        failureCode: "gateway_rejected",
        failureReason: GENERIC_FAILURE_REASON,
      };
  }
}

/** A PaymentIntent JSON (an API answer or the sandbox's record) as the ledger reads it. */
export function retrievedPayment(json: unknown): RetrievedPayment | null {
  const intent = paymentIntentSchema.safeParse(json);
  if (!intent.success) return null;
  return {
    outcome: outcomeOfIntent(intent.data),
    paymentId: intent.data.metadata.paymentId ?? null,
    accountId: intent.data.metadata.accountId ?? null,
  };
}

export function retrievedCard(json: unknown): RetrievedCard | null {
  const method = paymentMethodSchema.safeParse(json);
  if (!method.success || !method.data.card) return null;
  const { card } = method.data;
  return {
    paymentMethodRef: method.data.id,
    brand: card.brand,
    last4: card.last4,
    expMonth: card.exp_month,
    expYear: card.exp_year,
    customerRef: method.data.customer ?? null,
  };
}

export function cardSetupOf(json: unknown) {
  const setup = setupIntentSchema.safeParse(json);
  if (!setup.success) return null;
  return {
    accountId: setup.data.metadata.accountId ?? null,
    customerRef: setup.data.customer ?? null,
    paymentMethodRef: setup.data.payment_method ?? null,
    createdMs: setup.data.created * 1000,
    succeeded: setup.data.status === "succeeded",
  };
}

export async function parseStripeWebhook(
  secret: string,
  body: string,
  headers: Headers,
  nowMs: number,
): Promise<WebhookParse> {
  const signature = await verifyWebhookSignature(
    secret,
    body,
    headers.get(SIGNATURE_HEADER),
    nowMs,
  );
  if (!signature.ok) return { ok: false, reason: signature.reason };

  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    return { ok: false, reason: "malformed" };
  }
  const parsed = eventSchema.safeParse(json);
  if (!parsed.success) return { ok: false, reason: "malformed" };
  const event = eventFrom(parsed.data);
  return event ?? { ok: false, reason: "malformed", type: parsed.data.type };
}

/** Null when a subscribed type carries an object that is not what that type promises. */
function eventFrom(event: z.output<typeof eventSchema>): WebhookParse | null {
  const eventId = event.id;
  const object = event.data.object;
  const ok = (e: GatewayEvent): WebhookParse => ({ ok: true, event: e });
  switch (event.type) {
    case PAYMENT_SUCCEEDED_EVENT:
    case PAYMENT_FAILED_EVENT:
    case PAYMENT_CANCELED_EVENT: {
      const intent = paymentIntentSchema.safeParse(object);
      if (!intent.success || !isCurrency(intent.data.currency)) return null;
      const { id: gatewayRef, amount, currency } = intent.data;
      // The same Stripe account may take payments for other products; those are not ours to settle.
      const paymentId = intent.data.metadata.paymentId;
      if (!paymentId) return { ok: false, reason: "unrelated_payment", type: event.type };
      const amountMicros = fromStripeAmount(amount, currency);
      if (amountMicros === null) return null;
      const succeeded = event.type === PAYMENT_SUCCEEDED_EVENT;
      const outcome = outcomeOfIntent(intent.data);
      return ok({
        kind: "payment",
        event: {
          eventId,
          paymentId,
          accountId: intent.data.metadata.accountId ?? null,
          gatewayRef,
          outcome: succeeded ? "succeeded" : "failed",
          ...(succeeded
            ? {}
            : {
                failureReason:
                  outcome.status === "failed"
                    ? outcome.failureReason
                    : (intent.data.last_payment_error?.message ?? GENERIC_FAILURE_REASON),
              }),
          amountMinor: amount,
          amountMicros,
          currency,
        },
      });
    }
    case CHECKOUT_COMPLETED_EVENT: {
      const session = checkoutSessionSchema.safeParse(object);
      if (!session.success) return null;
      // Payment-mode sessions belong to other products on the same Stripe account.
      if (session.data.mode !== "setup" || !session.data.setup_intent)
        return { ok: false, reason: "ignored_event_type", type: event.type };
      return ok({ kind: "card_setup", eventId, setupRef: session.data.setup_intent, setup: null });
    }
    case SETUP_SUCCEEDED_EVENT: {
      const setup = cardSetupOf(object);
      if (!setup) return null;
      return ok({ kind: "card_setup", eventId, setupRef: (object as { id: string }).id, setup });
    }
    case CARD_UPDATED_EVENTS[0]:
    case CARD_UPDATED_EVENTS[1]: {
      const card = retrievedCard(object);
      if (!card) return { ok: false, reason: "ignored_event_type", type: event.type };
      return ok({ kind: "card_updated", eventId, card });
    }
    case CARD_DETACHED_EVENT: {
      const method = paymentMethodSchema.safeParse(object);
      if (!method.success) return null;
      // Detached, the method no longer names its customer; the previous attributes do.
      const previous = event.data.previous_attributes?.customer;
      return ok({
        kind: "card_detached",
        eventId,
        paymentMethodRef: method.data.id,
        customerRef: typeof previous === "string" ? previous : (method.data.customer ?? null),
      });
    }
    case CUSTOMER_DELETED_EVENT: {
      const customer = customerSchema.safeParse(object);
      if (!customer.success) return null;
      return ok({
        kind: "customer_deleted",
        eventId,
        customerRef: customer.data.id,
        accountId: customer.data.metadata.accountId ?? null,
      });
    }
    case CHARGE_REFUNDED_EVENT: {
      const charge = chargeSchema.safeParse(object);
      if (!charge.success) return null;
      if (!charge.data.payment_intent)
        return { ok: false, reason: "unrelated_payment", type: event.type };
      return ok({
        kind: "refund",
        eventId,
        gatewayRef: charge.data.payment_intent,
        refundedMinor: charge.data.amount_refunded,
        currency: charge.data.currency,
      });
    }
    case DISPUTE_CREATED_EVENT:
    case DISPUTE_CLOSED_EVENT: {
      const dispute = disputeSchema.safeParse(object);
      if (!dispute.success) return null;
      if (!dispute.data.payment_intent)
        return { ok: false, reason: "unrelated_payment", type: event.type };
      const { status } = dispute.data;
      // An inquiry (warning_*) withdraws no funds, so it reverses no credit.
      if (status.startsWith("warning_"))
        return { ok: false, reason: "ignored_event_type", type: event.type };
      return ok({
        kind: "dispute",
        eventId,
        gatewayRef: dispute.data.payment_intent,
        disputeRef: dispute.data.id,
        amountMinor: dispute.data.amount,
        currency: dispute.data.currency,
        status: status === "won" ? "won" : status === "lost" ? "lost" : "open",
      });
    }
    case FRAUD_WARNING_EVENT: {
      const warning = fraudWarningSchema.safeParse(object);
      if (!warning.success) return null;
      if (!warning.data.payment_intent)
        return { ok: false, reason: "unrelated_payment", type: event.type };
      return ok({
        kind: "fraud_warning",
        eventId,
        gatewayRef: warning.data.payment_intent,
        warningRef: warning.data.id,
      });
    }
    default:
      return { ok: false, reason: "ignored_event_type", type: event.type };
  }
}
