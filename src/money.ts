/**
 * Money is an integer number of micro-units of the account currency (1 EUR = 1 000 000).
 *
 * Micros travel as JS numbers restricted to safe integers (|x| ≤ 2^53 − 1, about nine
 * billion currency units): sums and products of safe integers are exact, and every
 * operation here asserts that its result stays safe. Division, the one operation that
 * can leave the integers, goes through `mulDivCeil`/`mulDivFloor`, which compute in
 * BigInt. On the wire money is a decimal string with at most six decimals.
 */

export type Micros = number;

export const MICROS_PER_UNIT = 1_000_000;
export const MAX_DECIMALS = 6;

/** Largest amount a single request may carry: one billion units. */
export const AMOUNT_MAX_MICROS: Micros = 1_000_000_000 * MICROS_PER_UNIT;

const DECIMAL = /^(-)?(\d{1,12})(?:\.(\d{1,6}))?$/;
const TOO_MANY_DECIMALS = /^-?\d+\.\d{7,}$/;

export type ParseMoneyError = "not_a_decimal" | "too_many_decimals" | "out_of_range";

/** Parses a decimal string ("25.00", "-0.0123") into micros. */
export function parseMoney(
  text: string,
): { ok: true; micros: Micros } | { ok: false; error: ParseMoneyError } {
  const match = DECIMAL.exec(text);
  if (!match) {
    return {
      ok: false,
      error: TOO_MANY_DECIMALS.test(text) ? "too_many_decimals" : "not_a_decimal",
    };
  }
  const [, sign, whole, fraction = ""] = match;
  const micros = Number(whole) * MICROS_PER_UNIT + Number(fraction.padEnd(MAX_DECIMALS, "0"));
  if (micros > AMOUNT_MAX_MICROS) return { ok: false, error: "out_of_range" };
  return { ok: true, micros: sign && micros !== 0 ? -micros : micros };
}

/**
 * Formats micros as a decimal string with at least two decimals and no trailing zeros
 * beyond them: 25_000_000 → "25.00", 12_300 → "0.0123", -1_500_000 → "-1.50".
 */
export function formatMoney(micros: Micros): string {
  assertMicros(micros);
  const negative = micros < 0;
  const abs = Math.abs(micros);
  const whole = Math.floor(abs / MICROS_PER_UNIT);
  let fraction = String(abs % MICROS_PER_UNIT)
    .padStart(MAX_DECIMALS, "0")
    .replace(/0+$/, "");
  if (fraction.length < 2) fraction = fraction.padEnd(2, "0");
  return `${negative ? "-" : ""}${whole}.${fraction}`;
}

export function isMicros(value: unknown): value is Micros {
  return typeof value === "number" && Number.isSafeInteger(value);
}

/** A programmer error, not a business rejection: money left the safe integers. */
export function assertMicros(value: number): asserts value is Micros {
  if (!Number.isSafeInteger(value))
    throw new RangeError(`not an integer amount of micros: ${value}`);
}

export function addMicros(a: Micros, b: Micros): Micros {
  const sum = a + b;
  assertMicros(sum);
  return sum;
}

export function sumMicros(values: Iterable<Micros>): Micros {
  let total = 0;
  for (const value of values) total = addMicros(total, value);
  return total;
}

/** ⌈a × b ÷ d⌉ exactly, for a rate times a quantity over its unit (d > 0, a, b ≥ 0). */
export function mulDivCeil(a: number, b: number, d: number): Micros {
  assertNonNegativeInts(a, b, d);
  const n = BigInt(a) * BigInt(b);
  const q = (n + BigInt(d) - 1n) / BigInt(d);
  return toMicros(q);
}

/** ⌊a × b ÷ d⌋ exactly (d > 0, a, b ≥ 0). */
export function mulDivFloor(a: number, b: number, d: number): Micros {
  assertNonNegativeInts(a, b, d);
  return toMicros((BigInt(a) * BigInt(b)) / BigInt(d));
}

function assertNonNegativeInts(a: number, b: number, d: number): void {
  if (
    !Number.isSafeInteger(a) ||
    !Number.isSafeInteger(b) ||
    !Number.isSafeInteger(d) ||
    a < 0 ||
    b < 0 ||
    d <= 0
  ) {
    throw new RangeError(
      `mulDiv needs non-negative integers and a positive divisor: ${a}, ${b}, ${d}`,
    );
  }
}

function toMicros(value: bigint): Micros {
  const micros = Number(value);
  assertMicros(micros);
  return micros;
}

// Currencies ---------------------------------------------------------------------------

let currencies: Set<string> | undefined;

/** ISO 4217 codes as the runtime's ICU data knows them. */
export function isCurrency(code: string): boolean {
  currencies ??= new Set(Intl.supportedValuesOf("currency"));
  return currencies.has(code);
}

const minorDigitsByCurrency = new Map<string, number>();

/**
 * Decimal places of the currency's minor unit (EUR 2, JPY 0, BHD 3), as ICU counts them for
 * display. A payment gateway has rules of its own (src/payments/stripe-currencies.ts).
 * Remembered per currency: building an Intl.NumberFormat costs more than a whole ledger write,
 * and the low-credit check asks on every balance change.
 */
export function minorUnitDigits(currency: string): number {
  let digits = minorDigitsByCurrency.get(currency);
  if (digits === undefined) {
    digits =
      new Intl.NumberFormat("en", { style: "currency", currency }).resolvedOptions()
        .maximumFractionDigits ?? 2;
    minorDigitsByCurrency.set(currency, digits);
  }
  return digits;
}

/** The smallest amount of whole (displayed) minor units at or above `micros`. */
export function roundUpToMinorUnits(micros: Micros, currency: string): Micros {
  const step = microsPerMinorUnit(currency);
  const remainder = micros % step;
  return remainder === 0 ? micros : micros + step - remainder;
}

/** Micros in one minor unit: 10 000 for EUR's cent, 1 000 000 for JPY, 1 000 for BHD's fils. */
function microsPerMinorUnit(currency: string): number {
  return 10 ** (MAX_DECIMALS - minorUnitDigits(currency));
}
