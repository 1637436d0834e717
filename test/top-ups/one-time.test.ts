import { describe, expect, it } from "vitest";
import { signWebhook } from "../../src/payments/webhook-signature";
import { api, newAccount } from "../helpers";
import { credit, paymentIntent, settleLedger, stripeEvent, topUp, topUpMovements } from "./helpers";

const SECRET = "whsec_dev_sandbox";

async function postWebhook(body: string, signature: string) {
  return api("POST", "/v1/webhooks/payments", {
    token: null,
    rawBody: body,
    headers: { "Stripe-Signature": signature },
  });
}

describe("one-time top-up", () => {
  it("is pending at once, and credits the balance exactly once when the payment succeeds", async () => {
    const acct = await newAccount({ credit: "1.00" });
    const res = await topUp(acct.id, acct.adminKey, { amount: "25.00" }, "t1");
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({
      status: "pending",
      amount: "25.00",
      paymentMethod: "pm_card_visa",
    });
    // The gateway is called by the ledger's alarm; its webhook arrives after that.
    await settleLedger(acct.id);
    const status = await api("GET", `/v1/accounts/${acct.id}/top-ups/${res.body.id}`, {
      token: acct.adminKey,
    });
    expect(status.body).toMatchObject({ status: "succeeded", failureReason: null });
    expect((await credit(acct.id)).balance).toBe("26.00");
    expect(await topUpMovements(acct.id)).toMatchObject([
      { amount: "25.00", interactionId: res.body.id },
    ]);
  });

  it("a declined card fails with its reason and adds nothing", async () => {
    const acct = await newAccount({ credit: "1.00" });
    const res = await topUp(
      acct.id,
      acct.adminKey,
      { amount: "25.00", paymentMethod: "pm_card_chargeDeclined" },
      "t1",
    );
    expect(res.status).toBe(202);
    await settleLedger(acct.id);
    const status = await api("GET", `/v1/accounts/${acct.id}/top-ups/${res.body.id}`, {
      token: acct.adminKey,
    });
    expect(status.body).toMatchObject({
      status: "failed",
      failureReason: "Your card was declined.",
    });
    expect((await credit(acct.id)).balance).toBe("1.00");
  });

  it("a late confirmation stays pending until the gateway's webhook arrives", async () => {
    const acct = await newAccount();
    const res = await topUp(
      acct.id,
      acct.adminKey,
      { amount: "10.00", paymentMethod: "pm_card_visa_delayed" },
      "late",
    );
    await settleLedger(acct.id);
    expect((await api("GET", `/v1/accounts/${acct.id}/top-ups/${res.body.id}`)).body.status).toBe(
      "pending",
    );
    expect((await credit(acct.id)).balance).toBe("0.00");
    await new Promise((resolve) => setTimeout(resolve, 5_200));
    await settleLedger(acct.id);
    expect((await api("GET", `/v1/accounts/${acct.id}/top-ups/${res.body.id}`)).body.status).toBe(
      "succeeded",
    );
    expect((await credit(acct.id)).balance).toBe("10.00");
  }, 20_000);

  it("is idempotent by key: the same request again is the same top-up; another body is 409", async () => {
    const acct = await newAccount();
    const first = await topUp(acct.id, acct.adminKey, { amount: "5.00" }, "same");
    const again = await topUp(acct.id, acct.adminKey, { amount: "5.00" }, "same");
    expect(again.body.id).toBe(first.body.id);
    expect((await topUp(acct.id, acct.adminKey, { amount: "6.00" }, "same")).status).toBe(409);
    await settleLedger(acct.id);
    expect(await topUpMovements(acct.id)).toHaveLength(1);
  });

  it("refuses amounts a card cannot be charged, and needs an admin key and an Idempotency-Key", async () => {
    const acct = await newAccount();
    const cents = await topUp(acct.id, acct.adminKey, { amount: "5.001" }, "x");
    expect(cents.status).toBe(400);
    expect(cents.body.error.details[0].field).toBe("amount");
    expect((await topUp(acct.id, acct.adminKey, { amount: "-5.00" }, "y")).status).toBe(400);
    expect((await topUp(acct.id, acct.agentKey, { amount: "5.00" }, "z")).status).toBe(403);
    const noKey = await api("POST", `/v1/accounts/${acct.id}/top-ups`, {
      token: acct.adminKey,
      body: { amount: "5.00" },
    });
    expect(noKey.status).toBe(400);
  });
});

describe("payment webhooks", () => {
  async function pendingTopUp() {
    const acct = await newAccount();
    const res = await topUp(
      acct.id,
      acct.adminKey,
      { amount: "10.00", paymentMethod: "pm_card_visa_delayed" },
      "w",
    );
    await settleLedger(acct.id);
    const body = stripeEvent(
      "payment_intent.succeeded",
      paymentIntent({
        id: `pi_sandbox_${res.body.id}`,
        paymentId: res.body.id,
        accountId: acct.id,
        amount: 1000,
      }),
    );
    return { acct, topUpId: res.body.id, body };
  }

  it("a replayed webhook credits once", async () => {
    const { acct, body } = await pendingTopUp();
    const signature = await signWebhook(SECRET, body, Date.now() / 1000);
    const first = await postWebhook(body, signature);
    const replay = await postWebhook(body, signature);
    expect(first.body).toMatchObject({ received: true, applied: true });
    expect(replay.body).toMatchObject({ received: true, applied: false, why: "duplicate_event" });
    expect((await credit(acct.id)).balance).toBe("10.00");
  });

  it("a forged signature or a stale timestamp is 400 and adds nothing", async () => {
    const { acct, body } = await pendingTopUp();
    const forged = await postWebhook(
      body,
      await signWebhook("whsec_attacker", body, Date.now() / 1000),
    );
    expect(forged.status).toBe(400);
    expect(forged.body.error.code).toBe("bad_signature");
    const stale = await postWebhook(
      body,
      await signWebhook(SECRET, body, Date.now() / 1000 - 3600),
    );
    expect(stale.status).toBe(400);
    expect(stale.body.error.code).toBe("stale_timestamp");
    const tampered = await postWebhook(
      body.replace("1000", "9000"),
      await signWebhook(SECRET, body, Date.now() / 1000),
    );
    expect(tampered.status).toBe(400);
    expect((await credit(acct.id)).balance).toBe("0.00");
  });

  it("an event for a payment the ledger never started adds nothing", async () => {
    const acct = await newAccount();
    const body = stripeEvent(
      "payment_intent.succeeded",
      paymentIntent({
        id: "pi_unknown",
        paymentId: "top_neverStartedByUs000",
        accountId: acct.id,
        amount: 5000,
      }),
    );
    const res = await postWebhook(body, await signWebhook(SECRET, body, Date.now() / 1000));
    expect(res.body).toMatchObject({ applied: false, why: "unknown_payment" });
    expect((await credit(acct.id)).balance).toBe("0.00");
  });
});
