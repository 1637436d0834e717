// The full ("max") metadata is needed: only it carries the number-type ranges (toll-free,
// premium-rate, mobile, ...). It adds about 150 KB to the bundle, which the Worker size
// limit easily absorbs; the "min" metadata would classify every number as unknown.
import { isSupportedCountry, parsePhoneNumberFromString } from "libphonenumber-js/max";

export type NumberType =
  | "toll-free"
  | "premium-rate"
  | "shared-cost"
  | "uan"
  | "personal"
  | "voip"
  | "mobile"
  | "fixed"
  | "special";

export interface NumberClass {
  /** The E.164 digits without "+", when the input is E.164-shaped (needed for prefix rating). */
  digits?: string;
  /** ISO 3166 alpha-2 of the number, when the metadata can tell even for an invalid number. */
  country?: string;
  type: NumberType;
}

/**
 * Types that are never part of a calling package and always pay from credit.
 *
 * The seeds say premium-rate numbers, short codes and other special service numbers are
 * never in a package. Shared-cost, UAN and personal numbers are such special service
 * numbers: their price is set by the range holder (often with a revenue share), not by the
 * destination country a package is sold for. UAN includes the UK's 03 range, which Ofcom
 * prices like geographic calls; we still rate it from credit because UAN also covers
 * costly ranges (UK 055) and a package that wrongly includes one cannot be undone. The deck
 * can price 443 at the geographic rate. "special" covers short codes and anything invalid.
 */
export const SPECIAL_RATED_TYPES: ReadonlySet<NumberType> = new Set<NumberType>([
  "premium-rate",
  "shared-cost",
  "uan",
  "personal",
  "special",
]);

export function isSpecialRated(type: NumberType): boolean {
  return SPECIAL_RATED_TYPES.has(type);
}

/** E.164 as the switch sends it: "+", a non-zero country-code digit, at most 15 digits. */
const E164 = /^\+([1-9]\d{1,14})$/;

/**
 * Classifies a number. Only strict E.164 is accepted (no spaces, no national format) so
 * that the same number always rates the same; normalising is the caller's job.
 */
export function classifyNumber(text: string): Readonly<NumberClass> {
  const known = classified.get(text);
  if (known) return known;
  const found = classifyUncached(text);
  if (classified.size >= CLASSIFIED_KEPT_MAX) classified.clear();
  classified.set(text, found);
  return found;
}

/**
 * Classifications already made, by number. A parse with the full metadata is the dearest
 * step of a decision, and an account's own numbers (the caller ids of its outbound legs)
 * recur on every call. Cleared when full: a bound, not an eviction policy.
 */
const classified = new Map<string, Readonly<NumberClass>>();
const CLASSIFIED_KEPT_MAX = 10_000;

function classifyUncached(text: string): NumberClass {
  const match = E164.exec(text);
  if (!match) return { type: "special" };
  const digits = match[1]!;
  const parsed = parsePhoneNumberFromString(text);
  if (!parsed) return { digits, type: "special" };
  const country = parsed.country;
  // An unallocated or malformed range (e.g. "+4930") is not a number a package can cover.
  if (!parsed.isValid())
    return country ? { digits, country, type: "special" } : { digits, type: "special" };
  const type = typeOf(parsed.getType());
  return country ? { digits, country, type } : { digits, type };
}

function typeOf(libType: string | undefined): NumberType {
  switch (libType) {
    case "TOLL_FREE":
      return "toll-free";
    case "PREMIUM_RATE":
      return "premium-rate";
    case "SHARED_COST":
      return "shared-cost";
    case "UAN":
      return "uan";
    case "PERSONAL_NUMBER":
      return "personal";
    case "VOIP":
      return "voip";
    case "MOBILE":
      return "mobile";
    // NANP numbers are FIXED_LINE_OR_MOBILE: the ranges do not say. Both rate the same way
    // (by destination), so "fixed" loses nothing; the deck can still price by prefix.
    case "FIXED_LINE":
    case "FIXED_LINE_OR_MOBILE":
      return "fixed";
    default:
      // PAGER, VOICEMAIL or no type at all: service numbers, never in a package.
      return "special";
  }
}

/**
 * A country code the rating can ever produce: ISO alpha-2 in upper case that the phone
 * metadata knows. Plans and message decks are validated with it, so a plan cannot name a
 * country no number will ever be classified into (e.g. "UK" instead of "GB").
 */
export function isRatingCountry(code: string): boolean {
  return /^[A-Z]{2}$/.test(code) && isSupportedCountry(code);
}
