// The seeds' last rules through the HTTP API, inside workerd: toll-free outbound, AI
// services billed by invoice, per-user fair-use exceptions and billing details.
import { beforeAll, describe, expect, it } from "vitest";
import { SAMPLE_SERVICE_RATES } from "../../src/rating/sample-decks";
import {
  authorize,
  balanceOf,
  end,
  EU_PLAN,
  movementsOf,
  N,
  reportUsage,
  setPlan,
  uploadSampleDecks,
} from "../calls/helpers";
import { download, pathOf, waitForExport } from "../exports/flow-helpers";
import { adjust, api, d1Sum, drainOutbox, ledger, newAccount, SWITCH } from "../helpers";

beforeAll(uploadSampleDecks);

const quote = (accountId: string, body: Record<string, unknown>) =>
  api("POST", `/v1/accounts/${accountId}/calls/quote`, {
    body: { userId: "user-1", direction: "outbound", ...body },
  });

const usageReport = async (accountId: string) => {
  const res = await api("GET", `/v1/accounts/${accountId}/usage`);
  expect(res.status).toBe(200);
  return res.body;
};

describe("toll-free outbound", () => {
  it("charges a call placed from a toll-free number from credit, although the package covers Germany", async () => {
    const acct = await newAccount({ credit: "5.00" });
    await setPlan(acct.id);
    const auth = await authorize(acct.id, "tfo-1", { from: N.deTollFree, to: N.deFixedBerlin });
    expect(auth.status).toBe(200);
    expect(auth.body).toMatchObject({
      allowed: true,
      billing: "credit",
      chargeReason: "toll_free_outbound",
      explanation: "outbound call from a toll-free number",
      ratePerMinute: "0.01",
    });
    const quoted = await quote(acct.id, {
      from: N.deTollFree,
      to: N.deFixedBerlin,
      durationSeconds: 65,
    });
    const ended = await end(acct.id, "tfo-1", 65);
    expect(ended.body).toMatchObject({ charged: "0.02", billedSeconds: 120, billing: "credit" });
    // The quote, the settlement and the usage report say the same.
    expect(quoted.body).toMatchObject({
      priced: true,
      billing: "credit",
      chargeReason: "toll_free_outbound",
      billedSeconds: 120,
      cost: "0.02",
    });
    const report = await usageReport(acct.id);
    expect(report.spend).toEqual([{ category: "call", charges: 1, units: 120, amount: "0.02" }]);
    expect(report.users).toMatchObject([
      {
        userId: "user-1",
        packageSecondsUsed: 0,
        creditCallBilledSeconds: 120,
        creditCallSpend: "0.02",
      },
    ]);
    const movement = (await movementsOf(acct.id)).find((m) => m.description === "call");
    expect(movement).toMatchObject({ amount: "-0.02" });
    expect(movement.reason).toMatch(/outbound call from a toll-free number/);
    expect((await balanceOf(acct.id)).balance).toBe("4.98");
  });

  it("is refused at zero credit, like every outbound call; the same destination from a standard number is not charged", async () => {
    const acct = await newAccount();
    await setPlan(acct.id);
    const refused = await authorize(acct.id, "tfo-zero", {
      from: N.deTollFree,
      to: N.deFixedBerlin,
    });
    expect(refused.body).toMatchObject({
      allowed: false,
      reason: "credit_exhausted",
      chargeReason: "toll_free_outbound",
    });
    await adjust(acct.id, "1.00", `tfo-${acct.id}`);
    const standard = await authorize(acct.id, "std-1", { from: N.deAccount, to: N.deFixedBerlin });
    expect(standard.body).toMatchObject({ allowed: true, billing: "included" });
    expect((await end(acct.id, "std-1", 65)).body).toMatchObject({ charged: "0.00" });
  });

  it("uses the operator's toll-free-outbound rate when one is set, in the quote as in the charge", async () => {
    const rates = await api("PUT", "/v1/rates/services", {
      body: { ...SAMPLE_SERVICE_RATES, "toll-free-outbound": "0.07" },
    });
    expect(rates.status, JSON.stringify(rates.body)).toBe(200);
    try {
      const acct = await newAccount({ credit: "5.00" });
      await setPlan(acct.id);
      const quoted = await quote(acct.id, {
        from: N.deTollFree,
        to: N.deFixedBerlin,
        durationSeconds: 61,
      });
      expect(quoted.body).toMatchObject({
        cost: "0.14",
        rate: { destination: "toll-free-outbound", ratePerMinute: "0.07" },
      });
      await authorize(acct.id, "tfo-rate", { from: N.deTollFree, to: N.deFixedBerlin });
      expect((await end(acct.id, "tfo-rate", 61)).body).toMatchObject({ charged: "0.14" });
      expect((await usageReport(acct.id)).totalSpend).toBe("0.14");
    } finally {
      await uploadSampleDecks();
    }
  });
});

