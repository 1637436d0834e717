import { describe, expect, it } from "vitest";
import {
  decideCall,
  decideExtend,
  FREE_GRANT_SECONDS,
  GRANT_SECONDS_MAX,
  INCLUDED_GRANT_SECONDS_MAX,
  quoteCall,
  settleCall,
  type CallDecision,
  type CallInput,
  type ExtendInput,
  type LegTerms,
} from "../../src/rating/decide";
import { EUR, euPlan, FAIR_USE_SECONDS, inbound, money, N, outbound, tables } from "./fixtures";

const DE_ACCOUNT_NUMBER = "+4969123456";
const US_ACCOUNT_NUMBER = N.usFixed;

function call(overrides: Partial<CallInput> & Pick<CallInput, "request">): CallDecision {
  return decideCall({
    plan: euPlan,
    tables,
    money: money(10 * EUR),
    fairUseUsedSeconds: 0,
    ...overrides,
  });
}

/** The parts of a decision the tables below pin down. */
function summary(d: CallDecision) {
  return {
    allowed: d.allowed,
    billing: d.billing,
    ...(d.allowed ? {} : { reason: d.reason }),
    ...(d.chargeReason ? { chargeReason: d.chargeReason } : {}),
    ...(d.rate ? { prefix: d.rate.prefix } : {}),
    grantSeconds: d.grantSeconds,
    reserveMicros: d.reserveMicros,
  };
}

