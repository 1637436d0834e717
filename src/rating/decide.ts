/**
 * The authorization decisions: pure functions from (account state, plan, rates, request)
 * to an answer. The ledger DO runs them inside its transaction and writes what they say;
 * nothing here reads a clock or storage. Refusals are values, never exceptions.
 */
import type { Micros } from "../money";
import { billedSeconds, legCostMicros } from "./billing";
import {
  legTermsOf,
  type CallBilling,
  type CallRequest,
  type LegTerms,
  type RatingTables,
} from "./call-terms";
import {
  creditGrant,
  FREE_GRANT_SECONDS,
  INCLUDED_GRANT_SECONDS_MAX,
  type SpendControls,
} from "./grant";
import type { Plan } from "./plan";
import type { CallChargeReason, RefusalReason } from "./reasons";

export * from "./call-terms";
export * from "./decide-message";
export * from "./decide-usage";
export * from "./grant";
export * from "./reasons";

export interface AccountMoney {
  balanceMicros: Micros;
  /** balanceMicros − every open reservation. */
  availableMicros: Micros;
}

export type CallRefusalReason = Exclude<RefusalReason, "no_rate_for_service">;

export type CallDecision = LegTerms &
  (
    | {
        allowed: true;
        /** Seconds the leg may run from its start (authorize) or from usedSeconds (extend). */
        grantSeconds: number;
        /**
         * The leg's whole reservation after this decision (replaces the current one); 0 for
         * included and free legs. For included legs `grantSeconds` is the user's fair-use
         * hold instead, so two concurrent calls cannot both use the last included minutes.
         */
        reserveMicros: Micros;
      }
    | { allowed: false; reason: CallRefusalReason; grantSeconds: 0; reserveMicros: Micros }
  );

export interface CallInput {
  request: CallRequest;
  /** null: no package, every outbound leg is credit. */
  plan: Plan | null;
  tables: RatingTables;
  money: AccountMoney;
  /**
   * The user's package seconds this calendar month (account time zone): settled included
   * seconds plus the included grants of the user's other running legs.
   */
  fairUseUsedSeconds: number;
  controls?: SpendControls;
}

/** May this leg start, how is it billed, for how long, and what must be reserved. */
export function decideCall({
  request,
  plan,
  tables,
  money,
  fairUseUsedSeconds,
  controls,
}: CallInput): CallDecision {
  const termsResult = legTermsOf(request, plan, tables, fairUseUsedSeconds);
  const { terms } = termsResult;
  // Standard inbound connects whatever the balance: the seeds' "not affected" case.
  if (terms.billing === "free")
    return { ...terms, allowed: true, grantSeconds: FREE_GRANT_SECONDS, reserveMicros: 0 };
  if (isCreditExhausted(terms.billing, money)) return refuse(terms, "credit_exhausted", 0);
  if (!termsResult.ok) return refuse(terms, termsResult.reason, 0);
  if (terms.billing === "included") {
    const remainingSeconds = (terms.fairUseLimitSeconds ?? 0) - fairUseUsedSeconds;
    return {
      ...terms,
      allowed: true,
      grantSeconds: Math.min(INCLUDED_GRANT_SECONDS_MAX, remainingSeconds),
      reserveMicros: 0,
    };
  }
  const grant = creditGrant({
    rate: rateOf(terms),
    creditSecondsUsed: 0,
    heldMicros: 0,
    availableMicros: money.availableMicros,
    controls,
  });
  if (!grant.ok) return refuse(terms, grant.reason, 0);
  return {
    ...terms,
    allowed: true,
    grantSeconds: grant.grantSeconds,
    reserveMicros: grant.reserveMicros,
  };
}

/**
 * Zero credit blocks the whole account at once (seeds). Included legs cost nothing, so
 * the user-visible balance decides for them; credit legs must reserve, so they need
 * available credit (balance − reservations), which is never above the balance.
 */
function isCreditExhausted(billing: CallBilling, money: AccountMoney): boolean {
  if (billing === "included") return money.balanceMicros <= 0;
  if (billing === "credit") return money.availableMicros <= 0;
  return false;
}

export interface ExtendInput {
  /** The terms stored with the leg at authorize. */
  terms: LegTerms;
  usedSeconds: number;
  /** This leg's current reservation. */
  reservedMicros: Micros;
  money: AccountMoney;
  /** As in CallInput, but without this leg's own included grant. */
  fairUseUsedSeconds: number;
  controls?: SpendControls;
}

/**
 * More time for a running leg. No grant is extended once credit is ≤ 0, so running calls
 * stop at the end of their current grant; an included leg that reaches the fair-use limit
 * continues on credit ("over_fair_use") at its destination rate. A refusal keeps the
 * current reservation: the leg may still run to the end of what it was granted.
 */