const INVOICE_PLAN = {
  ...EU_PLAN,
  serviceBilling: { stt: "invoice", "conversation-intelligence": "invoice" },
};

describe("AI services billed by invoice", () => {
  it("records speech-to-text with its would-be amount, debits nothing, and is not refused at zero credit", async () => {
    const acct = await newAccount();
    await setPlan(acct.id, INVOICE_PLAN);
    const body = { service: "stt", seconds: 61, userId: "alice", callId: "call-7" };
    const first = await reportUsage(acct.id, "stt-1", body);
    expect(first.status, JSON.stringify(first.body)).toBe(201);
    expect(first.body).toMatchObject({
      billedBy: "invoice",
      charged: "0.00",
      invoiced: "0.04",
      chargedMinutes: 2,
      movementId: null,
    });
    // The same usage id again: the same answer, one record.
    expect((await reportUsage(acct.id, "stt-1", body)).body).toEqual(first.body);
    // Voice agents stay on credit in this plan: past the 2 included minutes, refused at zero credit.
    const agents = await reportUsage(acct.id, "va-1", { service: "ai-voice-agents", seconds: 180 });
    expect(agents.status).toBe(402);

    expect((await balanceOf(acct.id)).balance).toBe("0.00");
    expect(await movementsOf(acct.id)).toEqual([]);
    const report = await usageReport(acct.id);
    expect(report.spend).toEqual([]);
    expect(report.totalSpend).toBe("0.00");
    expect(report.invoiced).toEqual([{ service: "stt", records: 1, minutes: 2, amount: "0.04" }]);
    expect(report.totalInvoiced).toBe("0.04");

    const listing = await api("GET", `/v1/accounts/${acct.id}/invoice-usage`);
    expect(listing.status).toBe(200);
    expect(listing.body).toMatchObject({
      month: report.month,
      currency: "EUR",
      totals: [{ service: "stt", records: 1, minutes: 2, amount: "0.04" }],
      total: "0.04",
      usage: [
        {
          usageId: "stt-1",
          service: "stt",
          userId: "alice",
          callId: "call-7",
          seconds: 61,
          billedMinutes: 2,
          includedMinutes: 0,
          invoicedMinutes: 2,
          ratePerMinute: "0.02",
          amount: "0.04",
        },
      ],
      nextCursor: null,
    });
  });

  it("takes Conversation Intelligence from the allowance first and invoices the rest; credit usage stays in the export", async () => {
    const acct = await newAccount({ credit: "2.00" });
    await setPlan(acct.id, INVOICE_PLAN);
    const ci = await reportUsage(acct.id, "ci-1", {
      service: "conversation-intelligence",
      seconds: 5 * 60,
    });
    expect(ci.body).toMatchObject({
      billedBy: "invoice",
      includedMinutes: 3,
      chargedMinutes: 2,
      invoiced: "0.06",
      charged: "0.00",
    });
    const agents = await reportUsage(acct.id, "va-1", { service: "ai-voice-agents", seconds: 180 });
    expect(agents.body).toMatchObject({ billedBy: "credit", charged: "0.10", invoiced: "0.00" });

    // The credit export is every movement of credit: the adjustment and the voice agent, no CI.
    const started = await api("POST", `/v1/accounts/${acct.id}/exports`, { token: acct.adminKey });
    expect(started.status).toBe(202);
    const job = await waitForExport(acct, started.body.id);
    const file = await download(pathOf(job.downloadUrl));
    const descriptions = file.records.slice(1).map((r) => r[2]);
    expect(descriptions.sort()).toEqual(["adjustment", "ai-voice-agents"]);
    await drainOutbox(acct.id);
    expect(await d1Sum(acct.id)).toEqual({ n: 2, total: 1_900_000 });
    const report = await usageReport(acct.id);
    expect(report.invoiced).toEqual([
      { service: "conversation-intelligence", records: 1, minutes: 2, amount: "0.06" },
    ]);
    expect(report.totalSpend).toBe("0.10");
  }, 30_000);

  it("lists a month's invoice usage for the operator only, a page at a time", async () => {
    const acct = await newAccount();
    await setPlan(acct.id, INVOICE_PLAN);
    for (const id of ["a", "b", "c"])
      await reportUsage(acct.id, `stt-${id}`, { service: "stt", seconds: 30 });
    const path = `/v1/accounts/${acct.id}/invoice-usage`;
    const first = await api("GET", `${path}?limit=2`);
    expect(first.body.usage.map((u: { usageId: string }) => u.usageId)).toEqual(["stt-a", "stt-b"]);
    expect(first.body.total).toBe("0.06");
    const second = await api("GET", `${path}?limit=2&cursor=${first.body.nextCursor}`);
    expect(second.body.usage.map((u: { usageId: string }) => u.usageId)).toEqual(["stt-c"]);
    expect(second.body.nextCursor).toBeNull();
    expect((await api("GET", `${path}?month=2020-01`)).body).toMatchObject({
      month: "2020-01",
      usage: [],
      total: "0.00",
    });
    expect((await api("GET", path, { token: acct.adminKey })).status).toBe(403);
    const bad = await api("GET", `${path}?month=2026-13&limit=0`);
    expect(bad.status).toBe(400);
    expect(bad.body.error.details.map((d: { field: string }) => d.field).sort()).toEqual([
      "limit",
      "month",
    ]);
  });

  it("refuses an unknown way of billing a service, naming the field", async () => {
    const acct = await newAccount();
    const res = await api("PUT", `/v1/accounts/${acct.id}/plan`, {
      body: { ...EU_PLAN, serviceBilling: { stt: "card" } },
    });
    expect(res.status).toBe(400);
    expect(res.body.error.details[0].field).toBe("serviceBilling.stt");
  });
});

