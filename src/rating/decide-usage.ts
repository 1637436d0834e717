import { mulDivCeil, type Micros } from "../money";
import { splitAllowance } from "./billing";
import { serviceBillingOf, type Plan, type ServiceBilling } from "./plan";
import type { UsageChargeReason } from "./reasons";
import type { AiService, ServiceRates } from "./service-rates";

/** Minutes of a service the plan includes each month; speech-to-text never has any (seeds). */
export function allowanceMinutesOf(plan: Plan | null, service: AiService): number {
  if (!plan) return 0;
  switch (service) {
    case "stt":
      return 0;
    case "conversation-intelligence":
      return plan.allowances.conversationIntelligenceMinutes;
    case "ai-voice-agents":
      return plan.allowances.voiceAgentMinutes;
  }
}

export interface UsageRequest {
  service: AiService;
  seconds: number;
}

export interface UsageInput {
  request: UsageRequest;
  plan: Plan | null;
  /** Minutes of this service's allowance already used this calendar month (account time zone). */
  allowanceUsedMinutes: number;
  serviceRates: ServiceRates | null;
  serviceRatesVersion: string;
  money: { balanceMicros: Micros; availableMicros: Micros };
}

interface UsageSplit {
  service: AiService;
  billedMinutes: number;
  /** Taken from the monthly allowance; the DO adds them to the month's allowance use. */
  includedMinutes: number;
  chargedMinutes: number;
}

export type UsageDecision =
  | (UsageSplit & {
      allowed: true;
      /** Who pays what is charged: credit (a movement) or the next invoice (recorded only). */
      billedBy: ServiceBilling;
      ratePerMinuteMicros: Micros;
      amountMicros: Micros;
      /** Present when something is charged. */
      chargeReason?: UsageChargeReason;
      deckVersion: string;
    })
  | (UsageSplit & { allowed: false; reason: "credit_exhausted" | "no_rate_for_service" });

/**
 * AI usage in full minutes, the month's allowance first, the rest × the service rate.
 * Refused at credit ≤ 0 only when something would be charged from credit: usage wholly
 * within the allowance costs nothing, usage the plan bills by invoice does not touch
 * credit, and the seeds block only what credit pays for. Invoice-billed usage still needs
 * a rate: it is recorded with the amount the invoice will show.
 */
export function decideUsage({
  request,
  plan,
  allowanceUsedMinutes,
  serviceRates,
  serviceRatesVersion,
  money,
}: UsageInput): UsageDecision {
  const allowanceMinutes = allowanceMinutesOf(plan, request.service);
  const split = {
    service: request.service,
    ...splitAllowance(request.seconds, allowanceMinutes - allowanceUsedMinutes),
  };
  const billedBy = serviceBillingOf(plan, request.service);
  if (split.chargedMinutes === 0) {
    const ratePerMinuteMicros = serviceRates?.[request.service] ?? 0;
    return {
      ...split,
      allowed: true,
      billedBy,
      ratePerMinuteMicros,
      amountMicros: 0,
      deckVersion: serviceRatesVersion,
    };
  }
  if (billedBy === "credit" && money.availableMicros <= 0)
    return { ...split, allowed: false, reason: "credit_exhausted" };
  if (!serviceRates) return { ...split, allowed: false, reason: "no_rate_for_service" };
  const ratePerMinuteMicros = serviceRates[request.service];
  const chargeReason: UsageChargeReason =
    request.service === "stt"
      ? "speech_to_text"
      : allowanceMinutes > 0
        ? "allowance_exceeded"
        : "no_allowance";
  return {
    ...split,
    allowed: true,
    billedBy,
    ratePerMinuteMicros,
    amountMicros: mulDivCeil(ratePerMinuteMicros, split.chargedMinutes, 1),
    chargeReason,
    deckVersion: serviceRatesVersion,
  };
}
