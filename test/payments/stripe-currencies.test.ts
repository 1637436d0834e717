import { describe, expect, it } from "vitest";
import {
  chargeRefusal,
  fromStripeAmount,
  roundUpToChargeable,
  STRIPE_CURRENCIES,
  stripeCurrencyRule,
  toStripeAmount,
} from "../../src/payments/stripe-currencies";

/** What Stripe's currency page says of each special case: a test per row, both directions. */
const CASES: Array<{
  currency: string;
  micros: number;
  amount: number;
  refusal?: RegExp;
}> = [
  { currency: "EUR", micros: 25_000_000, amount: 2500 },
  { currency: "USD", micros: 500_000, amount: 50 },
  { currency: "JPY", micros: 500_000_000, amount: 500 },
  { currency: "KRW", micros: 10_000_000_000, amount: 10_000 },
  // ICU shows ISK, HUF, IDR, COP and PKR without decimals; Stripe counts them in two.
  { currency: "ISK", micros: 1_000_000_000, amount: 100_000 },
  { currency: "HUF", micros: 200_500_000, amount: 20_050 },
  { currency: "IDR", micros: 50_000_000_000, amount: 5_000_000 },
  { currency: "COP", micros: 20_000_000_000, amount: 2_000_000 },
  { currency: "PKR", micros: 1_000_000_000, amount: 100_000 },
  { currency: "KWD", micros: 10_120_000, amount: 10_120 },
  { currency: "BHD", micros: 5_000_000, amount: 5_000 },
  // Refused up front, never sent to be declined.
  { currency: "ISK", micros: 1_000_500_000, amount: 0, refusal: /multiple of ISK 1\.00/ },
  { currency: "KWD", micros: 10_125_000, amount: 0, refusal: /multiple of KWD 0\.01/ },
  { currency: "EUR", micros: 250_000, amount: 0, refusal: /at least EUR 0\.50/ },
  { currency: "EUR", micros: 25_005_000, amount: 0, refusal: /multiple of EUR 0\.01/ },
  { currency: "JPY", micros: 40_000_000, amount: 0, refusal: /at least JPY 50/ },
  { currency: "HUF", micros: 100_000_000, amount: 0, refusal: /at least HUF 175/ },
  { currency: "XAU", micros: 1_000_000, amount: 0, refusal: /does not take XAU/ },
];

describe("Stripe's currency rules", () => {
  it.each(CASES)(
    "$currency $micros µ ↔ amount $amount",
    ({ currency, micros, amount, refusal }) => {
      if (refusal) {
        expect(chargeRefusal(micros, currency)).toMatch(refusal);
        return;
      }
      expect(chargeRefusal(micros, currency)).toBeNull();
      expect(toStripeAmount(micros, currency)).toBe(amount);
      expect(fromStripeAmount(amount, currency)).toBe(micros);
    },
  );

  const everyCurrency = [...STRIPE_CURRENCIES.entries()];
  it.each(everyCurrency)("%s: one chargeable step converts out and back exactly", (code, rule) => {
    const step = 10 ** (6 - rule.exponent) * rule.chargeStepMinor;
    // The smallest amount the gateway takes: its step, lifted to its minimum.
    const minimum = rule.minimumMinor === null ? 0 : rule.minimumMinor * 10 ** (6 - rule.exponent);
    const smallest = roundUpToChargeable(Math.max(1, minimum), code);
    expect(smallest % step).toBe(0);
    expect(chargeRefusal(smallest, code)).toBeNull();
    expect(fromStripeAmount(toStripeAmount(smallest, code), code)).toBe(smallest);
    const amount = toStripeAmount(smallest * 7, code);
    expect(amount).toBe((smallest * 7) / 10 ** (6 - rule.exponent));
    expect(fromStripeAmount(amount, code)).toBe(smallest * 7);
    expect(chargeRefusal(smallest + step / 2, code)).toMatch(/multiple of/);
  });

  it("has the special cases Stripe lists", () => {
    expect(stripeCurrencyRule("ISK")).toEqual({
      exponent: 2,
      chargeStepMinor: 100,
      minimumMinor: null,
    });
    expect(stripeCurrencyRule("KWD")?.chargeStepMinor).toBe(10);
    expect(stripeCurrencyRule("JPY")?.exponent).toBe(0);
    expect(stripeCurrencyRule("HUF")?.exponent).toBe(2);
    expect(STRIPE_CURRENCIES.size).toBeGreaterThan(130);
  });

  it("rounds an auto top-up up to what can be charged", () => {
    expect(roundUpToChargeable(10_125_000, "KWD")).toBe(10_130_000);
    expect(roundUpToChargeable(1_000_500_000, "ISK")).toBe(1_001_000_000);
    expect(roundUpToChargeable(30_400_000, "JPY")).toBe(31_000_000);
  });

  it("a gateway amount beyond what micros hold does not convert", () => {
    expect(fromStripeAmount(Number.MAX_SAFE_INTEGER, "EUR")).toBeNull();
    expect(fromStripeAmount(1.5, "EUR")).toBeNull();
    expect(() => toStripeAmount(12_300, "EUR")).toThrow(RangeError);
  });
});
