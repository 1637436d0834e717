import { evictDurableObject, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { listMailbox } from "../../src/notify";
import { signWebhook } from "../../src/payments/webhook-signature";
import { api, ledger } from "../helpers";

/** Runs the ledger's due work (gateway calls, sandbox webhooks, notices) until nothing is due now. */
export async function settleLedger(accountId: string, rounds = 6): Promise<void> {
  for (let i = 0; i < rounds; i++) {
    if (!(await runDurableObjectAlarm(ledger(accountId)))) return;
  }
}

export function topUp(
  accountId: string,
  token: string,
  body: Record<string, unknown>,
  key: string,
) {
  return api("POST", `/v1/accounts/${accountId}/top-ups`, {
    token,
    body,
    headers: { "Idempotency-Key": key },
  });
}

export async function credit(accountId: string) {
  return (await api("GET", `/v1/accounts/${accountId}/credit`)).body;
}

export async function topUpMovements(accountId: string) {
  const list = await api("GET", `/v1/accounts/${accountId}/movements?limit=500`);
  return list.body.movements.filter((m: any) => m.description === "top-up");
}

export async function mailTo(accountId: string) {
  return listMailbox(env.DB, { to: `${accountId}@example.test` });
}

/**
 * Moves the auto top-up's retry time into the past, as if the backoff had elapsed: the
 * ledger's own clock cannot be advanced from a test, its stored schedule can.
 */
export async function elapseAutoTopUpBackoff(accountId: string): Promise<void> {
  await runInDurableObject(ledger(accountId), (_instance, state) => {
    state.storage.sql.exec(
      "UPDATE settings SET value = json_set(value, '$.retryNotBeforeMs', 1) WHERE key = 'auto_top_up_status'",
    );
  });
  // The ledger keeps its settings in memory; a fresh instance reads the edited row.
  await evictDurableObject(ledger(accountId));
}

export async function paymentsOf(
  accountId: string,
): Promise<Array<{ id: string; kind: string; status: string; amount_micros: number }>> {
  return runInDurableObject(ledger(accountId), (_instance, state) =>
    state.storage.sql
      .exec<{ id: string; kind: string; status: string; amount_micros: number }>(
        "SELECT id, kind, status, amount_micros FROM payments ORDER BY created_at_ms",
      )
      .toArray(),
  );
}

/** An event as Stripe sends it: `object: "event"`, a type, and the object it is about. */
export function stripeEvent(type: string, object: Record<string, unknown>, id?: string) {
  return JSON.stringify({
    id: id ?? `evt_${crypto.randomUUID().replaceAll("-", "")}`,
    object: "event",
    api_version: "2026-10-28.endive",
    type,
    created: Math.floor(Date.now() / 1000),
    livemode: false,
    data: { object },
  });
}

/** A PaymentIntent as Stripe shows it, for a top-up this service started. */
export function paymentIntent(input: {
  id: string;
  paymentId: string;
  accountId: string;
  amount: number;
  currency?: string;
  status?: string;
  message?: string;
}) {
  return {
    id: input.id,
    object: "payment_intent",
    amount: input.amount,
    currency: input.currency ?? "eur",
    status: input.status ?? "succeeded",
    metadata: { paymentId: input.paymentId, accountId: input.accountId },
    last_payment_error: input.message
      ? { type: "card_error", code: "card_declined", message: input.message }
      : null,
    next_action: null,
  };
}

/** Posts a body to the webhook route signed as Stripe signs it, now. */
export async function postSignedWebhook(body: string) {
  return api("POST", "/v1/webhooks/payments", {
    token: null,
    rawBody: body,
    headers: {
      "Stripe-Signature": await signWebhook(env.PAYMENT_WEBHOOK_SECRET, body, Date.now() / 1000),
    },
  });
}