describe("decideCall: what is included, what is credit, what is free", () => {
  it.each<[string, Partial<CallInput> & Pick<CallInput, "request">, ReturnType<typeof summary>]>([
    // Package coverage (seeds: "Calls to destinations not covered by your package").
    [
      "EU package, Germany from a German number ⇒ included",
      { request: outbound(DE_ACCOUNT_NUMBER, N.deMobile) },
      {
        allowed: true,
        billing: "included",
        prefix: "49151",
        grantSeconds: INCLUDED_GRANT_SECONDS_MAX,
        reserveMicros: 0,
      },
    ],
    [
      "EU package, France from a German number ⇒ included",
      { request: outbound(DE_ACCOUNT_NUMBER, N.frFixed) },
      {
        allowed: true,
        billing: "included",
        prefix: "33",
        grantSeconds: INCLUDED_GRANT_SECONDS_MAX,
        reserveMicros: 0,
      },
    ],
    [
      "EU package, the US ⇒ credit",
      { request: outbound(DE_ACCOUNT_NUMBER, N.usFixed) },
      {
        allowed: true,
        billing: "credit",
        chargeReason: "destination_not_in_package",
        prefix: "1",
        grantSeconds: 300,
        reserveMicros: 40_000,
      },
    ],
    [
      "EU package, a UK mobile ⇒ credit",
      { request: outbound(DE_ACCOUNT_NUMBER, N.gbMobile) },
      {
        allowed: true,
        billing: "credit",
        chargeReason: "destination_not_in_package",
        prefix: "4474",
        grantSeconds: 300,
        reserveMicros: 125_000,
      },
    ],
    // Number region (seeds: EU package, Germany called from a US number).
    [
      "EU package, Germany called from a US number ⇒ credit",
      { request: outbound(US_ACCOUNT_NUMBER, N.deFixedBerlin) },
      {
        allowed: true,
        billing: "credit",
        chargeReason: "number_outside_package_region",
        prefix: "4930",
        grantSeconds: 300,
        reserveMicros: 50_000,
      },
    ],
    [
      "from a number that is not E.164 ⇒ credit",
      { request: outbound("069123456", N.deFixedBerlin) },
      {
        allowed: true,
        billing: "credit",
        chargeReason: "number_outside_package_region",
        prefix: "4930",
        grantSeconds: 300,
        reserveMicros: 50_000,
      },
    ],
    // No package at all.
    [
      "no package, Germany from a German number ⇒ credit",
      { request: outbound(DE_ACCOUNT_NUMBER, N.deFixedBerlin), plan: null },
      {
        allowed: true,
        billing: "credit",
        chargeReason: "no_package",
        prefix: "4930",
        grantSeconds: 300,
        reserveMicros: 50_000,
      },
    ],
    // Premium and special numbers, never in a package, even to a covered country.
    [
      "a German premium number ⇒ credit, grant what 10 EUR covers",
      { request: outbound(DE_ACCOUNT_NUMBER, N.dePremium) },
      {
        allowed: true,
        billing: "credit",
        chargeReason: "premium_number",
        prefix: "49900",
        grantSeconds: 240,
        reserveMicros: 10 * EUR,
      },
    ],
    [
      "a UK premium number ⇒ credit",
      { request: outbound(DE_ACCOUNT_NUMBER, N.gbPremium) },
      {
        allowed: true,
        billing: "credit",
        chargeReason: "premium_number",
        prefix: "44909",
        grantSeconds: 180,
        reserveMicros: 9 * EUR,
      },
    ],
    [
      "a US premium number from a US number ⇒ credit",
      { request: outbound(US_ACCOUNT_NUMBER, N.usPremium) },
      {
        allowed: true,
        billing: "credit",
        chargeReason: "premium_number",
        prefix: "1900",
        grantSeconds: 300,
        reserveMicros: 10 * EUR,
      },
    ],
    [
      "a German shared-cost number ⇒ credit",
      { request: outbound(DE_ACCOUNT_NUMBER, N.deSharedCost) },
      {
        allowed: true,
        billing: "credit",
        chargeReason: "special_number",
        prefix: "49180",
        grantSeconds: 300,
        reserveMicros: 700_000,
      },
    ],
    [
      "a German personal number ⇒ credit",
      { request: outbound(DE_ACCOUNT_NUMBER, N.dePersonal) },
      {
        allowed: true,
        billing: "credit",
        chargeReason: "special_number",
        prefix: "49700",
        grantSeconds: 300,
        reserveMicros: 1 * EUR,
      },
    ],
    [
      "a UK UAN number ⇒ credit",
      { request: outbound(DE_ACCOUNT_NUMBER, N.gbUan) },
      {
        allowed: true,
        billing: "credit",
        chargeReason: "special_number",
        prefix: "443",
        grantSeconds: 300,
        reserveMicros: 55_000,
      },
    ],
    [
      "a short code ⇒ credit, and no prefix can price it",
      { request: outbound(DE_ACCOUNT_NUMBER, N.shortCode) },
      {
        allowed: false,
        billing: "credit",
        reason: "no_rate_for_destination",
        chargeReason: "special_number",
        grantSeconds: 0,
        reserveMicros: 0,
      },
    ],
    // Fair use: 3 000 minutes per user per month.
    [
      "a user at the fair-use limit ⇒ credit",
      { request: outbound(DE_ACCOUNT_NUMBER, N.deMobile), fairUseUsedSeconds: FAIR_USE_SECONDS },
      {
        allowed: true,
        billing: "credit",
        chargeReason: "over_fair_use",
        prefix: "49151",
        grantSeconds: 300,
        reserveMicros: 175_000,
      },
    ],
    [
      "a user 10 s under the limit ⇒ included, granted the 10 s",
      {
        request: outbound(DE_ACCOUNT_NUMBER, N.deMobile),
        fairUseUsedSeconds: FAIR_USE_SECONDS - 10,
      },
      { allowed: true, billing: "included", prefix: "49151", grantSeconds: 10, reserveMicros: 0 },
    ],
    // Inbound.
    [
      "inbound to a standard number ⇒ free",
      { request: inbound(N.usFixed, DE_ACCOUNT_NUMBER) },
      { allowed: true, billing: "free", grantSeconds: FREE_GRANT_SECONDS, reserveMicros: 0 },
    ],
    [
      "inbound to a German toll-free number ⇒ credit at the toll-free rate",
      { request: inbound(N.usFixed, N.deTollFree) },
      {
        allowed: true,
        billing: "credit",
        chargeReason: "toll_free_inbound",
        prefix: null as unknown as string,
        grantSeconds: 300,
        reserveMicros: 250_000,
      },
    ],
    [
      "inbound to a US toll-free number ⇒ credit",
      { request: inbound(N.deMobile, N.usTollFree), plan: null },
      {
        allowed: true,
        billing: "credit",
        chargeReason: "toll_free_inbound",
        prefix: null as unknown as string,
        grantSeconds: 300,
        reserveMicros: 250_000,
      },
    ],
    // Forwarding: always a separate credit leg, even when the original call was included.
    [
      "the forwarding leg of an inbound call to a German mobile ⇒ credit",
      { request: inbound(N.frFixed, N.deMobile, "forward") },
      {
        allowed: true,
        billing: "credit",
        chargeReason: "forwarded_leg",
        prefix: "49151",
        grantSeconds: 300,
        reserveMicros: 175_000,
      },
    ],
    [
      "the forwarding leg of an included outbound call ⇒ credit",
      { request: outbound(DE_ACCOUNT_NUMBER, N.deFixedBerlin, "forward") },
      {
        allowed: true,
        billing: "credit",
        chargeReason: "forwarded_leg",
        prefix: "4930",
        grantSeconds: 300,
        reserveMicros: 50_000,
      },
    ],
  ])("%s", (_case, input, expected) => {
    expect(summary(call(input))).toEqual(expected);
  });

  it("records the rate, its increments and the deck version used", () => {
    expect(call({ request: outbound(DE_ACCOUNT_NUMBER, N.nlMobile), plan: null }).rate).toEqual({
      source: "call-deck",
      prefix: "316",
      destination: "Netherlands mobile",
      ratePerMinuteMicros: 60_000,
      initialSeconds: 1,
      subsequentSeconds: 1,
      deckVersion: "sample-1",
    });
    expect(call({ request: inbound(N.usFixed, N.deTollFree) }).rate).toEqual({
      source: "service-rates",
      prefix: null,
      destination: "toll-free-inbound",
      ratePerMinuteMicros: 50_000,
      initialSeconds: 60,
      subsequentSeconds: 60,
      deckVersion: "sample-1",
    });
  });
});

