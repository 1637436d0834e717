import type { PricedIncrements } from "./billing";
import type { CallDeck } from "./call-deck";
import { classifyNumber, isSpecialRated, type NumberClass } from "./classify";
import { fairUseLimitSeconds, type Plan } from "./plan";
import type { CallChargeReason } from "./reasons";
import type { ServiceRates } from "./service-rates";

export type CallDirection = "outbound" | "inbound";
export type CallLeg = "primary" | "forward";
export type CallBilling = "included" | "credit" | "free";

export interface CallRequest {
  direction: CallDirection;
  leg: CallLeg;
  /** E.164. For outbound legs, the account's number the call is placed from. */
  from: string;
  /** E.164. For inbound primary legs, the account's number being called. */
  to: string;
  userId: string;
}

/** The price tables a decision reads, each with the version recorded on every movement. */
export interface RatingTables {
  callDeck: CallDeck | null;
  callDeckVersion: string;
  serviceRates: ServiceRates | null;
  serviceRatesVersion: string;
}

/** The rate a leg is billed at, with where it came from. */
export interface AppliedRate extends PricedIncrements {
  source: "call-deck" | "service-rates";
  /** The deck prefix that matched; null for a service rate. */
  prefix: string | null;
  /** The deck's destination name, or the service name ("toll-free-inbound", "toll-free-outbound"). */
  destination: string;
  deckVersion: string;
}

/** Toll-free service rates are per minute, billed per started minute. */
export const TOLL_FREE_INCREMENTS = { initialSeconds: 60, subsequentSeconds: 60 } as const;

/**
 * How a leg is billed, fixed at authorize and stored with the leg: extend and settle read
 * it back instead of re-rating, so a deck replaced mid-call does not change a running leg.
 */
export interface LegTerms {
  billing: CallBilling;
  /** Present when billing is credit. */
  chargeReason?: CallChargeReason;
  /** Present for credit and included legs (an included leg may cross fair use). */
  rate?: AppliedRate;
  /** Present for included legs: the user's monthly limit, to split a crossing call. */
  fairUseLimitSeconds?: number;
}

export type LegTermsResult =
  | { ok: true; terms: LegTerms }
  | { ok: false; reason: "no_rate_for_destination"; terms: LegTerms };

type Coverage =
  | { billing: "free" }
  | { billing: "included"; fairUseLimitSeconds: number }
  | { billing: "credit"; chargeReason: CallChargeReason };

/**
 * Which rule of the seeds applies to a leg. Order matters only for the reason shown: a
 * forwarded leg, a special number and a call placed from a toll-free number are charged
 * whatever the package says, so they are named first (a special number before toll-free
 * outbound, so it keeps its own price); then package, number region, destination, and
 * fair use last, since it is the only one that depends on how much the user already called.
 */
export function coverageOf(
  request: CallRequest,
  plan: Plan | null,
  fairUseUsedSeconds: number,
  to: NumberClass = classifyNumber(request.to),
): Coverage {
  if (request.leg === "forward") return { billing: "credit", chargeReason: "forwarded_leg" };
  if (request.direction === "inbound") {
    return to.type === "toll-free"
      ? { billing: "credit", chargeReason: "toll_free_inbound" }
      : { billing: "free" };
  }
  if (isSpecialRated(to.type)) {
    return {
      billing: "credit",
      chargeReason: to.type === "premium-rate" ? "premium_number" : "special_number",
    };
  }
  const from = classifyNumber(request.from);
  // "Toll-free numbers - Inbound or outbound calls" are paid from credit (seeds).
  if (from.type === "toll-free") return { billing: "credit", chargeReason: "toll_free_outbound" };
  if (!plan) return { billing: "credit", chargeReason: "no_package" };
  if (!from.country || !plan.package.numberCountries.includes(from.country)) {
    return { billing: "credit", chargeReason: "number_outside_package_region" };
  }
  if (!to.country || !plan.package.destinations.includes(to.country)) {
    return { billing: "credit", chargeReason: "destination_not_in_package" };
  }
  const limitSeconds = fairUseLimitSeconds(plan);
  if (fairUseUsedSeconds >= limitSeconds)
    return { billing: "credit", chargeReason: "over_fair_use" };
  return { billing: "included", fairUseLimitSeconds: limitSeconds };
}

/**
 * The leg's terms with its rate. Included legs need a rate too: they may cross the fair-use
 * limit and the rest is billed at the destination rate, so an included call whose price is
 * unknown is refused rather than given away (a deck must price every package destination).
 */
export function legTermsOf(
  request: CallRequest,
  plan: Plan | null,
  tables: RatingTables,
  fairUseUsedSeconds: number,
): LegTermsResult {
  // Classified once: parsing a number is the dearest step of a decision (~10 µs).
  const to = classifyNumber(request.to);
  const coverage = coverageOf(request, plan, fairUseUsedSeconds, to);
  if (coverage.billing === "free") return { ok: true, terms: { billing: "free" } };
  const rate = rateOf(coverage, to, tables);
  const terms: LegTerms =
    coverage.billing === "included"
      ? { billing: "included", fairUseLimitSeconds: coverage.fairUseLimitSeconds }
      : { billing: "credit", chargeReason: coverage.chargeReason };
  if (!rate) return { ok: false, reason: "no_rate_for_destination", terms };
  return { ok: true, terms: { ...terms, rate } };
}

function rateOf(
  coverage: Exclude<Coverage, { billing: "free" }>,
  to: NumberClass,
  tables: RatingTables,
): AppliedRate | undefined {
  if (coverage.billing === "credit" && coverage.chargeReason === "toll_free_inbound")
    return tollFreeRate("toll-free-inbound", tables);
  if (coverage.billing === "credit" && coverage.chargeReason === "toll_free_outbound")
    return tollFreeRate("toll-free-outbound", tables) ?? destinationRate(to, tables);
  return destinationRate(to, tables);
}

function destinationRate(to: NumberClass, tables: RatingTables): AppliedRate | undefined {
  const digits = to.digits;
  // Short codes and other non-E.164 numbers have no country code, so no prefix can price them.
  if (!digits || !tables.callDeck) return undefined;
  const rate = tables.callDeck.lookup(digits);
  if (!rate) return undefined;
  return {
    source: "call-deck",
    prefix: rate.prefix,
    destination: rate.destination,
    ratePerMinuteMicros: rate.ratePerMinuteMicros,
    initialSeconds: rate.initialSeconds,
    subsequentSeconds: rate.subsequentSeconds,
    deckVersion: tables.callDeckVersion,
  };
}

/** A toll-free service rate, when the service deck has one (toll-free outbound is optional). */
function tollFreeRate(
  service: "toll-free-inbound" | "toll-free-outbound",
  tables: RatingTables,
): AppliedRate | undefined {
  const ratePerMinuteMicros = tables.serviceRates?.[service];
  if (ratePerMinuteMicros === undefined) return undefined;
  return {
    source: "service-rates",
    prefix: null,
    destination: service,
    ratePerMinuteMicros,
    ...TOLL_FREE_INCREMENTS,
    deckVersion: tables.serviceRatesVersion,
  };
}
