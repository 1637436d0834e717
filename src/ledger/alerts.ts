import {
  creditState,
  recommendedThreshold,
  SPEND_WINDOW_DAYS,
  type CreditState,
} from "./credit-state";
import { autoTopUpConfig } from "./auto-top-up";
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
  constructor(
    private readonly core: LedgerCore,
    private readonly notices: Notices,
  ) {}

  /**
   * From the last 30 days' spend, which memory keeps (memory.ts): summed from the movements
   * at most every TTL, kept current in between by each new charge (unit-of-work.ts); the
   * TTL lets old charges leave the window.
   */
  recommendedThresholdMicros(nowMs: number, currency: string): number {
    const memory = this.core.memory();
    if (!memory.spend || nowMs - memory.spend.atMs > RECOMMENDED_THRESHOLD_TTL_MS) {
      memory.spend = {
        atMs: nowMs,
        micros: this.core.store.spendSince(nowMs - SPEND_WINDOW_DAYS * DAY_MS),
      };
    }
    return recommendedThreshold(memory.spend.micros, currency);
  }

  /** The admin's own level, else the auto top-up threshold, else the recommended one. */
  lowLevelMicros(nowMs: number, currency: string): number {
    return (
      this.core.store.readSetting("low_balance_level") ??
      this.#autoTopUpThresholdMicros() ??
      this.recommendedThresholdMicros(nowMs, currency)
    );
  }

  /** The auto top-up threshold when auto top-up is on: the default low level. */
  #autoTopUpThresholdMicros(): number | null {
    const config = autoTopUpConfig(this.core.store);
    return config?.enabled ? config.thresholdMicros : null;
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

  /** The first of the checks after every change of money (unit-of-work.ts), in its transaction. */
  check(nowMs: number): void {
    const account = this.core.account();
    if (!account) return;
    const state = creditState(account.balanceMicros, this.lowLevelMicros(nowMs, account.currency));
    const previous = this.core.store.readSetting("alert_state") ?? "ok";
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
