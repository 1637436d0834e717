import { Hono } from "hono";
import { parseStripeWebhook } from "../../payments/stripe-event";
import type { AppEnv } from "../context";
import { ApiError } from "../errors";
import { ledgerOf } from "../ledger-client";

/**
 * The payment gateway's confirmations. Both gateways speak Stripe's signed event format,
 * so one verifier serves both. Forged, stale or malformed deliveries are 400 and change
 * nothing; events about payments this service did not start are acknowledged and ignored,
 * so the gateway stops resending them.
 */
export const paymentWebhooks = new Hono<AppEnv>().post("/payments", async (c) => {
  const body = await c.req.text();
  const parsed = await parseStripeWebhook(
    c.env.PAYMENT_WEBHOOK_SECRET,
    body,
    c.req.raw.headers,
    Date.now(),
  );
  if (!parsed.ok) {
    if (parsed.reason === "ignored_event_type" || parsed.reason === "unrelated_payment") {
      return c.json({ received: true, applied: false, why: parsed.reason });
    }
    const field = parsed.reason === "malformed" ? "body" : "Stripe-Signature";
    throw new ApiError(
      400,
      parsed.reason,
      `${field}: the webhook was rejected (${parsed.reason.replaceAll("_", " ")}).`,
      [{ field, issue: parsed.reason }],
    );
  }
  const event = parsed.event;
  if (!event.accountId) return c.json({ received: true, applied: false, why: "unrelated_payment" });
  c.set("accountId", event.accountId);
  const result = await ledgerOf(c.env, event.accountId).confirmPayment(event);
  const why = result.ok ? result.value.why : result.refusal.reason;
  c.set("decision", `${event.outcome}:${result.ok && result.value.applied ? "applied" : why}`);
  return c.json({
    received: true,
    applied: result.ok && result.value.applied,
    ...(why ? { why } : {}),
  });
});
