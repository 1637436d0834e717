import { mulDivCeil, roundUpToMinorUnits, type Micros } from "../money";

export type CreditState = "ok" | "low" | "exhausted";

/** Credit at zero or below stops outbound calling for the whole account. */
export function creditState(balanceMicros: Micros, lowLevelMicros: Micros): CreditState {
  if (balanceMicros <= 0) return "exhausted";
  if (balanceMicros < lowLevelMicros) return "low";
  return "ok";
}

export const RECOMMENDED_COVER_DAYS = 14;
export const SPEND_WINDOW_DAYS = 30;

/**
 * The seeds' advice: a threshold that covers 14 days, from the spend of the last 30 days;
 * in whole minor units, so the admin can set it (or top up by it) as offered.
 */
export function recommendedThreshold(spendLast30DaysMicros: Micros, currency: string): Micros {
  return roundUpToMinorUnits(
    mulDivCeil(Math.max(0, spendLast30DaysMicros), RECOMMENDED_COVER_DAYS, SPEND_WINDOW_DAYS),
    currency,
  );
}
