import { addMicros, type Micros } from "../money";
import {
  affordableSeconds,
  billedSeconds,
  blockCostMicros,
  legCostMicros,
  type PricedIncrements,
} from "./billing";

/**
 * Longest time a credit leg runs before the switch must ask again. Short enough that a
 * reservation does not lock up much credit (5 minutes at most per leg), long enough that a
 * typical call needs one or two extends.
 */
export const GRANT_SECONDS_MAX = 300;

/**
 * Longest grant of an included leg (also capped by the user's remaining fair use, so the
 * crossing into credit happens at an extend). Nothing is reserved for it, so it can be
 * longer than a credit grant; it bounds how long an included call outlives a balance that
 * reaches zero, since running calls are not extended past their grant.
 */
export const INCLUDED_GRANT_SECONDS_MAX = 600;

/** Free legs (inbound to standard numbers) are never stopped, so they rarely need to extend. */
export const FREE_GRANT_SECONDS = 14_400;

/**
 * OVERDRAFT BOUND. A credit leg is granted only while available credit (balance −
 * reservations) is positive, and is then granted at least one block even when the credit
 * left is less than that block costs: that is the only way a reservation passes the
 * balance, and it passes it by less than one block of that leg's rate. Settling a leg
 * within its grant never charges more than it holds, so settling only frees credit. Once
 * available ≤ 0 nothing more is granted until a settle or a top-up makes it positive again.
 * Hence, as long as the switch ends each leg at its grant:
 *
 *   available = balance − reservations ≥ −(one block of the dearest rate in use)
 *
 * which is within the DESIGN's "at most one started block per concurrently running leg"
 * (the account never owes more than one block, not one per leg). Messages and AI usage
 * are charged only while available > 0, so they can overshoot by that one charge instead.
 * It also relies on included legs holding their fair-use grant (CallInput.fairUseUsedSeconds
 * counts the user's running included grants): otherwise two concurrent included calls could
 * both cross the limit and be split at settle with nothing reserved for the credit part.
 */
export const OVERDRAFT_BLOCKS_MAX = 1;

/**
 * The overdraft bound in micros for the rates that can be granted (e.g. a deck's, or the
 * running legs') and the largest single message or usage charge.
 */
export function overdraftBoundMicros(
  rates: readonly PricedIncrements[],
  immediateChargeMaxMicros: Micros = 0,
): Micros {
  let boundMicros = immediateChargeMaxMicros;
  for (const rate of rates)
    boundMicros = Math.max(boundMicros, OVERDRAFT_BLOCKS_MAX * blockCostMicros(rate));
  return boundMicros;
}

/**
 * Spend controls of an account, each off when absent. The daily cap compares with what is
 * spent today *including open reservations*, so concurrent legs cannot each take the whole
 * remaining cap.
 */
export interface SpendControls {
  /** The most one call leg may cost. */
  maxCostPerCallMicros?: Micros;
  dailyCapMicros?: Micros;
  /** Settled charges today (account time zone) plus every open reservation, this leg's included. */
  spentTodayMicros?: Micros;
}

export type CreditRefusalReason =
  | "credit_exhausted"
  | "max_call_cost_reached"
  | "daily_spend_cap_reached";

export interface CreditGrantInput {
  rate: PricedIncrements;
  /** Seconds of this leg already billed from credit (0 for a new leg). */
  creditSecondsUsed: number;
  /** This leg's current reservation (0 for a new leg). */
  heldMicros: Micros;
  /** Balance − all reservations of the account, this leg's included. */
  availableMicros: Micros;
  controls?: SpendControls;
}

export type CreditGrant =
  | { ok: true; grantSeconds: number; reserveMicros: Micros }
  | { ok: false; reason: CreditRefusalReason };

/**
 * How much longer a credit leg may run and the reservation that must back it.
 * `reserveMicros` is the leg's whole reservation after this grant (it replaces the current
 * one): the cost of every second granted so far, rounded up to blocks.
 */
export function creditGrant({
  rate,
  creditSecondsUsed,
  heldMicros,
  availableMicros,
  controls,
}: CreditGrantInput): CreditGrant {
  if (availableMicros <= 0) return { ok: false, reason: "credit_exhausted" };
  const used = creditSecondsUsed;
  // The block that second `used + 1` falls in: finishing an already started block is free.
  const nextBlockEnd = billedSeconds(used + 1, rate);
  const reachEnd = Math.max(nextBlockEnd, used + GRANT_SECONDS_MAX);

  const moneyEnd = affordableSeconds(addMicros(availableMicros, heldMicros), rate, reachEnd);
  // At least one block while any credit is available: this is the bounded overdraft.
  let end = moneyEnd > used ? moneyEnd : nextBlockEnd;

  const caps: Array<[Micros | undefined, CreditRefusalReason]> = [
    [dailyBudgetMicros(controls, heldMicros), "daily_spend_cap_reached"],
    [controls?.maxCostPerCallMicros, "max_call_cost_reached"],
  ];
  for (const [budgetMicros, reason] of caps) {
    if (budgetMicros === undefined) continue;
    // Spend controls are hard limits: no "at least one block" past them.
    const capEnd = affordableSeconds(budgetMicros, rate, reachEnd);
    if (capEnd <= used) return { ok: false, reason };
    end = Math.min(end, capEnd);
  }

  const horizonSeconds = Math.min(end, used + GRANT_SECONDS_MAX);
  return {
    ok: true,
    grantSeconds: horizonSeconds - used,
    reserveMicros: legCostMicros(horizonSeconds, rate),
  };
}

function dailyBudgetMicros(
  controls: SpendControls | undefined,
  heldMicros: Micros,
): Micros | undefined {
  if (controls?.dailyCapMicros === undefined) return undefined;
  return controls.dailyCapMicros - (controls.spentTodayMicros ?? 0) + heldMicros;
}
