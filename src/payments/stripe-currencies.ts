import { formatMoney, MAX_DECIMALS, type Micros } from "../money";

/**
 * Stripe's own rules for amounts, per presentment currency (docs.stripe.com/currencies):
 * how many decimals its `amount` counts, which multiples it accepts, and its minimum charge.
 * They differ from ISO 4217 and from the runtime's ICU data (which src/money.ts uses for
 * display): ISK, HUF, IDR, COP or PKR show 0 decimals, yet Stripe counts them in 2, so ISK
 * 1 000 is `amount=100000`. Both directions, a charge going out and a webhook's amount coming
 * in, convert through this one table; the sandbox plays by it too.
 */
export interface StripeCurrencyRule {
  /** Decimal places of the API's `amount`. */
  exponent: 0 | 2 | 3;
  /** A charge must be a multiple of this many minor units (ISK 100: whole krónur; KWD 10). */
  chargeStepMinor: number;
  /** Stripe's smallest charge in this currency, in minor units; null where it states none. */
  minimumMinor: number | null;
}

/** Zero-decimal: the amount is in whole units (JPY 500 is `amount=500`). */
const ZERO_DECIMAL = [
  "BIF",
  "CLP",
  "DJF",
  "GNF",
  "JPY",
  "KMF",
  "KRW",
  "MGA",
  "PYG",
  "RWF",
  "UGX",
  "VND",
  "VUV",
  "XAF",
  "XOF",
  "XPF",
] as const;

/** Three-decimal: Stripe's partners need the last digit 0, so amounts go in steps of 10. */
const THREE_DECIMAL = ["BHD", "JOD", "KWD", "OMR", "TND"] as const;

/**
 * Counted in two decimals for backwards compatibility, yet charged in whole units only:
 * since April 2023 card networks refuse fractional króna, so Stripe wants multiples of 100.
 */
const WHOLE_UNITS_IN_TWO_DECIMALS = ["ISK"] as const;

/** Every other presentment currency Stripe lists: two decimals, any amount. */
const TWO_DECIMAL = [
  "AED",
  "AFN",
  "ALL",
  "AMD",
  "ANG",
  "AOA",
  "ARS",
  "AUD",
  "AWG",
  "AZN",
  "BAM",
  "BBD",
  "BDT",
  "BGN",
  "BMD",
  "BND",
  "BOB",
  "BRL",
  "BSD",
  "BWP",
  "BYN",
  "BZD",
  "CAD",
  "CDF",
  "CHF",
  "CNY",
  "COP",
  "CRC",
  "CVE",
  "CZK",
  "DKK",
  "DOP",
  "DZD",
  "EGP",
  "ETB",
  "EUR",
  "FJD",
  "FKP",
  "GBP",
  "GEL",
  "GIP",
  "GMD",
  "GTQ",
  "GYD",
  "HKD",
  "HNL",
  "HTG",
  // Zero-decimal for Stripe's payouts only; charges take two decimals.
  "HUF",
  "IDR",
  "ILS",
  "INR",
  "JMD",
  "KES",
  "KGS",
  "KHR",
  "KYD",
  "KZT",
  "LAK",
  "LBP",
  "LKR",
  "LRD",
  "LSL",
  "MAD",
  "MDL",
  "MKD",
  "MMK",
  "MNT",
  "MOP",
  "MUR",
  "MVR",
  "MWK",
  "MXN",
  "MYR",
  "MZN",
  "NAD",
  "NGN",
  "NIO",
  "NOK",
  "NPR",
  "NZD",
  "PAB",
  "PEN",
  "PGK",
  "PHP",
  "PKR",
  "PLN",
  "QAR",
  "RON",
  "RSD",
  "SAR",
  "SBD",
  "SCR",
  "SEK",
  "SGD",
  "SHP",
  "SLE",
  "SOS",
  "SRD",
  "SZL",
  "THB",
  "TJS",
  "TOP",
  "TRY",
  "TTD",
  // Like HUF: whole units for payouts, two decimals for charges.
  "TWD",
  "TZS",
  "UAH",
  "USD",
  "UYU",
  "UZS",
  "WST",
  "XCD",
  "YER",
  "ZAR",
  "ZMW",
] as const;

