import { describe, expect, it } from "vitest";
import {
  CREDIT_EXHAUSTED_MESSAGE,
  CREDIT_EXHAUSTED_TITLE,
  CREDIT_LOW_MESSAGE,
  CREDIT_LOW_TITLE,
} from "../../src/notify/messages";
import { adjust, api, newAccount } from "../helpers";
import { settleLedger } from "../top-ups/helpers";
import { browse, signIn, visibleText } from "./helpers";

describe("the Billing page", () => {
  it("shows the balance, available and reserved credit and every section the help centre names", async () => {
    const acct = await newAccount({ credit: "42.00" });
    const { page } = await signIn(acct);
    const text = visibleText(page.text);
    expect(text).toContain("Current balance EUR 42.00");
    expect(text).toContain("Available EUR 42.00");
    expect(text).toContain("Reserved for calls in progress EUR 0.00");
    for (const heading of [
      "Credit",
      "Add credit",
      "Auto top-up",
      "Usage & overages",
      "Daily spend",
      "Latest movements",
      "Export credit movements",
    ]) {
      expect(page.text).toMatch(
        new RegExp(`<h2 id="[a-z-]+">${heading.replace("&", "&amp;")}</h2>`),
      );
    }
    expect(text).toContain("Pay now");
    expect(text).toContain("Save and turn on");
    // Every input and select is labelled.
    for (const [, id] of page.text.matchAll(/<(?:input|select) id="([^"]+)"/g))
      expect(page.text).toContain(`<label for="${id}">`);
  });

  it("shows the running-low alert in the help centre's words, with what to do", async () => {
    const acct = await newAccount({ credit: "5.00" });
    await api("PUT", `/v1/accounts/${acct.id}/alerts`, {
      token: acct.adminKey,
      body: { lowBalanceLevel: "10.00" },
    });
    const { page } = await signIn(acct);
    const text = visibleText(page.text);
    expect(text).toContain(CREDIT_LOW_TITLE);
    expect(text).toContain(CREDIT_LOW_MESSAGE);
    expect(page.text).toContain('href="#add-credit"');
    expect(page.text).toContain('href="#auto-top-up"');
  });

  it("shows the run-out alert as an alert, with how to restore calling and prevent it", async () => {
    const acct = await newAccount({ credit: "1.00" });
    await adjust(acct.id, "-1.00", `zero-${acct.id}`);
    const { page } = await signIn(acct);
    const text = visibleText(page.text);
    expect(page.text).toMatch(
      /<div class="banner banner-danger" role="alert" data-alert="credit_exhausted">/,
    );
    expect(text).toContain(CREDIT_EXHAUSTED_TITLE);
    expect(text).toContain(CREDIT_EXHAUSTED_MESSAGE);
    expect(text).toContain("Restore calling quickly: add credit with a one-time top-up");
    expect(text).toContain("your threshold may be too low or a payment may have failed");
  });

  it("adds credit through the public API: pending first, then the new balance", async () => {
    const acct = await newAccount({ credit: "10.00" });
    const { jar, csrf, page } = await signIn(acct);
    const key = /name="idempotencyKey" value="([^"]+)"/.exec(page.text)?.[1] as string;
    const sent = await browse(jar, "POST", "/billing/top-ups", {
      csrf,
      idempotencyKey: key,
      amount: "25.00",
      paymentMethod: "pm_card_visa",
    });
    expect(sent.status).toBe(303);
    const topUpId = /topUp=([^#&]+)/.exec(sent.location ?? "")?.[1] as string;
    expect(topUpId).toMatch(/^top_/);
    // A double submit of the same form is the same payment.
    const again = await browse(jar, "POST", "/billing/top-ups", {
      csrf,
      idempotencyKey: key,
      amount: "25.00",
      paymentMethod: "pm_card_visa",
    });
    expect(again.location).toBe(sent.location);

    const pending = await browse(jar, "GET", `/billing?topUp=${topUpId}`);
    expect(visibleText(pending.text)).toContain("Payment of EUR 25.00 is being processed.");
    expect(pending.text).toContain(`data-poll-url="/billing/top-ups/${topUpId}/status"`);
    expect(
      JSON.parse((await browse(jar, "GET", `/billing/top-ups/${topUpId}/status`)).text),
    ).toEqual({ status: "pending", settled: false });

    await settleLedger(acct.id);
    expect(
      JSON.parse((await browse(jar, "GET", `/billing/top-ups/${topUpId}/status`)).text),
    ).toEqual({ status: "succeeded", settled: true });
    const done = visibleText((await browse(jar, "GET", `/billing?topUp=${topUpId}`)).text);
    expect(done).toContain("Payment of EUR 25.00 succeeded. Your balance is now EUR 35.00.");
    expect(done).toContain("Current balance EUR 35.00");
  });

  it("a declined card shows the gateway's reason and adds nothing", async () => {
    const acct = await newAccount({ credit: "10.00" });
    const { jar, csrf } = await signIn(acct);
    const sent = await browse(jar, "POST", "/billing/top-ups", {
      csrf,
      idempotencyKey: crypto.randomUUID(),
      amount: "15.00",
      paymentMethod: "pm_card_chargeDeclined",
    });
    await settleLedger(acct.id);
    const page = await browse(jar, "GET", sent.location as string);
    expect(page.text).toMatch(/class="outcome outcome-error" role="alert"/);
    expect(visibleText(page.text)).toContain(
      "Payment of EUR 15.00 failed: Your card was declined. No credit was added.",
    );
    expect(visibleText(page.text)).toContain("Current balance EUR 10.00");
  });

  it("shows the API's refusal next to the field it names, keeping what was typed", async () => {
    const acct = await newAccount();
    const { jar, csrf } = await signIn(acct);
    const res = await browse(jar, "POST", "/billing/top-ups", {
      csrf,
      idempotencyKey: crypto.randomUUID(),
      amount: "12.345",
      paymentMethod: "pm_card_visa",
    });
    expect(res.status).toBe(400);
    expect(res.text).toContain('<p class="field-error" id="top-up-amount-error">');
    expect(res.text).toMatch(/id="top-up-amount" name="amount" type="text" value="12.345"/);
    expect(res.text).toContain('aria-describedby="top-up-amount-error"');
    expect(visibleText(res.text)).toContain("multiple of EUR 0.01");
  });

  it("turns auto top-up on and off, showing its status", async () => {
    const acct = await newAccount({ credit: "100.00" });
    const { jar, csrf, page } = await signIn(acct);
    expect(visibleText(page.text)).toContain("Auto top-up is off.");
    const on = await browse(jar, "POST", "/billing/auto-top-up", {
      csrf,
      enabled: "on",
      amount: "50.00",
      threshold: "20.00",
      paymentMethod: "pm_card_visa",
    });
    expect(on.status).toBe(303);
    expect(on.location).toBe("/billing?notice=auto-top-up-saved#auto-top-up");
    const saved = visibleText((await browse(jar, "GET", on.location as string)).text);
    expect(saved).toContain("Auto top-up settings saved.");
    expect(saved).toContain(
      "Auto top-up is on. When your balance falls below EUR 20.00, we add EUR 50.00",
    );
    expect(saved).toContain("Turn off auto top-up");
    expect(
      (await api("GET", `/v1/accounts/${acct.id}/credit`, { token: acct.adminKey })).body.autoTopUp,
    ).toMatchObject({ enabled: true, threshold: "20.00", amount: "50.00" });

    const off = await browse(jar, "POST", "/billing/auto-top-up", {
      csrf,
      enabled: "off",
      amount: "50.00",
      threshold: "20.00",
      paymentMethod: "pm_card_visa",
    });
    expect(off.location).toBe("/billing?notice=auto-top-up-off#auto-top-up");
    expect(
      (await api("GET", `/v1/accounts/${acct.id}/credit`, { token: acct.adminKey })).body.autoTopUp
        .enabled,
    ).toBe(false);
  });

  it("exports credit movements: processing with the help centre's message, the same export on a second click", async () => {
    const acct = await newAccount({ credit: "5.00" });
    const { jar, csrf } = await signIn(acct);
    const first = await browse(jar, "POST", "/billing/exports", { csrf });
    expect(first.status).toBe(303);
    expect(first.location).toBe("/billing#export");
    const exportId = jar.cookies.get("__Host-billing_export") as string;
    expect(exportId).toMatch(/^exp_/);
    await browse(jar, "POST", "/billing/exports", { csrf });
    expect(jar.cookies.get("__Host-billing_export")).toBe(exportId);
    const page = await browse(jar, "GET", "/billing");
    expect(page.text).toContain('data-state="processing"');
    expect(visibleText(page.text)).toContain("Your export is being processed.");
    expect(
      JSON.parse((await browse(jar, "GET", `/billing/exports/${exportId}/status`)).text),
    ).toEqual({ status: "processing", settled: false });
  });

  it("charts 30 days of spend as SVG and lists the latest movements", async () => {
    const acct = await newAccount({ credit: "20.00" });
    await adjust(acct.id, "-2.50", `a-${acct.id}`, "correction");
    const { page } = await signIn(acct);
    expect(page.text).toMatch(
      /<svg viewBox="0 0 720 240" width="100%" role="img" aria-labelledby="spend-chart-title spend-chart-desc"/,
    );
    expect(page.text.match(/<g class="chart-bar">/g)).toHaveLength(30);
    expect(visibleText(page.text)).toContain("Show daily spend as a table");
    const movements = /<table class="movements">([\s\S]*?)<\/table>/.exec(page.text)?.[1] ?? "";
    expect(movements.match(/<tr>/g)).toHaveLength(3);
    expect(visibleText(movements)).toContain("correction");
    expect(visibleText(movements)).toMatch(/EUR -2\.50 EUR 17\.50/);
  });

  it("shows usage & overages for the month from the usage route", async () => {
    const acct = await newAccount();
    const { jar } = await signIn(acct);
    const page = visibleText((await browse(jar, "GET", "/billing?month=2026-01")).text);
    expect(page).toContain("Usage & overages");
    expect(page).toContain("Charged from credit this month EUR 0.00");
    expect(page).toContain("Included allowances");
    expect(page).toContain("Conversation Intelligence");
  });
});