describe("decideCall: when credit reaches zero", () => {
  const zero = money(0);
  it.each<[string, Partial<CallInput> & Pick<CallInput, "request">, ReturnType<typeof summary>]>([
    [
      "outbound is refused even with package minutes left",
      { request: outbound(DE_ACCOUNT_NUMBER, N.deMobile), money: zero },
      {
        allowed: false,
        billing: "included",
        reason: "credit_exhausted",
        prefix: "49151",
        grantSeconds: 0,
        reserveMicros: 0,
      },
    ],
    [
      "outbound on credit is refused",
      { request: outbound(DE_ACCOUNT_NUMBER, N.usFixed), money: zero },
      {
        allowed: false,
        billing: "credit",
        reason: "credit_exhausted",
        chargeReason: "destination_not_in_package",
        prefix: "1",
        grantSeconds: 0,
        reserveMicros: 0,
      },
    ],
    [
      "a negative balance refuses outbound too",
      { request: outbound(DE_ACCOUNT_NUMBER, N.deMobile), money: money(-3 * EUR) },
      {
        allowed: false,
        billing: "included",
        reason: "credit_exhausted",
        prefix: "49151",
        grantSeconds: 0,
        reserveMicros: 0,
      },
    ],
    [
      "inbound to a toll-free number is refused",
      { request: inbound(N.usFixed, N.deTollFree), money: zero },
      {
        allowed: false,
        billing: "credit",
        reason: "credit_exhausted",
        chargeReason: "toll_free_inbound",
        prefix: null as unknown as string,
        grantSeconds: 0,
        reserveMicros: 0,
      },
    ],
    [
      "inbound to a standard number still connects, free",
      { request: inbound(N.usFixed, DE_ACCOUNT_NUMBER), money: zero },
      { allowed: true, billing: "free", grantSeconds: FREE_GRANT_SECONDS, reserveMicros: 0 },
    ],
    [
      "inbound to a standard number connects at a negative balance",
      { request: inbound(N.usFixed, DE_ACCOUNT_NUMBER), money: money(-3 * EUR) },
      { allowed: true, billing: "free", grantSeconds: FREE_GRANT_SECONDS, reserveMicros: 0 },
    ],
    [
      "a forwarding leg is refused",
      { request: inbound(N.frFixed, N.deMobile, "forward"), money: zero },
      {
        allowed: false,
        billing: "credit",
        reason: "credit_exhausted",
        chargeReason: "forwarded_leg",
        prefix: "49151",
        grantSeconds: 0,
        reserveMicros: 0,
      },
    ],
    [
      "zero credit is named before a missing rate",
      { request: outbound(DE_ACCOUNT_NUMBER, N.shortCode), money: zero },
      {
        allowed: false,
        billing: "credit",
        reason: "credit_exhausted",
        chargeReason: "special_number",
        grantSeconds: 0,
        reserveMicros: 0,
      },
    ],
    // Credit all held by running calls: nothing to reserve, but the balance is still positive.
    [
      "all credit reserved: a credit leg is refused",
      { request: outbound(DE_ACCOUNT_NUMBER, N.usFixed), money: money(1 * EUR, 1 * EUR) },
      {
        allowed: false,
        billing: "credit",
        reason: "credit_exhausted",
        chargeReason: "destination_not_in_package",
        prefix: "1",
        grantSeconds: 0,
        reserveMicros: 0,
      },
    ],
    [
      "all credit reserved: an included leg still starts (it reserves nothing)",
      { request: outbound(DE_ACCOUNT_NUMBER, N.deMobile), money: money(1 * EUR, 1 * EUR) },
      {
        allowed: true,
        billing: "included",
        prefix: "49151",
        grantSeconds: INCLUDED_GRANT_SECONDS_MAX,
        reserveMicros: 0,
      },
    ],
    [
      "half a cent left: one block is granted (the bounded overdraft)",
      { request: outbound(US_ACCOUNT_NUMBER, N.deFixedBerlin), money: money(5_000) },
      {
        allowed: true,
        billing: "credit",
        chargeReason: "number_outside_package_region",
        prefix: "4930",
        grantSeconds: 60,
        reserveMicros: 10_000,
      },
    ],
  ])("%s", (_case, input, expected) => {
    expect(summary(call(input))).toEqual(expected);
  });
});