/**
 * Stripe's minimum charge amounts, in minor units of the currency itself (the table states
 * them for settlement currencies; elsewhere Stripe converts and checks the USD 0.50 equivalent
 * itself, which this service cannot know up front).
 */
const MINIMUM_MINOR: Readonly<Record<string, number>> = {
  USD: 50,
  AED: 200,
  AUD: 50,
  BGN: 100,
  BRL: 50,
  CAD: 50,
  CHF: 50,
  CZK: 1500,
  DKK: 250,
  EUR: 50,
  GBP: 30,
  HKD: 400,
  HUF: 17500,
  INR: 50,
  JPY: 50,
  MXN: 1000,
  MYR: 200,
  NOK: 300,
  NZD: 50,
  PLN: 200,
  RON: 200,
  SEK: 300,
  SGD: 50,
  THB: 1000,
};

function rules(): Map<string, StripeCurrencyRule> {
  const table = new Map<string, StripeCurrencyRule>();
  const add = (codes: readonly string[], exponent: 0 | 2 | 3, chargeStepMinor: number) => {
    for (const code of codes)
      table.set(code, { exponent, chargeStepMinor, minimumMinor: MINIMUM_MINOR[code] ?? null });
  };
  add(TWO_DECIMAL, 2, 1);
  add(ZERO_DECIMAL, 0, 1);
  add(THREE_DECIMAL, 3, 10);
  add(WHOLE_UNITS_IN_TWO_DECIMALS, 2, 100);
  return table;
}

export const STRIPE_CURRENCIES: ReadonlyMap<string, StripeCurrencyRule> = rules();

/** The rule for an upper-case ISO code, or null when Stripe does not charge in it. */
export function stripeCurrencyRule(currency: string): StripeCurrencyRule | null {
  return STRIPE_CURRENCIES.get(currency) ?? null;
}

function microsPerMinor(rule: StripeCurrencyRule): number {
  return 10 ** (MAX_DECIMALS - rule.exponent);
}

/** Why the gateway cannot take this charge, in words for the admin; null when it can. */
export function chargeRefusal(amountMicros: Micros, currency: string): string | null {
  const rule = stripeCurrencyRule(currency);
  if (!rule) return `cannot be charged: the payment gateway does not take ${currency}`;
  const stepMicros = microsPerMinor(rule) * rule.chargeStepMinor;
  if (amountMicros <= 0 || amountMicros % stepMicros !== 0)
    return `must be a multiple of ${currency} ${formatMoney(stepMicros)}, as the payment gateway charges ${currency}`;
  if (rule.minimumMinor !== null && amountMicros < rule.minimumMinor * microsPerMinor(rule))
    return `must be at least ${currency} ${formatMoney(rule.minimumMinor * microsPerMinor(rule))}, the payment gateway's smallest charge`;
  return null;
}

/**
 * The smallest multiple of the charge step at or above `micros`: auto top-up rounds what it
 * needs up to it. The configured amount it starts from was already checked by chargeRefusal.
 */
export function roundUpToChargeable(micros: Micros, currency: string): Micros {
  const rule = stripeCurrencyRule(currency);
  if (!rule) return micros;
  const step = microsPerMinor(rule) * rule.chargeStepMinor;
  const remainder = micros % step;
  return remainder === 0 ? micros : micros + step - remainder;
}

/**
 * Micros to Stripe's `amount`. Callers refuse what chargeRefusal names before they get here,
 * so an amount that does not convert exactly is a programmer error.
 */
export function toStripeAmount(micros: Micros, currency: string): number {
  const rule = stripeCurrencyRule(currency);
  if (!rule) throw new RangeError(`Stripe does not charge in ${currency}`);
  const per = microsPerMinor(rule);
  if (micros % per !== 0)
    throw new RangeError(
      `${formatMoney(micros)} is not a whole number of Stripe ${currency} units`,
    );
  return micros / per;
}

/** Stripe's `amount` (a charge, refund or dispute) back to micros; null when it cannot be. */
export function fromStripeAmount(amountMinor: number, currency: string): Micros | null {
  const rule = stripeCurrencyRule(currency);
  if (!rule || !Number.isSafeInteger(amountMinor)) return null;
  const micros = amountMinor * microsPerMinor(rule);
  return Number.isSafeInteger(micros) ? micros : null;
}