export function decideExtend({
  terms,
  usedSeconds,
  reservedMicros,
  money,
  fairUseUsedSeconds,
  controls,
}: ExtendInput): CallDecision {
  assertSeconds(usedSeconds);
  if (terms.billing === "free")
    return { ...terms, allowed: true, grantSeconds: FREE_GRANT_SECONDS, reserveMicros: 0 };
  if (terms.billing === "included") {
    if (money.balanceMicros <= 0) return refuse(terms, "credit_exhausted", reservedMicros);
    const includedRemainingSeconds =
      (terms.fairUseLimitSeconds ?? 0) - fairUseUsedSeconds - usedSeconds;
    if (includedRemainingSeconds > 0) {
      return {
        ...terms,
        allowed: true,
        grantSeconds: Math.min(INCLUDED_GRANT_SECONDS_MAX, includedRemainingSeconds),
        reserveMicros: 0,
      };
    }
  }
  const split = splitAtFairUse(terms, usedSeconds, fairUseUsedSeconds);
  const creditTerms: LegTerms = {
    ...terms,
    billing: "credit",
    chargeReason: creditReasonOf(terms),
  };
  const grant = creditGrant({
    rate: rateOf(terms),
    creditSecondsUsed: split.creditSeconds,
    heldMicros: reservedMicros,
    availableMicros: money.availableMicros,
    controls,
  });
  if (!grant.ok) return refuse(creditTerms, grant.reason, reservedMicros);
  return {
    ...creditTerms,
    allowed: true,
    grantSeconds: grant.grantSeconds,
    reserveMicros: grant.reserveMicros,
  };
}

export interface SettleInput {
  terms: LegTerms;
  durationSeconds: number;
  /** As in ExtendInput: the user's fair-use seconds without this leg. */
  fairUseUsedSeconds: number;
  /** The leg was never ended and is settled by the alarm for the time it was granted. */
  abandoned?: boolean;
}

export interface CallSettlement {
  billing: CallBilling;
  durationSeconds: number;
  /** Seconds covered by the package; the DO adds them to the user's fair use. */
  includedSeconds: number;
  /** Seconds charged from credit, before rounding to blocks. */
  creditSeconds: number;
  /** creditSeconds rounded up to the rate's blocks: the export's "Units charged". */
  billedSeconds: number;
  amountMicros: Micros;
  abandoned: boolean;
  /** Why and at what price, for the movement; present whenever seconds went to credit. */
  charge?: { chargeReason: CallChargeReason; rate: NonNullable<LegTerms["rate"]> };
}

/**
 * What a finished leg costs. A credit leg is billed whole. An included leg that crossed
 * the fair-use limit is split: the seconds within the limit are included, the rest is a
 * fresh run of blocks from credit at the destination rate with its increments.
 */
export function settleCall({
  terms,
  durationSeconds,
  fairUseUsedSeconds,
  abandoned = false,
}: SettleInput): CallSettlement {
  assertSeconds(durationSeconds);
  const base = { billing: terms.billing, durationSeconds, abandoned };
  if (terms.billing === "free") {
    return { ...base, includedSeconds: 0, creditSeconds: 0, billedSeconds: 0, amountMicros: 0 };
  }
  const { includedSeconds, creditSeconds } = splitAtFairUse(
    terms,
    durationSeconds,
    fairUseUsedSeconds,
  );
  if (creditSeconds === 0)
    return { ...base, includedSeconds, creditSeconds, billedSeconds: 0, amountMicros: 0 };
  const rate = rateOf(terms);
  return {
    ...base,
    includedSeconds,
    creditSeconds,
    billedSeconds: billedSeconds(creditSeconds, rate),
    amountMicros: legCostMicros(creditSeconds, rate),
    charge: { chargeReason: creditReasonOf(terms), rate },
  };
}

export interface QuoteInput {
  request: CallRequest;
  plan: Plan | null;
  tables: RatingTables;
  fairUseUsedSeconds: number;
  durationSeconds: number;
}

export type CallQuote =
  | { ok: true; terms: LegTerms; settlement: CallSettlement }
  | { ok: false; reason: "no_rate_for_destination"; terms: LegTerms };

/**
 * What a call of `durationSeconds` would cost and why, by the same rules as authorize and
 * settle. It does not look at the balance: it answers "what would this cost", not "may it
 * start now".
 */
export function quoteCall({
  request,
  plan,
  tables,
  fairUseUsedSeconds,
  durationSeconds,
}: QuoteInput): CallQuote {
  const termsResult = legTermsOf(request, plan, tables, fairUseUsedSeconds);
  if (!termsResult.ok) return termsResult;
  return {
    ok: true,
    terms: termsResult.terms,
    settlement: settleCall({ terms: termsResult.terms, durationSeconds, fairUseUsedSeconds }),
  };
}

function splitAtFairUse(
  terms: LegTerms,
  seconds: number,
  fairUseUsedSeconds: number,
): { includedSeconds: number; creditSeconds: number } {
  if (terms.billing !== "included") return { includedSeconds: 0, creditSeconds: seconds };
  const remainingSeconds = Math.max(0, (terms.fairUseLimitSeconds ?? 0) - fairUseUsedSeconds);
  const includedSeconds = Math.min(seconds, remainingSeconds);
  return { includedSeconds, creditSeconds: seconds - includedSeconds };
}

function creditReasonOf(terms: LegTerms): CallChargeReason {
  if (terms.billing === "included") return "over_fair_use";
  if (!terms.chargeReason) throw new Error("a credit leg without a charge reason");
  return terms.chargeReason;
}

/** Terms built by legTermsOf always carry a rate for credit and included legs. */
function rateOf(terms: LegTerms): NonNullable<LegTerms["rate"]> {
  if (!terms.rate) throw new Error(`a ${terms.billing} leg without a rate`);
  return terms.rate;
}

function refuse(terms: LegTerms, reason: CallRefusalReason, reserveMicros: Micros): CallDecision {
  return { ...terms, allowed: false, reason, grantSeconds: 0, reserveMicros };
}

function assertSeconds(seconds: number): void {
  if (!Number.isSafeInteger(seconds) || seconds < 0)
    throw new RangeError(`not a whole non-negative number of seconds: ${seconds}`);
}
