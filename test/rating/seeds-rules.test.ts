// The seeds' last rules as pure decisions: calls placed from a toll-free number, AI services
// billed by invoice, and a user's own fair-use limit. Each table has charged and not-charged rows.
import { describe, expect, it } from "vitest";
import {
  decideCall,
  decideExtend,
  decideUsage,
  quoteCall,
  settleCall,
  type CallInput,
  type RatingTables,
  type UsageInput,
} from "../../src/rating/decide";
import { planForUser, planSchema, type Plan } from "../../src/rating/plan";
import { serviceRatesSchema } from "../../src/rating/service-rates";
import { SAMPLE_SERVICE_RATES } from "../../src/rating/sample-decks";
import { EUR, euPlan, FAIR_USE_SECONDS, inbound, money, N, outbound, tables } from "./fixtures";

const DE_ACCOUNT_NUMBER = "+4969123456";

/** The sample decks with a flat toll-free outbound price set by the operator. */
const withTollFreeOutboundRate: RatingTables = {
  ...tables,
  serviceRates: serviceRatesSchema.parse({
    ...SAMPLE_SERVICE_RATES,
    "toll-free-outbound": "0.07",
  }),
};

function call(overrides: Partial<CallInput> & Pick<CallInput, "request">) {
  return decideCall({
    plan: euPlan,
    tables,
    money: money(10 * EUR),
    fairUseUsedSeconds: 0,
    ...overrides,
  });
}

describe("toll-free outbound: a call placed from a toll-free number is charged from credit", () => {
  it.each<
    [
      string,
      Partial<CallInput> & Pick<CallInput, "request">,
      {
        allowed: boolean;
        billing: string;
        chargeReason?: string;
        reason?: string;
        destination?: string;
        ratePerMinuteMicros?: number;
      },
    ]
  >([
    [
      "from a German toll-free number to Germany, which the package covers ⇒ credit at Berlin's rate",
      { request: outbound(N.deTollFree, N.deFixedBerlin) },
      {
        allowed: true,
        billing: "credit",
        chargeReason: "toll_free_outbound",
        destination: "Germany fixed Berlin",
        ratePerMinuteMicros: 10_000,
      },
    ],
    [
      "the same call with an operator's toll-free-outbound rate ⇒ credit at that rate",
      { request: outbound(N.deTollFree, N.deFixedBerlin), tables: withTollFreeOutboundRate },
      {
        allowed: true,
        billing: "credit",
        chargeReason: "toll_free_outbound",
        destination: "toll-free-outbound",
        ratePerMinuteMicros: 70_000,
      },
    ],
    [
      "from a US toll-free number without any package ⇒ credit, named for the toll-free number",
      { request: outbound(N.usTollFree, N.usFixed), plan: null },
      {
        allowed: true,
        billing: "credit",
        chargeReason: "toll_free_outbound",
        destination: "United States",
        ratePerMinuteMicros: 8_000,
      },
    ],
    [
      "from a toll-free number at zero credit ⇒ refused like every outbound call",
      { request: outbound(N.deTollFree, N.deFixedBerlin), money: money(0) },
      {
        allowed: false,
        billing: "credit",
        chargeReason: "toll_free_outbound",
        reason: "credit_exhausted",
      },
    ],
    [
      "from a toll-free number to a premium number ⇒ the premium number's own rule and price",
      { request: outbound(N.deTollFree, N.dePremium) },
      { allowed: true, billing: "credit", chargeReason: "premium_number" },
    ],
    [
      "not charged: the same destination from an ordinary German number ⇒ included",
      { request: outbound(DE_ACCOUNT_NUMBER, N.deFixedBerlin) },
      { allowed: true, billing: "included" },
    ],
    [
      "not charged: a toll-free number *called* by the switch's outbound leg is not this rule",
      { request: outbound(DE_ACCOUNT_NUMBER, N.deMobile) },
      { allowed: true, billing: "included" },
    ],
    [
      "inbound to a toll-free number keeps its own rule and rate",
      { request: inbound(N.deFixedBerlin, N.deTollFree) },
      {
        allowed: true,
        billing: "credit",
        chargeReason: "toll_free_inbound",
        destination: "toll-free-inbound",
        ratePerMinuteMicros: 50_000,
      },
    ],
    [
      "not charged: inbound from a toll-free number to a standard number stays free",
      { request: inbound(N.deTollFree, N.deFixedBerlin) },
      { allowed: true, billing: "free" },
    ],
  ])("%s", (_case, input, expected) => {
    const d = call(input);
    expect({
      allowed: d.allowed,
      billing: d.billing,
      ...(d.chargeReason && { chargeReason: d.chargeReason }),
      ...(!d.allowed && { reason: d.reason }),
      ...(expected.destination && { destination: d.rate?.destination }),
      ...(expected.ratePerMinuteMicros && { ratePerMinuteMicros: d.rate?.ratePerMinuteMicros }),
    }).toEqual(expected);
  });

  it("is charged per started block at its rate, and the quote says the same as the settlement", () => {
    for (const t of [tables, withTollFreeOutboundRate]) {
      const request = outbound(N.deTollFree, N.deFixedBerlin);
      const decision = call({ request, tables: t });
      const settled = settleCall({ terms: decision, durationSeconds: 65, fairUseUsedSeconds: 0 });
      const quote = quoteCall({
        request,
        plan: euPlan,
        tables: t,
        fairUseUsedSeconds: 0,
        durationSeconds: 65,
      });
      expect(settled.billedSeconds).toBe(120);
      expect(settled.amountMicros).toBe(2 * (decision.rate?.ratePerMinuteMicros ?? 0));
      expect(settled.includedSeconds).toBe(0);
      expect(quote.ok && quote.settlement).toEqual(settled);
    }
  });

  it("uses no fair use: the user's package minutes are left as they were", () => {
    const d = call({
      request: outbound(N.deTollFree, N.deFixedBerlin),
      fairUseUsedSeconds: FAIR_USE_SECONDS - 60,
    });
    const settled = settleCall({
      terms: d,
      durationSeconds: 600,
      fairUseUsedSeconds: FAIR_USE_SECONDS - 60,
    });
    expect(settled).toMatchObject({ includedSeconds: 0, creditSeconds: 600, billedSeconds: 600 });
  });

  it("without a deck price and without a service rate ⇒ refused as unpriced, never given away", () => {
    const d = call({
      request: outbound(N.deTollFree, N.deFixedBerlin),
      tables: { ...tables, callDeck: null },
    });
    expect(d).toMatchObject({ allowed: false, reason: "no_rate_for_destination" });
  });
});

