import type { Micros } from "../money";
import {
  FAIR_USE_EXCEPTIONS_MAX,
  planForUser,
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
  constructor(private readonly core: LedgerCore) {}

  /** Read on every call decision: decoded once and kept by the store's memory (memory.ts). */
  plan(): Plan | null {
    return this.core.store.readSetting("plan") ?? null;
  }

  /** The plan as one user's calls see it: with their own fair-use limit where support set one. */
  planFor(userId: string): Plan | null {
    return planForUser(this.plan(), this.fairUseExceptions(), userId);
  }

  fairUseExceptions(): FairUseExceptions {
    return this.core.store.readSetting("fair_use_exceptions") ?? {};
  }

  /** Sets (minutes) or removes (null) one user's monthly fair-use limit. */
  setFairUseException(
    userId: string,
    minutesPerMonth: number | null,
  ): LedgerResult<FairUseExceptions> {
    return this.core.transaction(() => {
      if (!this.core.account()) return refuse<FairUseExceptions>({ reason: "account_not_found" });
      const { [userId]: _removed, ...others } = this.fairUseExceptions();
      const next = minutesPerMonth === null ? others : { ...others, [userId]: minutesPerMonth };
      if (Object.keys(next).length > FAIR_USE_EXCEPTIONS_MAX)
        return refuse<FairUseExceptions>({
          reason: "too_many",
          what: "fair-use exceptions",
          max: FAIR_USE_EXCEPTIONS_MAX,
        });
      this.core.store.writeSetting("fair_use_exceptions", next);
      return ok(next);
    });
  }

  setPlan(plan: Plan): LedgerResult<Plan> {
    return this.core.transaction(() => {
      if (!this.core.account()) return refuse<Plan>({ reason: "account_not_found" });
      this.core.store.writeSetting("plan", plan);
      return ok(plan);
    });
  }

  spendControls(): SpendControlSettings {
    return this.core.store.readSetting("spend_controls") ?? NO_SPEND_CONTROLS;
  }

  setSpendControls(controls: SpendControlSettings): LedgerResult<SpendControlSettings> {
    return this.core.transaction(() => {
      if (!this.core.account())
        return refuse<SpendControlSettings>({ reason: "account_not_found" });
      this.core.store.writeSetting("spend_controls", controls);
      return ok(controls);
    });
  }
}
