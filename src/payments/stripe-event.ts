import { z } from "zod";
import { isCurrency } from "../money";
import { fromStripeAmount } from "./stripe-currencies";
import type { WebhookParse } from "./gateway";
import { SIGNATURE_HEADER, verifyWebhookSignature } from "./webhook-signature";

/**
 * Stripe's event JSON, reduced to the PaymentIntent fields the ledger settles on. The sandbox
 * emits the same shape, so both gateways share this parser and the signature check before it.
 */

export const PAYMENT_SUCCEEDED_EVENT = "payment_intent.succeeded";
export const PAYMENT_FAILED_EVENT = "payment_intent.payment_failed";

const paymentIntentSchema = z
  .object({
    id: z.string().min(1),
    object: z.literal("payment_intent"),
    amount: z.number().int().nonnegative(),
    currency: z.string().regex(/^[a-zA-Z]{3}$/),
    metadata: z.record(z.string(), z.string()).default({}),
    last_payment_error: z.object({ message: z.string().optional() }).loose().nullish(),
  })
  .loose();

const eventSchema = z.object({
  id: z.string().min(1),
  type: z.string(),
  data: z.object({ object: z.unknown() }),
});

export type StripePaymentIntentJson = z.input<typeof paymentIntentSchema>;

/** What a failed payment tells the admin when the gateway gave no reason of its own. */
export const GENERIC_FAILURE_REASON = "The payment was not completed.";

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
  const event = eventSchema.safeParse(json);
  if (!event.success) return { ok: false, reason: "malformed" };
  const { type } = event.data;
  if (type !== PAYMENT_SUCCEEDED_EVENT && type !== PAYMENT_FAILED_EVENT)
    return { ok: false, reason: "ignored_event_type" };

  const intent = paymentIntentSchema.safeParse(event.data.data.object);
  if (!intent.success) return { ok: false, reason: "malformed" };
  const { id, amount, metadata, last_payment_error } = intent.data;
  const currency = intent.data.currency.toUpperCase();
  if (!isCurrency(currency)) return { ok: false, reason: "malformed" };
  // The same Stripe account may take payments for other products; those are not ours to settle.
  const paymentId = metadata.paymentId;
  if (!paymentId) return { ok: false, reason: "unrelated_payment" };
  const amountMicros = fromStripeAmount(amount, currency);
  if (amountMicros === null) return { ok: false, reason: "malformed" };

  const succeeded = type === PAYMENT_SUCCEEDED_EVENT;
  return {
    ok: true,
    event: {
      eventId: event.data.id,
      paymentId,
      accountId: metadata.accountId ?? null,
      gatewayRef: id,
      outcome: succeeded ? "succeeded" : "failed",
      ...(succeeded
        ? {}
        : { failureReason: last_payment_error?.message ?? GENERIC_FAILURE_REASON }),
      amountMinor: amount,
      amountMicros,
      currency,
    },
  };
}
