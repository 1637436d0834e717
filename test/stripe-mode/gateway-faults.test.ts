import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import { signWebhook } from "../../src/payments/webhook-signature";
import { api, newAccount } from "../helpers";
import { credit, settleLedger, topUp, topUpMovements } from "../top-ups/helpers";

interface StripeCall {
  idempotencyKey: string | null;
  form: URLSearchParams;
}

/** Answers api.stripe.com from a script; anything else reaching the network fails the test. */
function stubStripe(
  answers: Array<(call: StripeCall) => Response | Promise<Response>>,
): StripeCall[] {
  const calls: StripeCall[] = [];
  vi.stubGlobal("fetch", async (input: RequestInfo | URL, init?: RequestInit) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    if (url.hostname !== "api.stripe.com")
      throw new Error(`a test reached for the network: ${url}`);
    const call = {
      idempotencyKey: new Headers(init?.headers).get("Idempotency-Key"),
      form: new URLSearchParams(typeof init?.body === "string" ? init.body : ""),
    };
    calls.push(call);
    const answer = answers[calls.length - 1];
    if (!answer) throw new Error(`unexpected Stripe call ${calls.length}`);
    return answer(call);
  });
  return calls;
}

const succeeded = (call: StripeCall) =>
  Response.json({
    id: "pi_fault_1",
    object: "payment_intent",
    status: "succeeded",
    amount: Number(call.form.get("amount")),
    currency: call.form.get("currency"),
    metadata: {
      paymentId: call.form.get("metadata[paymentId]"),
      accountId: call.form.get("metadata[accountId]"),
    },
  });

function stripeEvent(id: string, paymentId: string, accountId: string, amountMinor: number) {
  return JSON.stringify({
    id,
    object: "event",
    type: "payment_intent.succeeded",
    created: Math.floor(Date.now() / 1000),
    data: {
      object: {
        id: "pi_fault_1",
        object: "payment_intent",
        status: "succeeded",
        amount: amountMinor,
        currency: "eur",
        metadata: { paymentId, accountId },
      },
    },
  });
}

describe("Stripe gateway faults, end to end", () => {
  afterEach(() => vi.unstubAllGlobals());

  it("a timeout is retried with the same idempotency key, and the credit is posted once despite two confirmations", async () => {
    const acct = await newAccount();
    // The SDK retries once itself (same key); both fail, so the ledger's own retry is next.
    const lost = () => Promise.reject(new TypeError("Network connection lost."));
    const calls = stubStripe([lost, lost, succeeded]);
    const res = await topUp(
      acct.id,
      acct.adminKey,
      { amount: "25.00", paymentMethod: "pm_card_visa" },
      "fault-1",
    );
    expect(res.status).toBe(202);
    await settleLedger(acct.id);
    expect((await credit(acct.id)).balance).toBe("0.00");
    // The retry is scheduled with backoff; run the alarm once it is due.
    await new Promise((resolve) => setTimeout(resolve, 5_200));
    await settleLedger(acct.id);
    expect(calls).toHaveLength(3);
    expect(new Set(calls.map((c) => c.idempotencyKey))).toEqual(new Set([res.body.id]));
    expect(calls[0]!.form.get("amount")).toBe("2500");
    expect((await credit(acct.id)).balance).toBe("25.00");

    // Stripe's webhook arrives too, twice (a redelivery): nothing more is credited.
    for (const eventId of ["evt_fault_1", "evt_fault_1", "evt_fault_2"]) {
      const body = stripeEvent(eventId, res.body.id, acct.id, 2500);
      const hook = await api("POST", "/v1/webhooks/payments", {
        token: null,
        rawBody: body,
        headers: {
          "Stripe-Signature": await signWebhook(
            env.PAYMENT_WEBHOOK_SECRET,
            body,
            Date.now() / 1000,
          ),
        },
      });
      expect(hook.status).toBe(200);
      expect(hook.body.applied).toBe(false);
    }
    expect(await topUpMovements(acct.id)).toHaveLength(1);
    expect((await credit(acct.id)).balance).toBe("25.00");
  }, 30_000);
});
