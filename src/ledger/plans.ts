import type { Micros } from "../money";
import type { Plan } from "../rating/plan";
import type { LedgerCore } from "./core";
import { ok, refuse, type LedgerResult } from "./types";

/** Off by default: null means no limit. */
export interface SpendControlSettings {
  maxCostPerCallMicros: Micros | null;
  dailyCapMicros: Micros | null;
}

export const NO_SPEND_CONTROLS: SpendControlSettings = {
  maxCostPerCallMicros: null,
  dailyCapMicros: null,
};

/**
 * What the account bought (its plan) and the limits its admin set. Kept in the ledger so
 * a decision reads them in the same transaction as the balance; validated by the caller.
 */
export class AccountPlans {
  // Read on every call decision; this object is the only writer of both, so the copies
  // in memory stay true (they are replaced only after the write has committed).
  #plan: Plan | null | undefined;
  #controls: SpendControlSettings | undefined;

  constructor(private readonly core: LedgerCore) {}

  plan(): Plan | null {
    this.#plan ??= this.core.store.readSetting<Plan>("plan") ?? null;
    return this.#plan;
  }

  setPlan(plan: Plan): LedgerResult<Plan> {
    const result = this.core.transaction(() => {
      if (!this.core.account()) return refuse<Plan>({ reason: "account_not_found" });
      this.core.store.writeSetting("plan", plan);
      return ok(plan);
    });
    if (result.ok) this.#plan = plan;
    return result;
  }

  spendControls(): SpendControlSettings {
    this.#controls ??=
      this.core.store.readSetting<SpendControlSettings>("spend_controls") ?? NO_SPEND_CONTROLS;
    return this.#controls;
  }

  setSpendControls(controls: SpendControlSettings): LedgerResult<SpendControlSettings> {
    const result = this.core.transaction(() => {
      if (!this.core.account())
        return refuse<SpendControlSettings>({ reason: "account_not_found" });
      this.core.store.writeSetting("spend_controls", controls);
      return ok(controls);
    });
    if (result.ok) this.#controls = controls;
    return result;
  }
}
