import type { Micros } from "../money";
import { roundUpToChargeable } from "./stripe-currencies";

/** Failed auto top-ups in a row after which auto top-up switches itself off. */
export const AUTO_TOP_UP_FAILURES_MAX = 3;
/** Waits before retrying a failed auto top-up: growing, so a card is never hammered. */
export const AUTO_TOP_UP_RETRY_DELAYS_MS = [15 * 60_000, 60 * 60_000] as const;
/** Default cap of auto top-ups per account per day (UTC), so a runaway spend cannot drain a card. */
export const AUTO_TOP_UPS_PER_DAY_DEFAULT = 5;

export interface AutoTopUpConfig {
  enabled: boolean;
  thresholdMicros: Micros;
  amountMicros: Micros;
  /** A method named in the settings; null charges the card on file. */
  paymentMethod: string | null;
  maxPerDay: number;
}

export interface AutoTopUpState {
  /** A payment of this account's auto top-up not yet succeeded or failed. */
  inFlight: boolean;
  consecutiveFailures: number;
  /** No new attempt before this instant after a failure. */
  retryNotBeforeMs: number;
  startedTodayCount: number;
}

export type AutoTopUpDecision =
  | { start: true; amountMicros: Micros }
  | {
      start: false;
      why: "disabled" | "above_threshold" | "in_flight" | "backing_off" | "daily_limit";
    };

/**
 * Whether the ledger starts an auto top-up now, and for how much. Runs inside the same
 * transaction as the debit that crossed the threshold, so however many debits race, the
 * first one starts the payment and the rest see it in flight.
 *
 * The amount is the configured one, or more when that would not lift the available
 * credit (reservations and top-ups in flight counted) back above the threshold; rounded
 * up to what the gateway can charge in the currency.
 */
export function decideAutoTopUp(
  config: AutoTopUpConfig | null,
  state: AutoTopUpState,
  availableMicros: Micros,
  pendingTopUpsMicros: Micros,
  currency: string,
  nowMs: number,
): AutoTopUpDecision {
  if (!config?.enabled) return { start: false, why: "disabled" };
  const expected = availableMicros + pendingTopUpsMicros;
  if (expected >= config.thresholdMicros) return { start: false, why: "above_threshold" };
  if (state.inFlight) return { start: false, why: "in_flight" };
  if (nowMs < state.retryNotBeforeMs) return { start: false, why: "backing_off" };
  if (state.startedTodayCount >= config.maxPerDay) return { start: false, why: "daily_limit" };
  const needed = config.thresholdMicros - expected + 1;
  return {
    start: true,
    amountMicros: roundUpToChargeable(Math.max(config.amountMicros, needed), currency),
  };
}

/** When to try again after the n-th failure in a row, or null when auto top-up gives up. */
export function autoTopUpRetryAtMs(consecutiveFailures: number, nowMs: number): number | null {
  if (consecutiveFailures >= AUTO_TOP_UP_FAILURES_MAX) return null;
  const delays = AUTO_TOP_UP_RETRY_DELAYS_MS;
  const delay = delays[Math.min(consecutiveFailures - 1, delays.length - 1)] ?? delays[0];
  return nowMs + delay;
}
