import { evictDurableObject, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env, exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { AUTHENTICATION_ABANDONED_REASON } from "../../src/ledger/top-ups";
import { SANDBOX_AUTHENTICATION_FAILED_MESSAGE } from "../../src/payments/sandbox";
import { REQUIRES_ACTION_REASON } from "../../src/payments/stripe-event";
import { adjust, api, ledger, newAccount, type TestAccount } from "../helpers";
import {
  credit,
  mailTo,
  paymentsOf,
  postSignedWebhook,
  settleLedger,
  topUp,
  topUpMovements,
} from "../top-ups/helpers";

/** A browser's request to a page of the Worker: a form post or a plain GET, no redirect followed. */
async function browse(url: string, form?: Record<string, string>) {
  const target = new URL(url, "http://credit.test");
  const response = await exports.default.fetch(
    new Request(`http://credit.test${target.pathname}${target.search}`, {
      method: form ? "POST" : "GET",
      redirect: "manual",
      ...(form ? { body: new URLSearchParams(form) } : {}),
    }),
  );
  return {
    status: response.status,
    location: response.headers.get("Location"),
    text: await response.text(),
  };
}

/** What an admin does: ask for the hosted page, choose a test card there, come back. */
async function saveCard(acct: TestAccount, testCard: string) {
  const setup = await api("POST", `/v1/accounts/${acct.id}/payment-method/setup`, {
    token: acct.adminKey,
  });
  expect(setup.status).toBe(201);
  const page = await browse(setup.body.url);
  expect(page.status).toBe(200);
  expect(page.text).toContain(testCard);
  const saved = await browse(setup.body.url, {
    paymentMethod: testCard,
    return: "http://localhost:8787/billing",
  });
  expect(saved.status).toBe(303);
  expect(saved.location).toBe("http://localhost:8787/billing?card=saved#card");
}

const paymentMethod = (acct: TestAccount) =>
  api("GET", `/v1/accounts/${acct.id}/payment-method`, { token: acct.adminKey });

function configureAutoTopUp(acct: TestAccount, body: Record<string, unknown>) {
  return api("PUT", `/v1/accounts/${acct.id}/auto-top-up`, { token: acct.adminKey, body });
}

function devEvent(acct: TestAccount, topUpId: string, what: string, body: unknown = {}) {
  return api("POST", `/dev/payments/${acct.id}/${topUpId}/${what}`, { body });
}

async function succeededTopUp(acct: TestAccount, amount: string) {
  const res = await topUp(acct.id, acct.adminKey, { amount }, crypto.randomUUID());
  expect(res.status).toBe(202);
  await settleLedger(acct.id);
  return res.body.id as string;
}

describe("a card on file (sandbox, end to end)", () => {
  it("is saved on the hosted page, shown as brand/last 4/expiry, replaced and removed", async () => {
    const acct = await newAccount();
    // A new development account has the sandbox's test Visa on file.
    expect((await paymentMethod(acct)).body).toMatchObject({ brand: "visa", last4: "4242" });

    await saveCard(acct, "pm_card_expiresNextMonth");
    const now = new Date();
    const card = await paymentMethod(acct);
    expect(card.status).toBe(200);
    expect(card.body).toEqual({
      brand: "mastercard",
      last4: "4444",
      expMonth: now.getUTCMonth() + 1,
      expYear: now.getUTCFullYear(),
      savedAt: expect.any(String),
    });
    expect((await credit(acct.id)).paymentMethod).toEqual(card.body);

    await saveCard(acct, "pm_card_visa");
    expect((await paymentMethod(acct)).body).toMatchObject({ brand: "visa", last4: "4242" });
    // The replaced card is detached by the alarm (the sandbox's detach always succeeds).
    await settleLedger(acct.id);
    const queue = await runInDurableObject(ledger(acct.id), (_i, state) =>
      state.storage.sql
        .exec<{ value: string }>("SELECT value FROM settings WHERE key = 'cards_to_detach'")
        .toArray(),
    );
    expect(queue.map((r) => JSON.parse(r.value))).toEqual([[]]);

    const removed = await api("DELETE", `/v1/accounts/${acct.id}/payment-method`, {
      token: acct.adminKey,
    });
    expect(removed.status).toBe(204);
    const none = await paymentMethod(acct);
    expect(none.status).toBe(404);
    expect(none.body.error.code).toBe("payment_method_not_found");
    expect((await credit(acct.id)).paymentMethod).toBeNull();
  });

  it("without a card, auto top-up says it cannot run and does not try", async () => {
    const acct = await newAccount({ credit: "1.00" });
    await api("DELETE", `/v1/accounts/${acct.id}/payment-method`, { token: acct.adminKey });
    const set = await configureAutoTopUp(acct, {
      enabled: true,
      threshold: "5.00",
      amount: "20.00",
    });
    expect(set.status).toBe(200);
    expect(await paymentsOf(acct.id)).toEqual([]);
    const view = await credit(acct.id);
    expect(view.alerts.map((a: { code: string }) => a.code)).toContain("auto_top_up_no_card");
    // A one-time top-up without a card names the missing field.
    const one = await topUp(acct.id, acct.adminKey, { amount: "10.00" }, "no-card");
    expect(one.status).toBe(400);
    expect(one.body.error.details[0].field).toBe("paymentMethod");
    // Saving a card lets the waiting auto top-up run.
    await saveCard(acct, "pm_card_visa");
    await settleLedger(acct.id);
    expect((await credit(acct.id)).balance).toBe("21.00");
  });

  it("a card expiring before the next auto top-up gets one email and a status line", async () => {
    const acct = await newAccount({ credit: "50.00" });
    await saveCard(acct, "pm_card_expiresNextMonth");
    await configureAutoTopUp(acct, { enabled: true, threshold: "5.00", amount: "20.00" });
    await configureAutoTopUp(acct, { enabled: true, threshold: "6.00", amount: "20.00" });
    await settleLedger(acct.id);
    const alerts = (await credit(acct.id)).alerts;
    expect(alerts).toContainEqual({
      code: "card_expiring",
      message: expect.stringContaining("Mastercard ending 4444"),
    });
    const mails = (await mailTo(acct.id)).filter((m) => m.subject === "Your card expires soon");
    expect(mails).toHaveLength(1);
    expect(mails[0]?.text).toContain("http://localhost:8787/billing#card");
  });
});

describe("one-time top-up with the bank's authentication (sandbox)", () => {
  it("answers requires_action with the challenge page; approved, the credit arrives once", async () => {
    const acct = await newAccount({ credit: "1.00" });
    const res = await topUp(
      acct.id,
      acct.adminKey,
      { amount: "25.00", paymentMethod: "pm_card_authenticationRequired" },
      "3ds-ok",
    );
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({
      status: "requires_action",
      nextAction: { url: `http://localhost:8787/sandbox/authenticate/pi_sandbox_${res.body.id}` },
    });
    // The same request again is the same top-up, still waiting.
    const again = await topUp(
      acct.id,
      acct.adminKey,
      { amount: "25.00", paymentMethod: "pm_card_authenticationRequired" },
      "3ds-ok",
    );
    expect(again.body).toMatchObject({ id: res.body.id, status: "requires_action" });

    const challenge = await browse(res.body.nextAction.url);
    expect(challenge.text).toContain("EUR 25.00");
    const approved = await browse(res.body.nextAction.url, { outcome: "approve" });
    expect(approved.location).toBe(
      `http://localhost:8787/payments/return/${acct.id}/${res.body.id}`,
    );
    // The webhook came first (the challenge sends it); the return reconciles and adds nothing.
    const back = await browse(approved.location as string);
    expect(back.location).toBe(`/billing?topUp=${res.body.id}#add-credit`);
    await browse(approved.location as string);
    await settleLedger(acct.id);
    const status = await api("GET", `/v1/accounts/${acct.id}/top-ups/${res.body.id}`, {
      token: acct.adminKey,
    });
    expect(status.body).toMatchObject({ status: "succeeded" });
    expect(status.body.nextAction).toBeUndefined();
    expect((await credit(acct.id)).balance).toBe("26.00");
    expect(await topUpMovements(acct.id)).toHaveLength(1);
  });

  it("a failed authentication ends failed with its reason and credits nothing", async () => {
    const acct = await newAccount();
    const res = await topUp(
      acct.id,
      acct.adminKey,
      { amount: "25.00", paymentMethod: "pm_card_authenticationRequired" },
      "3ds-fail",
    );
    await browse(res.body.nextAction.url, { outcome: "fail" });
    await browse(`/payments/return/${acct.id}/${res.body.id}`);
    const status = await api("GET", `/v1/accounts/${acct.id}/top-ups/${res.body.id}`);
    expect(status.body).toMatchObject({
      status: "failed",
      failureReason: SANDBOX_AUTHENTICATION_FAILED_MESSAGE,
    });
    expect((await credit(acct.id)).balance).toBe("0.00");
  });

  it("an abandoned authentication is cancelled after the named wait and ends failed", async () => {
    const acct = await newAccount();
    const res = await topUp(
      acct.id,
      acct.adminKey,
      { amount: "25.00", paymentMethod: "pm_card_authenticationRequired" },
      "3ds-abandoned",
    );
    // As if PAYMENT_AUTHENTICATION_WAIT_MS had passed: the stored schedule moves, not the clock.
    await runInDurableObject(ledger(acct.id), (_i, state) => {
      state.storage.sql.exec(
        "UPDATE payments SET created_at_ms = created_at_ms - 3600000, next_attempt_at_ms = 1",
      );
    });
    await evictDurableObject(ledger(acct.id));
    await runDurableObjectAlarm(ledger(acct.id));
    const status = await api("GET", `/v1/accounts/${acct.id}/top-ups/${res.body.id}`);
    expect(status.body).toMatchObject({
      status: "failed",
      failureReason: AUTHENTICATION_ABANDONED_REASON,
    });
    // Cancelled at the gateway: the challenge page no longer offers to complete it.
    expect((await browse(res.body.nextAction.url)).text).toContain("no longer waiting (canceled)");
    expect((await credit(acct.id)).balance).toBe("0.00");
  });

  it("an auto top-up the bank refuses without the cardholder fails with a message and an email link", async () => {
    const acct = await newAccount({ credit: "10.00" });
    await saveCard(acct, "pm_card_authenticationRequired");
    await configureAutoTopUp(acct, { enabled: true, threshold: "5.00", amount: "20.00" });
    await adjust(acct.id, "-6.00", "spend");
    await settleLedger(acct.id);
    const view = await credit(acct.id);
    expect(view.balance).toBe("4.00");
    expect(view.autoTopUp).toMatchObject({ consecutiveFailures: 1 });
    expect(view.autoTopUp.status.message).toContain(REQUIRES_ACTION_REASON);
    const [mail] = (await mailTo(acct.id)).filter((m) => m.subject.includes("confirm"));
    expect(mail?.text).toContain("http://localhost:8787/billing#add-credit");
    expect(mail?.html).toContain('href="http://localhost:8787/billing#add-credit"');
  });
});

describe("refunds, disputes and fraud warnings of a top-up (sandbox dev routes)", () => {
  it("a refund reverses the credit with its own adjustment, once per event, partial then full", async () => {
    const acct = await newAccount();
    const topUpId = await succeededTopUp(acct, "25.00");
    const partial = await devEvent(acct, topUpId, "refund", { amount: "10.00" });
    expect(partial.body).toMatchObject({ applied: true });
    const replay = await devEvent(acct, topUpId, "refund", { amount: "10.00" });
    expect(replay.body).toMatchObject({ applied: false, why: "duplicate_event" });
    expect((await credit(acct.id)).balance).toBe("15.00");
    // The full refund's event carries 25.00 refunded in all: 15.00 more is reversed.
    expect((await devEvent(acct, topUpId, "refund")).body).toMatchObject({ applied: true });
    expect((await credit(acct.id)).balance).toBe("0.00");
    const list = await api("GET", `/v1/accounts/${acct.id}/movements`);
    const adjustments = list.body.movements.filter(
      (m: { description: string }) => m.description === "adjustment",
    );
    expect(adjustments.map((m: { amount: string }) => m.amount)).toEqual(["-10.00", "-15.00"]);
    expect(adjustments[0].reason).toMatch(
      new RegExp(`^refund of top-up ${topUpId} \\(gateway event evt_sandbox_`),
    );
    expect(adjustments[0].interactionId).toBe(topUpId);
    await settleLedger(acct.id);
    expect((await mailTo(acct.id)).filter((m) => m.subject === "Credit taken back")).toHaveLength(
      2,
    );
  });

  it("a dispute takes the credit back even below zero; won, it is given back once", async () => {
    const acct = await newAccount();
    const topUpId = await succeededTopUp(acct, "25.00");
    await adjust(acct.id, "-20.00", "spend");
    const opened = await devEvent(acct, topUpId, "dispute", { status: "needs_response" });
    expect(opened.body).toMatchObject({ applied: true });
    const view = await credit(acct.id);
    expect(view.balance).toBe("-20.00");
    expect(view.state).toBe("exhausted");
    expect((await devEvent(acct, topUpId, "dispute", { status: "won" })).body).toMatchObject({
      applied: true,
    });
    expect((await devEvent(acct, topUpId, "dispute", { status: "won" })).body).toMatchObject({
      applied: false,
    });
    expect((await credit(acct.id)).balance).toBe("5.00");
    const audit = await ledger(acct.id).audit();
    expect(audit.movementSumMicros).toBe(audit.balanceMicros);
  });

  it("a fraud warning stops auto top-up charging that card until the admin acts", async () => {
    const acct = await newAccount();
    const topUpId = await succeededTopUp(acct, "25.00");
    expect((await devEvent(acct, topUpId, "fraud-warning")).body).toMatchObject({ applied: true });
    await configureAutoTopUp(acct, { enabled: true, threshold: "5.00", amount: "20.00" });
    // Saving the settings is the admin acting; the hold is lifted.
    expect((await credit(acct.id)).alerts.map((a: { code: string }) => a.code)).not.toContain(
      "card_held",
    );
    expect((await devEvent(acct, topUpId, "fraud-warning")).body).toMatchObject({
      applied: false,
      why: "duplicate_event",
    });
  });

  it("a fraud warning while auto top-up is on shows the hold and starts no payment", async () => {
    const acct = await newAccount();
    const topUpId = await succeededTopUp(acct, "25.00");
    await configureAutoTopUp(acct, { enabled: true, threshold: "5.00", amount: "20.00" });
    await devEvent(acct, topUpId, "fraud-warning");
    await adjust(acct.id, "-22.00", "spend");
    expect((await paymentsOf(acct.id)).filter((p) => p.kind === "auto")).toEqual([]);
    expect((await credit(acct.id)).alerts.map((a: { code: string }) => a.code)).toContain(
      "card_held",
    );
  });
});

describe("the webhook route and genuine events it does not need", () => {
  it("answers 2xx to a genuine event of another type, and 400 to a forged one", async () => {
    const body = JSON.stringify({
      id: "evt_invoice_1",
      object: "event",
      type: "invoice.paid",
      created: Math.floor(Date.now() / 1000),
      data: { object: { id: "in_1", object: "invoice" } },
    });
    const res = await postSignedWebhook(body);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ received: true, applied: false, why: "ignored_event_type" });
    const forged = await api("POST", "/v1/webhooks/payments", {
      token: null,
      rawBody: body,
      headers: { "Stripe-Signature": "t=1,v1=00" },
    });
    expect(forged.status).toBe(400);
    expect(env.PAYMENT_GATEWAY).toBe("sandbox");
  });
});