const invoicePlan = (serviceBilling: Record<string, string>): Plan =>
  planSchema.parse({
    package: { name: "EU Domestic", destinations: ["DE"], numberCountries: ["DE"] },
    allowances: { conversationIntelligenceMinutes: 10, voiceAgentMinutes: 0 },
    serviceBilling,
  });

function usage(overrides: Partial<UsageInput> & Pick<UsageInput, "request">) {
  return decideUsage({
    plan: invoicePlan({ stt: "invoice" }),
    allowanceUsedMinutes: 0,
    serviceRates: tables.serviceRates,
    serviceRatesVersion: "services-1",
    money: money(10 * EUR),
    ...overrides,
  });
}

describe("AI services billed by invoice: recorded with their amount, never refused for credit", () => {
  it.each<[string, Partial<UsageInput> & Pick<UsageInput, "request">, Record<string, unknown>]>([
    [
      "speech-to-text on an invoice plan ⇒ invoiced, 2 started minutes × 0.02",
      { request: { service: "stt", seconds: 61 } },
      { allowed: true, billedBy: "invoice", chargedMinutes: 2, amountMicros: 40_000 },
    ],
    [
      "speech-to-text on an invoice plan at zero credit ⇒ still allowed, invoiced",
      { request: { service: "stt", seconds: 61 }, money: money(0) },
      { allowed: true, billedBy: "invoice", chargedMinutes: 2, amountMicros: 40_000 },
    ],
    [
      "speech-to-text on an invoice plan with credit below zero ⇒ still allowed",
      { request: { service: "stt", seconds: 30 }, money: money(-5 * EUR) },
      { allowed: true, billedBy: "invoice", chargedMinutes: 1, amountMicros: 20_000 },
    ],
    [
      "voice agents on the same plan ⇒ charged from credit, as by default",
      { request: { service: "ai-voice-agents", seconds: 60 } },
      { allowed: true, billedBy: "credit", chargedMinutes: 1, amountMicros: 100_000 },
    ],
    [
      "voice agents billed from credit at zero credit ⇒ refused",
      { request: { service: "ai-voice-agents", seconds: 60 }, money: money(0) },
      { allowed: false, reason: "credit_exhausted" },
    ],
    [
      "Conversation Intelligence by invoice: the allowance first, the rest invoiced",
      {
        request: { service: "conversation-intelligence", seconds: 5 * 60 },
        plan: invoicePlan({ "conversation-intelligence": "invoice" }),
        allowanceUsedMinutes: 8,
        money: money(0),
      },
      {
        allowed: true,
        billedBy: "invoice",
        includedMinutes: 2,
        chargedMinutes: 3,
        amountMicros: 90_000,
      },
    ],
    [
      "not charged: Conversation Intelligence within the allowance ⇒ nothing to invoice",
      {
        request: { service: "conversation-intelligence", seconds: 60 },
        plan: invoicePlan({ "conversation-intelligence": "invoice" }),
      },
      {
        allowed: true,
        billedBy: "invoice",
        includedMinutes: 1,
        chargedMinutes: 0,
        amountMicros: 0,
      },
    ],
    [
      "invoice-billed usage still needs a price: no service rates ⇒ refused as unpriced",
      { request: { service: "stt", seconds: 61 }, serviceRates: null },
      { allowed: false, reason: "no_rate_for_service" },
    ],
    [
      "no plan ⇒ every AI minute is credit",
      { request: { service: "stt", seconds: 61 }, plan: null, money: money(0) },
      { allowed: false, reason: "credit_exhausted" },
    ],
  ])("%s", (_case, input, expected) => {
    expect(usage(input)).toMatchObject(expected);
  });
});