describe("decideCall: missing prices and spend controls", () => {
  it.each<[string, Partial<CallInput> & Pick<CallInput, "request">, ReturnType<typeof summary>]>([
    [
      "no call deck: an included leg is refused rather than left unpriced",
      { request: outbound(DE_ACCOUNT_NUMBER, N.deMobile), tables: { ...tables, callDeck: null } },
      {
        allowed: false,
        billing: "included",
        reason: "no_rate_for_destination",
        grantSeconds: 0,
        reserveMicros: 0,
      },
    ],
    [
      "no service rates: toll-free inbound is refused",
      { request: inbound(N.usFixed, N.deTollFree), tables: { ...tables, serviceRates: null } },
      {
        allowed: false,
        billing: "credit",
        reason: "no_rate_for_destination",
        chargeReason: "toll_free_inbound",
        grantSeconds: 0,
        reserveMicros: 0,
      },
    ],
    [
      "no service rates: standard inbound is still free",
      { request: inbound(N.usFixed, DE_ACCOUNT_NUMBER), tables: { ...tables, serviceRates: null } },
      { allowed: true, billing: "free", grantSeconds: FREE_GRANT_SECONDS, reserveMicros: 0 },
    ],
    [
      "max cost per call caps the grant",
      {
        request: outbound(US_ACCOUNT_NUMBER, N.deFixedBerlin),
        controls: { maxCostPerCallMicros: 30_000 },
      },
      {
        allowed: true,
        billing: "credit",
        chargeReason: "number_outside_package_region",
        prefix: "4930",
        grantSeconds: 180,
        reserveMicros: 30_000,
      },
    ],
    [
      "max cost below one block refuses",
      {
        request: outbound(US_ACCOUNT_NUMBER, N.deFixedBerlin),
        controls: { maxCostPerCallMicros: 5_000 },
      },
      {
        allowed: false,
        billing: "credit",
        reason: "max_call_cost_reached",
        chargeReason: "number_outside_package_region",
        prefix: "4930",
        grantSeconds: 0,
        reserveMicros: 0,
      },
    ],
    [
      "daily cap reached refuses a credit leg",
      {
        request: outbound(US_ACCOUNT_NUMBER, N.deFixedBerlin),
        controls: { dailyCapMicros: 5 * EUR, spentTodayMicros: 5 * EUR },
      },
      {
        allowed: false,
        billing: "credit",
        reason: "daily_spend_cap_reached",
        chargeReason: "number_outside_package_region",
        prefix: "4930",
        grantSeconds: 0,
        reserveMicros: 0,
      },
    ],
    [
      "daily cap reached does not touch included legs",
      {
        request: outbound(DE_ACCOUNT_NUMBER, N.deMobile),
        controls: { dailyCapMicros: 5 * EUR, spentTodayMicros: 5 * EUR },
      },
      {
        allowed: true,
        billing: "included",
        prefix: "49151",
        grantSeconds: INCLUDED_GRANT_SECONDS_MAX,
        reserveMicros: 0,
      },
    ],
  ])("%s", (_case, input, expected) => {
    expect(summary(call(input))).toEqual(expected);
  });
});

