import { z } from "zod";
import { isCurrency, parseMoney } from "../money";
import { isTimeZone } from "../time-zone";

const MONEY_ISSUES = {
  not_a_decimal: 'must be a decimal string such as "25.00"',
  too_many_decimals: "must have at most 6 decimals",
  out_of_range: "is out of range",
} as const;

/** Money on the wire: a decimal string, parsed to integer micros. */
export const money = z
  .string({ error: 'must be a decimal string such as "25.00"' })
  .transform((text, ctx) => {
    const parsed = parseMoney(text);
    if (parsed.ok) return parsed.micros;
    ctx.addIssue({ code: "custom", message: MONEY_ISSUES[parsed.error] });
    return z.NEVER;
  });

export const positiveMoney = money.refine((micros) => micros > 0, "must be greater than zero");
export const nonNegativeMoney = money.refine((micros) => micros >= 0, "must not be negative");

export const accountId = z
  .string()
  .regex(
    /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/,
    "1 to 64 letters, digits, '_' or '-', starting with a letter or digit",
  );

export const currency = z
  .string()
  .refine(isCurrency, "must be an ISO 4217 currency code such as EUR");

export const timeZone = z
  .string()
  .refine(isTimeZone, "must be an IANA time zone such as Europe/Prague");

/** Durable Object location hints; an account's ledger is placed near its traffic. */
export const REGIONS = ["wnam", "enam", "sam", "weur", "eeur", "apac", "oc", "afr", "me"] as const;
export const region = z.enum(REGIONS);

export const accountPath = z.object({ id: accountId });

/** Instants in queries: ISO 8601 with a zone, e.g. 2026-11-01T00:00:00Z. */
export const instant = z.iso
  .datetime({ offset: true, error: "must be an ISO 8601 date-time with a zone" })
  .transform((text) => Date.parse(text));