describe("fair-use exceptions: a user's own limit drives the decision and the split", () => {
  const request = outbound(DE_ACCOUNT_NUMBER, N.deFixedBerlin);
  const generous = planForUser(euPlan, { "user-1": 5_000 }, "user-1");
  const strict = planForUser(euPlan, { "user-1": 10 }, "user-1");

  it.each<[string, Plan | null, number, Record<string, unknown>]>([
    [
      "not charged: past the plan's 3 000 minutes but within the user's 5 000 ⇒ included",
      generous,
      FAIR_USE_SECONDS + 60,
      { allowed: true, billing: "included", fairUseLimitSeconds: 300_000 },
    ],
    [
      "charged: past the user's own 5 000 minutes ⇒ over fair use",
      generous,
      300_000,
      { allowed: true, billing: "credit", chargeReason: "over_fair_use" },
    ],
    [
      "charged: a user held to 10 minutes is over fair use after 10",
      strict,
      600,
      { allowed: true, billing: "credit", chargeReason: "over_fair_use" },
    ],
    [
      "not charged: the same user within their 10 minutes ⇒ included, granted what is left",
      strict,
      540,
      { allowed: true, billing: "included", grantSeconds: 60, fairUseLimitSeconds: 600 },
    ],
    [
      "the default stays 3 000 minutes for everyone else",
      planForUser(euPlan, { "user-2": 5_000 }, "user-1"),
      FAIR_USE_SECONDS,
      { allowed: true, billing: "credit", chargeReason: "over_fair_use" },
    ],
  ])("%s", (_case, plan, used, expected) => {
    expect(call({ request, plan, fairUseUsedSeconds: used })).toMatchObject(expected);
  });

  it("splits a call that crosses the user's own limit, and extends it on credit", () => {
    const d = call({ request, plan: strict, fairUseUsedSeconds: 540 });
    const settled = settleCall({ terms: d, durationSeconds: 125, fairUseUsedSeconds: 540 });
    expect(settled).toMatchObject({ includedSeconds: 60, creditSeconds: 65, billedSeconds: 120 });
    expect(settled.amountMicros).toBe(20_000);
    const extended = decideExtend({
      terms: d,
      usedSeconds: 60,
      reservedMicros: 0,
      money: money(10 * EUR),
      fairUseUsedSeconds: 540,
    });
    expect(extended).toMatchObject({
      allowed: true,
      billing: "credit",
      chargeReason: "over_fair_use",
    });
  });
});