function termsOf(d: CallDecision): LegTerms {
  const { billing, chargeReason, rate, fairUseLimitSeconds } = d;
  return { billing, chargeReason, rate, fairUseLimitSeconds };
}

describe("decideExtend", () => {
  const credit = termsOf(call({ request: outbound(US_ACCOUNT_NUMBER, N.deFixedBerlin) }));
  const included = termsOf(call({ request: outbound(DE_ACCOUNT_NUMBER, N.deMobile) }));
  const free = termsOf(call({ request: inbound(N.usFixed, DE_ACCOUNT_NUMBER) }));
  const base = {
    usedSeconds: 300,
    reservedMicros: 0,
    money: money(10 * EUR),
    fairUseUsedSeconds: 0,
  };

  it.each<[string, LegTerms, Partial<ExtendInput>, ReturnType<typeof summary>]>([
    [
      "a credit leg gets another grant; the reservation grows",
      credit,
      { reservedMicros: 50_000, money: money(10 * EUR, 50_000) },
      {
        allowed: true,
        billing: "credit",
        chargeReason: "number_outside_package_region",
        prefix: "4930",
        grantSeconds: GRANT_SECONDS_MAX,
        reserveMicros: 100_000,
      },
    ],
    [
      "a credit leg is not extended at zero credit; it keeps its hold",
      credit,
      { reservedMicros: 50_000, money: money(0, 50_000) },
      {
        allowed: false,
        billing: "credit",
        reason: "credit_exhausted",
        chargeReason: "number_outside_package_region",
        prefix: "4930",
        grantSeconds: 0,
        reserveMicros: 50_000,
      },
    ],
    [
      "a credit leg with the last cents gets what they cover",
      credit,
      { reservedMicros: 50_000, money: money(75_000, 50_000) },
      {
        allowed: true,
        billing: "credit",
        chargeReason: "number_outside_package_region",
        prefix: "4930",
        grantSeconds: 120,
        reserveMicros: 70_000,
      },
    ],
    [
      "a credit leg stops at the max cost per call",
      credit,
      {
        reservedMicros: 50_000,
        money: money(10 * EUR, 50_000),
        controls: { maxCostPerCallMicros: 50_000 },
      },
      {
        allowed: false,
        billing: "credit",
        reason: "max_call_cost_reached",
        chargeReason: "number_outside_package_region",
        prefix: "4930",
        grantSeconds: 0,
        reserveMicros: 50_000,
      },
    ],
    [
      "an included leg gets another included grant",
      included,
      {},
      {
        allowed: true,
        billing: "included",
        prefix: "49151",
        grantSeconds: INCLUDED_GRANT_SECONDS_MAX,
        reserveMicros: 0,
      },
    ],
    [
      "an included leg is granted only up to the fair-use limit",
      included,
      { fairUseUsedSeconds: FAIR_USE_SECONDS - 400 },
      { allowed: true, billing: "included", prefix: "49151", grantSeconds: 100, reserveMicros: 0 },
    ],
    [
      "an included leg at the fair-use limit continues on credit",
      included,
      { fairUseUsedSeconds: FAIR_USE_SECONDS - 300 },
      {
        allowed: true,
        billing: "credit",
        chargeReason: "over_fair_use",
        prefix: "49151",
        grantSeconds: 300,
        reserveMicros: 175_000,
      },
    ],
    [
      "an included leg past the limit mid-block finishes the block first",
      included,
      { fairUseUsedSeconds: FAIR_USE_SECONDS - 270 },
      {
        allowed: true,
        billing: "credit",
        chargeReason: "over_fair_use",
        prefix: "49151",
        grantSeconds: 270,
        reserveMicros: 175_000,
      },
    ],
    [
      "an included leg is not extended at zero credit",
      included,
      { money: money(0) },
      {
        allowed: false,
        billing: "included",
        reason: "credit_exhausted",
        prefix: "49151",
        grantSeconds: 0,
        reserveMicros: 0,
      },
    ],
    [
      "an included leg over fair use with all credit reserved is not extended",
      included,
      { fairUseUsedSeconds: FAIR_USE_SECONDS, money: money(1 * EUR, 1 * EUR) },
      {
        allowed: false,
        billing: "credit",
        reason: "credit_exhausted",
        chargeReason: "over_fair_use",
        prefix: "49151",
        grantSeconds: 0,
        reserveMicros: 0,
      },
    ],
    [
      "a free leg is extended even at zero credit",
      free,
      { money: money(0) },
      { allowed: true, billing: "free", grantSeconds: FREE_GRANT_SECONDS, reserveMicros: 0 },
    ],
  ])("%s", (_case, terms, overrides, expected) => {
    expect(summary(decideExtend({ ...base, terms, ...overrides }))).toEqual(expected);
  });
});

