import { z } from "zod";
import { isCurrency, MONEY_PATTERNS, parseMoney } from "../money";
import { canonicalTimeZone, isTimeZone } from "../time-zone";

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
  })
  .meta({ pattern: MONEY_PATTERNS.any });

export const positiveMoney = money
  .refine((micros) => micros > 0, "must be greater than zero")
  .meta({ pattern: MONEY_PATTERNS.positive });
export const nonNegativeMoney = money
  .refine((micros) => micros >= 0, "must not be negative")
  .meta({ pattern: MONEY_PATTERNS.nonNegative });
export const nonZeroMoney = money
  .refine((micros) => micros !== 0, "must not be zero")
  .meta({ pattern: MONEY_PATTERNS.nonZero });

export const accountId = z
  .string()
  .regex(
    /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/,
    "1 to 64 letters, digits, '_' or '-', starting with a letter or digit",
  );

export const currency = z
  .string()
  .refine(isCurrency, "must be an ISO 4217 currency code such as EUR")
  .meta({ enum: Intl.supportedValuesOf("currency") });

/** An IANA time zone, stored under its canonical name ("utc" is kept as "UTC"). */
export const timeZone = z
  .string()
  .refine(isTimeZone, "must be an IANA time zone such as Europe/Prague")
  .transform(canonicalTimeZone)
  .meta({ enum: ["UTC", ...Intl.supportedValuesOf("timeZone")] });

/** Durable Object location hints; an account's ledger is placed near its traffic. */
export const REGIONS = ["wnam", "enam", "sam", "weur", "eeur", "apac", "oc", "afr", "me"] as const;
export const region = z.enum(REGIONS);

export const accountPath = z.object({ id: accountId });

/** Instants in queries: ISO 8601 with a zone, e.g. 2026-11-01T00:00:00Z. */
export const instant = z.iso
  .datetime({ offset: true, error: "must be an ISO 8601 date-time with a zone" })
  .transform((text) => Date.parse(text));

/**
 * A count in a query string: plain decimal digits only, no sign, spaces, hex or exponent.
 * The document's pattern is the part of the range it can spell: 1 to 10^(digits of max − 1) − 1.
 */
export const queryCount = (min: 0 | 1, max: number) =>
  z
    .string()
    .regex(/^\d{1,9}$/, "must be plain decimal digits")
    .transform(Number)
    .pipe(z.number().int().min(min).max(max))
    .meta({
      pattern: `^[${min}-9]\\d{0,${String(max).length - 2}}$`,
      description: `${min} to ${max}, in plain decimal digits`,
    });
