import { sumMicros, type Micros } from "../money";
import { allowanceMinutesOf } from "../rating/decide";
import {
  fairUseLimitSeconds,
  planForUser,
  type FairUseExceptions,
  type Plan,
} from "../rating/plan";
import type { AiService } from "../rating/service-rates";
import type { InvoicedService } from "./invoice-usage";
import type { CategorySpend, UsageCounters, UserUsage } from "./usage-counters";

/** Services a plan can include minutes of; speech-to-text never has an allowance. */
const ALLOWANCE_SERVICES: readonly AiService[] = ["conversation-intelligence", "ai-voice-agents"];

export interface UsageReport {
  month: string;
  timeZone: string;
  packageName: string | null;
  /** null without a package: every call is credit, there is no fair use to count. */
  fairUseSecondsPerUser: number | null;
  users: Array<
    UserUsage & {
      /** This user's limit: the plan's, or the one support set for them. */
      fairUseSeconds: number | null;
      fairUseException: boolean;
      overFairUse: boolean;
    }
  >;
  allowances: Array<{ service: AiService; includedMinutes: number; usedMinutes: number }>;
  /** Charged from credit. */
  spend: CategorySpend[];
  totalSpendMicros: Micros;
  /** Billed by invoice: never debited from credit, so not in spend or its total. */
  invoiced: InvoicedService[];
  totalInvoicedMicros: Micros;
}

export interface UsageReportInput {
  counters: UsageCounters;
  invoiced: InvoicedService[];
  plan: Plan | null;
  fairUseExceptions: FairUseExceptions;
  month: string;
  timeZone: string;
}

/** The Billing page's "Usage & overages" for one month, from the ledger's own counters. */
export function usageReport({
  counters,
  invoiced,
  plan,
  fairUseExceptions,
  month,
  timeZone,
}: UsageReportInput): UsageReport {
  const limitSeconds = plan ? fairUseLimitSeconds(plan) : null;
  const used = counters.allowances(month);
  const spend = counters.spend(month);
  return {
    month,
    timeZone,
    packageName: plan?.package.name ?? null,
    fairUseSecondsPerUser: limitSeconds,
    users: counters.users(month).map((user) => {
      const userPlan = planForUser(plan, fairUseExceptions, user.userId);
      const userLimitSeconds = userPlan ? fairUseLimitSeconds(userPlan) : null;
      return {
        ...user,
        fairUseSeconds: userLimitSeconds,
        fairUseException: plan !== null && Object.hasOwn(fairUseExceptions, user.userId),
        overFairUse: userLimitSeconds !== null && user.includedSeconds >= userLimitSeconds,
      };
    }),
    allowances: ALLOWANCE_SERVICES.map((service) => ({
      service,
      includedMinutes: allowanceMinutesOf(plan, service),
      usedMinutes: used.get(service) ?? 0,
    })),
    spend,
    totalSpendMicros: sumMicros(spend.map((s) => s.amountMicros)),
    invoiced,
    totalInvoicedMicros: sumMicros(invoiced.map((s) => s.amountMicros)),
  };
}