describe("settleCall", () => {
  const credit = termsOf(call({ request: outbound(US_ACCOUNT_NUMBER, N.deFixedBerlin) }));
  const included = termsOf(call({ request: outbound(DE_ACCOUNT_NUMBER, N.deMobile) }));
  const free = termsOf(call({ request: inbound(N.usFixed, DE_ACCOUNT_NUMBER) }));
  const nlPerSecond = termsOf(
    call({ request: outbound(DE_ACCOUNT_NUMBER, N.nlMobile), plan: null }),
  );
  const czThirtySix = termsOf(
    call({ request: outbound(DE_ACCOUNT_NUMBER, N.czMobile), plan: null }),
  );

  it.each<
    [
      string,
      LegTerms,
      number,
      number,
      {
        includedSeconds: number;
        creditSeconds: number;
        billedSeconds: number;
        amountMicros: number;
      },
    ]
  >([
    [
      "1 min 5 s on credit is billed as 2 minutes (seeds)",
      credit,
      65,
      0,
      { includedSeconds: 0, creditSeconds: 65, billedSeconds: 120, amountMicros: 20_000 },
    ],
    [
      "a credit leg that never connected costs nothing",
      credit,
      0,
      0,
      { includedSeconds: 0, creditSeconds: 0, billedSeconds: 0, amountMicros: 0 },
    ],
    [
      "per-second billing (NL 1/1): 61 s",
      nlPerSecond,
      61,
      0,
      { includedSeconds: 0, creditSeconds: 61, billedSeconds: 61, amountMicros: 61_000 },
    ],
    [
      "30/6 billing (CZ): 31 s → 36 s",
      czThirtySix,
      31,
      0,
      { includedSeconds: 0, creditSeconds: 31, billedSeconds: 36, amountMicros: 27_000 },
    ],
    [
      "an included call within fair use costs nothing",
      included,
      65,
      0,
      { includedSeconds: 65, creditSeconds: 0, billedSeconds: 0, amountMicros: 0 },
    ],
    [
      "an included call crossing fair use is split",
      included,
      125,
      FAIR_USE_SECONDS - 50,
      { includedSeconds: 50, creditSeconds: 75, billedSeconds: 120, amountMicros: 70_000 },
    ],
    [
      "an included call wholly over fair use is all credit",
      included,
      65,
      FAIR_USE_SECONDS,
      { includedSeconds: 0, creditSeconds: 65, billedSeconds: 120, amountMicros: 70_000 },
    ],
    [
      "a free call costs nothing",
      free,
      3_600,
      0,
      { includedSeconds: 0, creditSeconds: 0, billedSeconds: 0, amountMicros: 0 },
    ],
  ])("%s", (_case, terms, durationSeconds, fairUseUsedSeconds, expected) => {
    expect(settleCall({ terms, durationSeconds, fairUseUsedSeconds })).toMatchObject({
      ...expected,
      durationSeconds,
      abandoned: false,
    });
  });

  it("explains a credit charge: reason, rate, increments and deck version", () => {
    expect(
      settleCall({ terms: credit, durationSeconds: 65, fairUseUsedSeconds: 0 }).charge,
    ).toEqual({
      chargeReason: "number_outside_package_region",
      rate: {
        source: "call-deck",
        prefix: "4930",
        destination: "Germany fixed Berlin",
        ratePerMinuteMicros: 10_000,
        initialSeconds: 60,
        subsequentSeconds: 60,
        deckVersion: "sample-1",
      },
    });
    expect(
      settleCall({
        terms: included,
        durationSeconds: 125,
        fairUseUsedSeconds: FAIR_USE_SECONDS - 50,
      }).charge?.chargeReason,
    ).toBe("over_fair_use");
    expect(
      settleCall({ terms: included, durationSeconds: 65, fairUseUsedSeconds: 0 }).charge,
    ).toBeUndefined();
  });

  it("settles an abandoned leg for its granted time and marks it", () => {
    expect(
      settleCall({ terms: credit, durationSeconds: 300, fairUseUsedSeconds: 0, abandoned: true }),
    ).toMatchObject({ billedSeconds: 300, amountMicros: 50_000, abandoned: true });
  });
});