describe("fair-use exceptions", () => {
  it("gives one user a limit of their own: the decision, the split and the report use it", async () => {
    const acct = await newAccount({ credit: "5.00" });
    await setPlan(acct.id);
    const path = `/v1/accounts/${acct.id}/fair-use-exceptions`;
    const set = await api("PUT", `${path}/bob`, { body: { minutesPerMonth: 1 } });
    expect(set.status).toBe(200);
    expect(set.body).toEqual({ exceptions: [{ userId: "bob", minutesPerMonth: 1 }] });

    const bob = await authorize(acct.id, "bob-1", {
      userId: "bob",
      from: N.deAccount,
      to: N.deFixedBerlin,
    });
    expect(bob.body).toMatchObject({ allowed: true, billing: "included", grantSeconds: 60 });
    // 125 s against a 60 s limit: 60 s included, 65 s from credit in 60 s blocks.
    expect((await end(acct.id, "bob-1", 125)).body).toMatchObject({
      includedSeconds: 60,
      creditSeconds: 65,
      billedSeconds: 120,
      charged: "0.02",
    });
    await authorize(acct.id, "alice-1", {
      userId: "alice",
      from: N.deAccount,
      to: N.deFixedBerlin,
    });
    expect((await end(acct.id, "alice-1", 125)).body).toMatchObject({ charged: "0.00" });

    const report = await usageReport(acct.id);
    expect(report.fairUseMinutesPerUser).toBe(3000);
    expect(report.users).toMatchObject([
      { userId: "alice", fairUseMinutes: 3000, fairUseException: false, overFairUse: false },
      { userId: "bob", fairUseMinutes: 1, fairUseException: true, overFairUse: true },
    ]);
    // Bob's next call is over his limit from the start.
    const again = await authorize(acct.id, "bob-2", {
      userId: "bob",
      from: N.deAccount,
      to: N.deFixedBerlin,
    });
    expect(again.body).toMatchObject({ billing: "credit", chargeReason: "over_fair_use" });
    expect(
      (
        await quote(acct.id, {
          userId: "bob",
          from: N.deAccount,
          to: N.deFixedBerlin,
          durationSeconds: 60,
        })
      ).body,
    ).toMatchObject({ chargeReason: "over_fair_use", cost: "0.01" });

    // Removed: bob is back on the plan's 3 000 minutes.
    const removed = await api("DELETE", `${path}/bob`);
    expect(removed.body).toEqual({ exceptions: [] });
    expect((await api("GET", path, { token: acct.adminKey })).body).toEqual({ exceptions: [] });
    const after = await authorize(acct.id, "bob-3", {
      userId: "bob",
      from: N.deAccount,
      to: N.deFixedBerlin,
    });
    expect(after.body).toMatchObject({ billing: "included" });
    expect((await usageReport(acct.id)).users[1]).toMatchObject({
      userId: "bob",
      fairUseMinutes: 3000,
      fairUseException: false,
    });
  });

  it("is set by the operator only, validated, and lists every exception for the admin", async () => {
    const acct = await newAccount();
    const path = `/v1/accounts/${acct.id}/fair-use-exceptions`;
    const byAdmin = await api("PUT", `${path}/bob`, {
      token: acct.adminKey,
      body: { minutesPerMonth: 5000 },
    });
    expect(byAdmin.status).toBe(403);
    const bad = await api("PUT", `${path}/bob`, { body: { minutesPerMonth: 50_000 } });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details[0].field).toBe("minutesPerMonth");
    await api("PUT", `${path}/zoe`, { body: { minutesPerMonth: 4000 } });
    await api("PUT", `${path}/bob`, { body: { minutesPerMonth: 5000 } });
    await api("PUT", `${path}/bob`, { body: { minutesPerMonth: 6000 } });
    expect((await api("GET", path, { token: acct.adminKey })).body).toEqual({
      exceptions: [
        { userId: "bob", minutesPerMonth: 6000 },
        { userId: "zoe", minutesPerMonth: 4000 },
      ],
    });
    expect((await api("DELETE", `${path}/nobody`)).body.exceptions).toHaveLength(2);
    expect((await api("GET", path, { token: SWITCH })).status).toBe(403);
  });
});

