import {
  creditState,
  recommendedThreshold,
  SPEND_WINDOW_DAYS,
  type CreditState,
} from "./credit-state";
import type { LedgerCore } from "./core";
import type { Notices } from "./notices";

const DAY_MS = 86_400_000;
/** The recommended threshold sums 30 days of movements; it is recomputed at most this often. */
export const RECOMMENDED_THRESHOLD_TTL_MS = 10 * 60_000;

/**
 * The account's credit state (ok, low, exhausted) and its alerts. A notice goes out when
 * the state worsens, once per transition, never once per call.
 */
export class CreditAlerts {
  /**
   * The last 30 days' spend, summed from the movements at most every TTL and kept current
   * in between by adding each new charge; the TTL lets old charges leave the window.
   */
  #spend: { atMs: number; micros: number } | null = null;

  constructor(
    private readonly core: LedgerCore,
    private readonly notices: Notices,
    /** The auto top-up threshold when auto top-up is on: the default low level. */
    private readonly autoTopUpThreshold: () => number | null,
  ) {
    // A rolled-back charge must not stay counted: the next read sums the movements again.
    core.onRollback(() => {
      this.#spend = null;
    });
    core.onMovement((movement) => {
      // The same rule as LedgerStore.spendSince: charges, not adjustments or top-ups.
      if (this.#spend && movement.amountMicros < 0 && movement.description !== "adjustment") {
        this.#spend = { ...this.#spend, micros: this.#spend.micros - movement.amountMicros };
      }
    });
  }

  recommendedThresholdMicros(nowMs: number, currency: string): number {
    if (!this.#spend || nowMs - this.#spend.atMs > RECOMMENDED_THRESHOLD_TTL_MS) {
      this.#spend = {
        atMs: nowMs,
        micros: this.core.store.spendSince(nowMs - SPEND_WINDOW_DAYS * DAY_MS),
      };
    }
    return recommendedThreshold(this.#spend.micros, currency);
  }

  /** The admin's own level, else the auto top-up threshold, else the recommended one. */
  lowLevelMicros(nowMs: number, currency: string): number {
    return (
      this.core.store.readSetting<number>("low_balance_level") ??
      this.autoTopUpThreshold() ??
      this.recommendedThresholdMicros(nowMs, currency)
    );
  }

  setLowLevel(micros: number | null): void {
    if (micros === null) this.core.store.deleteSetting("low_balance_level");
    else this.core.store.writeSetting("low_balance_level", micros);
  }

  state(nowMs: number): CreditState {
    const account = this.core.account();
    return account
      ? creditState(account.balanceMicros, this.lowLevelMicros(nowMs, account.currency))
      : "exhausted";
  }

  /** Inside the transaction of every change of balance. */
  check(nowMs: number): void {
    const account = this.core.account();
    if (!account) return;
    const state = creditState(account.balanceMicros, this.lowLevelMicros(nowMs, account.currency));
    const previous = this.core.store.readSetting<CreditState>("alert_state") ?? "ok";
    if (state === previous) return;
    this.core.store.writeSetting("alert_state", state);
    const worse = rank(state) > rank(previous);
    if (!worse) return;
    const base = { balanceMicros: account.balanceMicros, currency: account.currency };
    this.notices.enqueue(
      state === "exhausted"
        ? { kind: "credit.exhausted", ...base }
        : { kind: "credit.low", ...base },
    );
  }
}

const rank = (state: CreditState) => ({ ok: 0, low: 1, exhausted: 2 })[state];
