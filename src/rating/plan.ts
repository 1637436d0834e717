import { z } from "zod";
import { isRatingCountry } from "./classify";

/** The seeds' standard Fair Usage Policy: 3 000 minutes per user per calendar month. */
export const FAIR_USE_MINUTES_DEFAULT = 3_000;
/** A month has 44 640 minutes; a higher limit is a typo, not a generous plan. */
export const FAIR_USE_MINUTES_MAX = 44_640;
export const ALLOWANCE_MINUTES_MAX = 1_000_000;
export const PACKAGE_COUNTRIES_MAX = 250;

const countryCode = z
  .string()
  .transform((code) => code.toUpperCase())
  .refine(isRatingCountry, { message: "must be an ISO 3166 alpha-2 country code (e.g. \"DE\", \"GB\")" });

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

/** The body of `PUT /v1/accounts/:id/plan`. */
export const planSchema = z.strictObject({
  package: packageSchema,
  allowances: allowancesSchema.default({ conversationIntelligenceMinutes: 0, voiceAgentMinutes: 0 }),
});

export type Plan = z.output<typeof planSchema>;
export type CallingPackage = Plan["package"];

export function fairUseLimitSeconds(plan: Plan): number {
  return plan.package.fupMinutesPerUser * 60;
}

// Calendar months in the account's time zone -------------------------------------------------

/** Formatters are costly to build and few zones are in use, so they are kept per zone. */
const formatters = new Map<string, Intl.DateTimeFormat>();
const FORMATTERS_CACHED_MAX = 500;

function formatterOf(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat("en-US", {
      timeZone,
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hourCycle: "h23",
    });
    if (formatters.size >= FORMATTERS_CACHED_MAX) formatters.clear();
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

export function isTimeZone(timeZone: string): boolean {
  try {
    formatterOf(timeZone);
    return true;
  } catch {
    return false;
  }
}

/** "YYYY-MM-DD" of an instant (ms since the epoch) in an IANA time zone. */
export function dayKeyOf(instantMs: number, timeZone: string): string {
  const parts = formatterOf(timeZone).formatToParts(new Date(instantMs));
  const part = (type: Intl.DateTimeFormatPartTypes) => parts.find((p) => p.type === type)?.value;
  const year = part("year");
  const month = part("month");
  const day = part("day");
  if (!year || !month || !day) throw new Error(`cannot format ${instantMs} in ${timeZone}`);
  return `${year.padStart(4, "0")}-${month}-${day}`;
}

/**
 * "YYYY-MM" of an instant in an IANA time zone. Fair use and allowances reset on the
 * account's own month boundary: a call at 23:30 on 31 October in New York is October's,
 * although it is already November in UTC.
 */
export function monthKeyOf(instantMs: number, timeZone: string): string {
  return dayKeyOf(instantMs, timeZone).slice(0, 7);
}
