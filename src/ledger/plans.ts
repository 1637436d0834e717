import type { Micros } from "../money";
import {
  FAIR_USE_EXCEPTIONS_MAX,
  planForUser,
  planSchema,
  type FairUseExceptions,
  type Plan,
} from "../rating/plan";
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
  #exceptions: FairUseExceptions | undefined;

  constructor(private readonly core: LedgerCore) {}

  plan(): Plan | null {
    // Parsed on read so a plan stored before a field existed gets that field's default.
    this.#plan ??= this.#storedPlan();
    return this.#plan;
  }

  #storedPlan(): Plan | null {
    const stored = this.core.store.readSetting<unknown>("plan");
    return stored === undefined ? null : planSchema.parse(stored);
  }

  /** The plan as one user's calls see it: with their own fair-use limit where support set one. */
  planFor(userId: string): Plan | null {
    return planForUser(this.plan(), this.fairUseExceptions(), userId);
  }

  fairUseExceptions(): FairUseExceptions {
    this.#exceptions ??=
      this.core.store.readSetting<FairUseExceptions>("fair_use_exceptions") ?? {};
    return this.#exceptions;
  }

  /** Sets (minutes) or removes (null) one user's monthly fair-use limit. */
  setFairUseException(
    userId: string,
    minutesPerMonth: number | null,
  ): LedgerResult<FairUseExceptions> {
    let next: FairUseExceptions = {};
    const result = this.core.transaction(() => {
      if (!this.core.account()) return refuse<FairUseExceptions>({ reason: "account_not_found" });
      const { [userId]: _removed, ...others } = this.fairUseExceptions();
      next = minutesPerMonth === null ? others : { ...others, [userId]: minutesPerMonth };
      if (Object.keys(next).length > FAIR_USE_EXCEPTIONS_MAX)
        return refuse<FairUseExceptions>({
          reason: "too_many",
          what: "fair-use exceptions",
          max: FAIR_USE_EXCEPTIONS_MAX,
        });
      this.core.store.writeSetting("fair_use_exceptions", next);
      return ok(next);
    });
    if (result.ok) this.#exceptions = next;
    return result;
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