const DETAILS = {
  companyName: "Example GmbH",
  addressLine1: "Friedrichstraße 1",
  city: "Berlin",
  postalCode: "10117",
  country: "de",
  taxId: "136695976",
  invoiceEmail: "billing@example.test",
};

describe("billing details", () => {
  it("are set by the account admin, validated, normalised and read back, also over RPC", async () => {
    const acct = await newAccount();
    const path = `/v1/accounts/${acct.id}/billing-details`;
    const none = await api("GET", path, { token: acct.adminKey });
    expect(none.status).toBe(404);
    expect(none.body.error.code).toBe("billing_details_not_found");

    const saved = await api("PUT", path, { token: acct.adminKey, body: DETAILS });
    expect(saved.status, JSON.stringify(saved.body)).toBe(200);
    const expected = { ...DETAILS, country: "DE", taxId: "DE136695976" };
    expect(saved.body).toEqual(expected);
    expect((await api("GET", path, { token: acct.adminKey })).body).toEqual(expected);
    expect(await ledger(acct.id).billingDetails()).toEqual({ ok: true, value: expected });

    const withoutTaxId = { ...DETAILS, taxId: "", addressLine2: "" };
    expect((await api("PUT", path, { token: acct.adminKey, body: withoutTaxId })).body).toEqual({
      ...DETAILS,
      country: "DE",
      taxId: undefined,
    });
    expect((await api("GET", path, { token: acct.agentKey })).status).toBe(403);
  });

  it.each<[string, Record<string, unknown>, string]>([
    ["a VAT id whose check digit is wrong", { taxId: "DE136695977" }, "taxId"],
    ["another country's VAT id", { taxId: "ATU13585627" }, "taxId"],
    ["a country that is not ISO 3166", { country: "UK" }, "country"],
    ["an invoice email that is not one", { invoiceEmail: "billing at example" }, "invoiceEmail"],
    ["no company name", { companyName: "  " }, "companyName"],
    ["a postal code with odd characters", { postalCode: "10117<" }, "postalCode"],
    ["an unknown field", { vat: "x" }, "body"],
  ])("refuses %s, naming the field", async (_case, change, field) => {
    const acct = await newAccount();
    const res = await api("PUT", `/v1/accounts/${acct.id}/billing-details`, {
      token: acct.adminKey,
      body: { ...DETAILS, ...change },
    });
    expect(res.status).toBe(400);
    expect(res.body.error.details.map((d: { field: string }) => d.field)).toContain(field);
  });

  it.each([
    ["GB", "GB980780684", "GB980780684"],
    ["GR", "094259216", "EL094259216"],
    ["US", "12-3456789", "12-3456789"],
  ])("in %s takes the tax id %s as %s", async (country, taxId, stored) => {
    const acct = await newAccount();
    const res = await api("PUT", `/v1/accounts/${acct.id}/billing-details`, {
      token: acct.adminKey,
      body: { ...DETAILS, country, taxId },
    });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.taxId).toBe(stored);
  });
});
