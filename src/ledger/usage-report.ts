import { sumMicros, type Micros } from "../money";
import { allowanceMinutesOf } from "../rating/decide";
import { fairUseLimitSeconds, type Plan } from "../rating/plan";
import type { AiService } from "../rating/service-rates";
import type { CategorySpend, UsageCounters, UserUsage } from "./usage-counters";

/** Services a plan can include minutes of; speech-to-text never has an allowance. */
const ALLOWANCE_SERVICES: readonly AiService[] = ["conversation-intelligence", "ai-voice-agents"];

export interface UsageReport {
  month: string;
  timeZone: string;
  packageName: string | null;
  /** null without a package: every call is credit, there is no fair use to count. */
  fairUseSecondsPerUser: number | null;
  users: Array<UserUsage & { overFairUse: boolean }>;
  allowances: Array<{ service: AiService; includedMinutes: number; usedMinutes: number }>;
  spend: CategorySpend[];
  totalSpendMicros: Micros;
}

/** The Billing page's "Usage & overages" for one month, from the ledger's own counters. */
export function usageReport(
  counters: UsageCounters,
  plan: Plan | null,
  month: string,
  timeZone: string,
): UsageReport {
  const limitSeconds = plan ? fairUseLimitSeconds(plan) : null;
  const used = counters.allowances(month);
  const spend = counters.spend(month);
  return {
    month,
    timeZone,
    packageName: plan?.package.name ?? null,
    fairUseSecondsPerUser: limitSeconds,
    users: counters.users(month).map((user) => ({
      ...user,
      overFairUse: limitSeconds !== null && user.includedSeconds >= limitSeconds,
    })),
    allowances: ALLOWANCE_SERVICES.map((service) => ({
      service,
      includedMinutes: allowanceMinutesOf(plan, service),
      usedMinutes: used.get(service) ?? 0,
    })),
    spend,
    totalSpendMicros: sumMicros(spend.map((s) => s.amountMicros)),
  };
}