describe("a call that crosses the fair-use limit, authorize → extend → settle", () => {
  it("is included up to the limit and billed from credit after it", () => {
    const request = outbound(DE_ACCOUNT_NUMBER, N.deMobile);
    const started = call({ request, fairUseUsedSeconds: FAIR_USE_SECONDS - 300 });
    expect(summary(started)).toMatchObject({
      allowed: true,
      billing: "included",
      grantSeconds: 300,
    });
    // While this leg runs, its 300 s are the user's fair-use hold, not counted for itself.
    const extended = decideExtend({
      terms: termsOf(started),
      usedSeconds: 300,
      reservedMicros: 0,
      money: money(10 * EUR),
      fairUseUsedSeconds: FAIR_USE_SECONDS - 300,
    });
    expect(summary(extended)).toMatchObject({
      allowed: true,
      billing: "credit",
      chargeReason: "over_fair_use",
      grantSeconds: 300,
      reserveMicros: 175_000,
    });
    const settled = settleCall({
      terms: termsOf(started),
      durationSeconds: 450,
      fairUseUsedSeconds: FAIR_USE_SECONDS - 300,
    });
    expect(settled).toMatchObject({
      billing: "included",
      includedSeconds: 300,
      creditSeconds: 150,
      billedSeconds: 180,
      amountMicros: 105_000,
    });
    expect(settled.amountMicros).toBeLessThanOrEqual(extended.reserveMicros);
  });
});

describe("quoteCall", () => {
  it.each<
    [
      string,
      Parameters<typeof quoteCall>[0],
      { billing: string; chargeReason?: string; billedSeconds: number; amountMicros: number },
    ]
  >([
    [
      "Germany from a US number, 65 s",
      {
        request: outbound(US_ACCOUNT_NUMBER, N.deFixedBerlin),
        plan: euPlan,
        tables,
        fairUseUsedSeconds: 0,
        durationSeconds: 65,
      },
      {
        billing: "credit",
        chargeReason: "number_outside_package_region",
        billedSeconds: 120,
        amountMicros: 20_000,
      },
    ],
    [
      "Germany from a German number, 65 s",
      {
        request: outbound(DE_ACCOUNT_NUMBER, N.deFixedBerlin),
        plan: euPlan,
        tables,
        fairUseUsedSeconds: 0,
        durationSeconds: 65,
      },
      { billing: "included", billedSeconds: 0, amountMicros: 0 },
    ],
    [
      "a premium number, 10 minutes",
      {
        request: outbound(DE_ACCOUNT_NUMBER, N.dePremium),
        plan: euPlan,
        tables,
        fairUseUsedSeconds: 0,
        durationSeconds: 600,
      },
      {
        billing: "credit",
        chargeReason: "premium_number",
        billedSeconds: 600,
        amountMicros: 25 * EUR,
      },
    ],
  ])("%s", (_case, input, expected) => {
    const quote = quoteCall(input);
    expect(quote.ok).toBe(true);
    if (!quote.ok) return;
    expect({
      billing: quote.terms.billing,
      ...(quote.terms.chargeReason ? { chargeReason: quote.terms.chargeReason } : {}),
      billedSeconds: quote.settlement.billedSeconds,
      amountMicros: quote.settlement.amountMicros,
    }).toEqual(expected);
    // The quote is the settlement of the same terms: no second copy of the rules.
    expect(quote.settlement).toEqual(
      settleCall({
        terms: quote.terms,
        durationSeconds: input.durationSeconds,
        fairUseUsedSeconds: input.fairUseUsedSeconds,
      }),
    );
  });

  it("does not look at the balance, and names a missing rate", () => {
    expect(
      quoteCall({
        request: outbound(DE_ACCOUNT_NUMBER, N.shortCode),
        plan: euPlan,
        tables,
        fairUseUsedSeconds: 0,
        durationSeconds: 60,
      }),
    ).toEqual({
      ok: false,
      reason: "no_rate_for_destination",
      terms: { billing: "credit", chargeReason: "special_number" },
    });
  });
});
