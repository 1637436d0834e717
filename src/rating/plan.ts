import { z } from "zod";
import { formatDate, localDateTime } from "../time-zone";
import { isRatingCountry } from "./classify";
import type { AiService } from "./service-rates";

/** The seeds' standard Fair Usage Policy: 3 000 minutes per user per calendar month. */
export const FAIR_USE_MINUTES_DEFAULT = 3_000;
/** A month has 44 640 minutes; a higher limit is a typo, not a generous plan. */
export const FAIR_USE_MINUTES_MAX = 44_640;
export const ALLOWANCE_MINUTES_MAX = 1_000_000;
export const PACKAGE_COUNTRIES_MAX = 250;
/** Users of one account with a fair-use limit of their own; more is a plan, not exceptions. */
export const FAIR_USE_EXCEPTIONS_MAX = 1_000;

const countryCode = z
  .string()
  .transform((code) => code.toUpperCase())
  .refine(isRatingCountry, {
    message: 'must be an ISO 3166 alpha-2 country code (e.g. "DE", "GB")',
  });

/** Sorted and de-duplicated so equal plans compare and store equal. */
const countryList = z
  .array(countryCode)
  .max(PACKAGE_COUNTRIES_MAX)
  .transform((codes) => [...new Set(codes)].sort());

const minutes = (max: number) => z.number().int().min(0).max(max);

export const packageSchema = z.strictObject({
  name: z.string().trim().min(1).max(100),
  /** Countries a call may go to and still be included. */
  destinations: countryList,
  /** Countries of the account numbers a call must be placed from to be included. */
  numberCountries: countryList,
  fupMinutesPerUser: minutes(FAIR_USE_MINUTES_MAX).default(FAIR_USE_MINUTES_DEFAULT),
});

export const allowancesSchema = z.strictObject({
  conversationIntelligenceMinutes: minutes(ALLOWANCE_MINUTES_MAX).default(0),
  voiceAgentMinutes: minutes(ALLOWANCE_MINUTES_MAX).default(0),
});

/**
 * How each AI service's usage beyond its allowance is paid: from credit (the default) or
 * with an invoice ("Speech to Text. This can be billed either from credit or with an
 * invoice"; Conversation Intelligence and Voice Agents use credit "if billed from credit").
 */
export const SERVICE_BILLING = ["credit", "invoice"] as const;
export type ServiceBilling = (typeof SERVICE_BILLING)[number];
const serviceBilling = z.enum(SERVICE_BILLING).default("credit");

export const serviceBillingSchema = z.strictObject({
  stt: serviceBilling,
  "conversation-intelligence": serviceBilling,
  "ai-voice-agents": serviceBilling,
});

/** The body of `PUT /v1/accounts/:id/plan`. */
export const planSchema = z.strictObject({
  package: packageSchema,
  allowances: allowancesSchema.default({
    conversationIntelligenceMinutes: 0,
    voiceAgentMinutes: 0,
  }),
  serviceBilling: serviceBillingSchema.default({
    stt: "credit",
    "conversation-intelligence": "credit",
    "ai-voice-agents": "credit",
  }),
});

export type Plan = z.output<typeof planSchema>;
export type CallingPackage = Plan["package"];

export function fairUseLimitSeconds(plan: Plan): number {
  return plan.package.fupMinutesPerUser * 60;
}

/** Without a plan every AI minute is charged from credit, as before plans said otherwise. */
export function serviceBillingOf(plan: Plan | null, service: AiService): ServiceBilling {
  return plan?.serviceBilling[service] ?? "credit";
}

/** The body of `PUT /v1/accounts/:id/fair-use-exceptions/:userId`. */
export const fairUseExceptionSchema = z.strictObject({
  minutesPerMonth: minutes(FAIR_USE_MINUTES_MAX),
});

/** Users whose monthly fair-use limit support set apart from the plan's, in minutes. */
export type FairUseExceptions = Readonly<Record<string, number>>;

/**
 * The plan as it applies to one user. Support may give a user a monthly limit of their
 * own ("If you believe this limit is unreasonable ... contact our support"); every rule
 * that reads the limit (decisions, the split at the limit, the report) then sees theirs.
 */
export function planForUser(
  plan: Plan | null,
  exceptions: FairUseExceptions,
  userId: string,
): Plan | null {
  const minutesPerMonth = Object.hasOwn(exceptions, userId) ? exceptions[userId] : undefined;
  if (!plan || minutesPerMonth === undefined) return plan;
  return { ...plan, package: { ...plan.package, fupMinutesPerUser: minutesPerMonth } };
}

// Calendar months in the account's time zone -------------------------------------------------

/** "YYYY-MM-DD" of an instant (ms since the epoch) in an IANA time zone. */
export function dayKeyOf(instantMs: number, timeZone: string): string {
  return formatDate(localDateTime(instantMs, timeZone));
}

export { isTimeZone } from "../time-zone";

/**
 * "YYYY-MM" of an instant in an IANA time zone. Fair use and allowances reset on the
 * account's own month boundary: a call at 23:30 on 31 October in New York is October's,
 * although it is already November in UTC.
 */
export function monthKeyOf(instantMs: number, timeZone: string): string {
  return dayKeyOf(instantMs, timeZone).slice(0, 7);
}
