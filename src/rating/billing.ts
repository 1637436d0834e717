import { mulDivCeil, mulDivFloor, type Micros } from "../money";

export interface Increments {
  initialSeconds: number;
  subsequentSeconds: number;
}

export interface PricedIncrements extends Increments {
  ratePerMinuteMicros: Micros;
}

/**
 * Seconds charged for a call leg: every started block is charged whole, the first block
 * being `initialSeconds` long and the rest `subsequentSeconds` (60/60: 65 s → 120 s; 30/6:
 * 31 s → 36 s). A leg that never connected (0 s) costs nothing.
 */
export function billedSeconds(
  durationSeconds: number,
  { initialSeconds, subsequentSeconds }: Increments,
): number {
  assertSeconds(durationSeconds);
  assertIncrements(initialSeconds, subsequentSeconds);
  if (durationSeconds === 0) return 0;
  if (durationSeconds <= initialSeconds) return initialSeconds;
  return (
    initialSeconds +
    Math.ceil((durationSeconds - initialSeconds) / subsequentSeconds) * subsequentSeconds
  );
}

/**
 * Cost of billed seconds at a per-minute rate, rounded up to the micro. Rounding up (never
 * down) means a sum of leg costs can only overstate by under one micro per leg, and the
 * reservation computed with the same function always covers the settled amount.
 */
export function callCostMicros(ratePerMinuteMicros: Micros, billedSecondsValue: number): Micros {
  return mulDivCeil(ratePerMinuteMicros, billedSecondsValue, 60);
}

/** What a leg of `durationSeconds` costs at a rate: the one formula for grants, settles and quotes. */
export function legCostMicros(durationSeconds: number, rate: PricedIncrements): Micros {
  return callCostMicros(rate.ratePerMinuteMicros, billedSeconds(durationSeconds, rate));
}

/** The dearest single block of a rate: what one "at least one block" grant may overdraw. */
export function blockCostMicros(rate: PricedIncrements): Micros {
  return callCostMicros(
    rate.ratePerMinuteMicros,
    Math.max(rate.initialSeconds, rate.subsequentSeconds),
  );
}

/**
 * The longest block-aligned duration whose cost fits `budgetMicros`, at most `limitSeconds`
 * rounded down to a block end; 0 when not even the first block fits. `undefined` budget
 * means unlimited.
 */
export function affordableSeconds(
  budgetMicros: Micros | undefined,
  rate: PricedIncrements,
  limitSeconds: number,
): number {
  assertSeconds(limitSeconds);
  const limitEnd = blockEndAtOrBefore(limitSeconds, rate);
  if (budgetMicros === undefined || rate.ratePerMinuteMicros === 0) return limitEnd;
  if (budgetMicros <= 0) return 0;
  // Clamped first so the division below stays within safe integers for any budget.
  const budget = Math.min(budgetMicros, callCostMicros(rate.ratePerMinuteMicros, limitEnd));
  // cost(s) = ⌈rate·s/60⌉ ≤ budget  ⇔  s ≤ ⌊budget·60/rate⌋ (budget is an integer).
  const secondsMax = mulDivFloor(budget, 60, rate.ratePerMinuteMicros);
  return blockEndAtOrBefore(Math.min(secondsMax, limitSeconds), rate);
}

/** The last block end at or before `seconds` (0 when the first block does not fit). */
export function blockEndAtOrBefore(
  seconds: number,
  { initialSeconds, subsequentSeconds }: Increments,
): number {
  if (seconds < initialSeconds) return 0;
  return (
    initialSeconds + Math.floor((seconds - initialSeconds) / subsequentSeconds) * subsequentSeconds
  );
}

// AI usage -------------------------------------------------------------------------------------

/** AI usage is billed in full minutes: 61 s → 2 min, 0 s → 0. */
export function billedMinutes(seconds: number): number {
  assertSeconds(seconds);
  return Math.ceil(seconds / 60);
}

export interface AllowanceSplit {
  billedMinutes: number;
  includedMinutes: number;
  chargedMinutes: number;
}

/** Minutes of one usage record, taken from the month's allowance first and the rest charged. */
export function splitAllowance(seconds: number, allowanceRemainingMinutes: number): AllowanceSplit {
  const minutes = billedMinutes(seconds);
  const includedMinutes = Math.min(minutes, Math.max(0, allowanceRemainingMinutes));
  return { billedMinutes: minutes, includedMinutes, chargedMinutes: minutes - includedMinutes };
}

function assertSeconds(seconds: number): void {
  if (!Number.isSafeInteger(seconds) || seconds < 0)
    throw new RangeError(`not a whole non-negative number of seconds: ${seconds}`);
}

function assertIncrements(initialSeconds: number, subsequentSeconds: number): void {
  if (
    !Number.isSafeInteger(initialSeconds) ||
    !Number.isSafeInteger(subsequentSeconds) ||
    initialSeconds < 1 ||
    subsequentSeconds < 1
  ) {
    throw new RangeError(
      `increments must be positive whole seconds: ${initialSeconds}/${subsequentSeconds}`,
    );
  }
}
