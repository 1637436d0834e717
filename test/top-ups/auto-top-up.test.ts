import { createScheduledController } from "cloudflare:test";
import { env } from "cloudflare:workers";
import worker from "../../src/index";
import { describe, expect, it } from "vitest";
import { adjust, api, newAccount } from "../helpers";
import {
  credit,
  elapseAutoTopUpBackoff,
  mailTo,
  paymentsOf,
  settleLedger,
  topUpMovements,
} from "./helpers";

function configure(accountId: string, token: string, body: Record<string, unknown>) {
  return api("PUT", `/v1/accounts/${accountId}/auto-top-up`, { token, body });
}

describe("auto top-up", () => {
  it("fires exactly once when 200 concurrent debits cross the threshold", async () => {
    const acct = await newAccount({ credit: "10.00" });
    const set = await configure(acct.id, acct.adminKey, {
      enabled: true,
      threshold: "5.00",
      amount: "20.00",
    });
    expect(set.status).toBe(200);
    expect(set.body).toMatchObject({
      enabled: true,
      threshold: "5.00",
      amount: "20.00",
      // None named: the card on file (the sandbox's test Visa) is charged.
      paymentMethod: null,
      inProgress: null,
    });
    const debits = await Promise.all(
      Array.from({ length: 200 }, (_, i) => adjust(acct.id, "-0.05", `debit-${i}`)),
    );
    expect(debits.every((d) => d.status === 201)).toBe(true);
    const payments = await paymentsOf(acct.id);
    expect(payments).toHaveLength(1);
    expect(payments[0]).toMatchObject({
      kind: "auto",
      status: "pending",
      amount_micros: 20_000_000,
    });
    await settleLedger(acct.id);
    expect((await credit(acct.id)).balance).toBe("20.00");
    expect(await topUpMovements(acct.id)).toHaveLength(1);
  });

  it("adds more than the configured amount when that would not lift the credit above the threshold", async () => {
    const acct = await newAccount({ credit: "1.00" });
    await adjust(acct.id, "-31.00", "big-charge");
    await configure(acct.id, acct.adminKey, { enabled: true, threshold: "10.00", amount: "5.00" });
    const [payment] = await paymentsOf(acct.id);
    // Balance −30.00; 5.00 would leave it at −25.00, so the top-up is 40.01 (whole cents).
    expect(payment?.amount_micros).toBe(40_010_000);
  });

  it("a failed auto top-up backs off, says so once, and after three failures switches itself off", async () => {
    const acct = await newAccount({ credit: "10.00" });
    await configure(acct.id, acct.adminKey, {
      enabled: true,
      threshold: "5.00",
      amount: "20.00",
      paymentMethod: "pm_card_chargeDeclined",
    });
    await adjust(acct.id, "-6.00", "cross");
    await settleLedger(acct.id);

    let view = await credit(acct.id);
    expect(view.autoTopUp).toMatchObject({
      enabled: true,
      consecutiveFailures: 1,
      inProgress: null,
    });
    expect(view.autoTopUp.status.code).toBe("auto_top_up_failed");
    expect(view.alerts.map((a: any) => a.code)).toContain("auto_top_up_failed");

    // More debits while backing off start nothing: the card is not hammered.
    for (let i = 0; i < 5; i++) await adjust(acct.id, "-0.10", `more-${i}`);
    expect(await paymentsOf(acct.id)).toHaveLength(1);

    await elapseAutoTopUpBackoff(acct.id);
    await adjust(acct.id, "-0.10", "after-backoff-1");
    await settleLedger(acct.id);
    await elapseAutoTopUpBackoff(acct.id);
    await adjust(acct.id, "-0.10", "after-backoff-2");
    await settleLedger(acct.id);

    view = await credit(acct.id);
    expect(await paymentsOf(acct.id)).toHaveLength(3);
    expect(view.autoTopUp).toMatchObject({ enabled: false, consecutiveFailures: 3 });
    expect(view.autoTopUp.status.code).toBe("auto_top_up_disabled");

    const mail = await mailTo(acct.id);
    expect(mail.filter((m) => m.subject === "Your auto top-up payment failed")).toHaveLength(1);
    expect(mail.filter((m) => m.subject === "Auto top-up has been turned off")).toHaveLength(1);
    expect((await credit(acct.id)).balance).toBe("3.30");
  });

  it("the cron sweep catches a missed threshold and, run twice, makes one payment", async () => {
    const acct = await newAccount({ credit: "10.00" });
    await configure(acct.id, acct.adminKey, {
      enabled: true,
      threshold: "5.00",
      amount: "20.00",
      paymentMethod: "pm_card_chargeDeclined",
    });
    await adjust(acct.id, "-6.00", "cross");
    await settleLedger(acct.id);
    expect(await paymentsOf(acct.id)).toHaveLength(1);
    // The backoff ends with no debit to notice it: only the sweep looks again.
    await elapseAutoTopUpBackoff(acct.id);
    const run = () =>
      worker.scheduled(
        createScheduledController({ scheduledTime: Date.now(), cron: "*/5 * * * *" }),
        env,
      );
    await run();
    await run();
    expect(await paymentsOf(acct.id)).toHaveLength(2);
  });

  it("validates its input", async () => {
    const acct = await newAccount();
    const bad = await configure(acct.id, acct.adminKey, {
      enabled: "yes",
      threshold: "5.00",
      amount: "0.00",
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details.map((d: any) => d.field)).toEqual(
      expect.arrayContaining(["enabled", "amount"]),
    );
    expect(
      (
        await configure(acct.id, acct.agentKey, {
          enabled: true,
          threshold: "5.00",
          amount: "20.00",
        })
      ).status,
    ).toBe(403);
  });
});

describe("credit alerts", () => {
  it("are sent once per transition, not once per charge, and restored credit clears them", async () => {
    const acct = await newAccount({ credit: "10.00" });
    const set = await api("PUT", `/v1/accounts/${acct.id}/alerts`, {
      token: acct.adminKey,
      body: { lowBalanceLevel: "5.00" },
    });
    expect(set.status).toBe(200);
    for (let i = 0; i < 4; i++) await adjust(acct.id, "-2.00", `spend-${i}`);
    let view = await credit(acct.id);
    expect(view).toMatchObject({ balance: "2.00", state: "low" });
    expect(view.alerts[0].message).toMatch(/^Your credit is running low\./);
    for (let i = 0; i < 3; i++) await adjust(acct.id, "-1.00", `drain-${i}`);
    view = await credit(acct.id);
    expect(view).toMatchObject({ balance: "-1.00", state: "exhausted" });
    await settleLedger(acct.id);
    const mail = await mailTo(acct.id);
    expect(mail.filter((m) => m.subject === "Your credit is running low")).toHaveLength(1);
    expect(mail.filter((m) => m.subject === "Your credit has run out")).toHaveLength(1);

    expect((await adjust(acct.id, "20.00", "support-credit")).status).toBe(201);
    expect(await credit(acct.id)).toMatchObject({ state: "ok", alerts: [] });
  });

  it("the low level follows the auto top-up threshold unless the admin sets one", async () => {
    const acct = await newAccount({ credit: "10.00" });
    await api("PUT", `/v1/accounts/${acct.id}/auto-top-up`, {
      token: acct.adminKey,
      body: { enabled: false, threshold: "50.00", amount: "20.00" },
    });
    expect((await credit(acct.id)).lowBalanceLevel).toBe("0.00");
    await api("PUT", `/v1/accounts/${acct.id}/auto-top-up`, {
      token: acct.adminKey,
      body: {
        enabled: true,
        threshold: "50.00",
        amount: "100.00",
        paymentMethod: "pm_card_visa_delayed",
      },
    });
    expect((await credit(acct.id)).lowBalanceLevel).toBe("50.00");
    const own = await api("PUT", `/v1/accounts/${acct.id}/alerts`, {
      token: acct.adminKey,
      body: { lowBalanceLevel: "3.00" },
    });
    expect(own.body.lowBalanceLevel).toBe("3.00");
  });
});
