import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  AMOUNT_MAX_MICROS,
  formatMoney,
  isCurrency,
  minorUnitDigits,
  mulDivCeil,
  mulDivFloor,
  parseMoney,
} from "../src/money";

describe("parseMoney", () => {
  it.each([
    ["25.00", 25_000_000],
    ["25", 25_000_000],
    ["0.0123", 12_300],
    ["0.000001", 1],
    ["-1.5", -1_500_000],
    ["-0", 0],
    ["1000000000", AMOUNT_MAX_MICROS],
  ])("%s is %d micros", (text, micros) => {
    expect(parseMoney(text)).toEqual({ ok: true, micros });
  });

  it.each([
    ["1.0000001", "too_many_decimals"],
    ["-0.1234567", "too_many_decimals"],
    ["abc", "not_a_decimal"],
    ["", "not_a_decimal"],
    ["1e3", "not_a_decimal"],
    ["+1", "not_a_decimal"],
    [".5", "not_a_decimal"],
    ["5.", "not_a_decimal"],
    [" 5", "not_a_decimal"],
    ["0x10", "not_a_decimal"],
    ["1000000000.000001", "out_of_range"],
  ])("%s is rejected as %s", (text, error) => {
    expect(parseMoney(text)).toEqual({ ok: false, error });
  });
});

describe("formatMoney", () => {
  it.each([
    [25_000_000, "25.00"],
    [12_300, "0.0123"],
    [1, "0.000001"],
    [-1_500_000, "-1.50"],
    [0, "0.00"],
    [-12_345, "-0.012345"],
  ])("%d micros is %s", (micros, text) => {
    expect(formatMoney(micros)).toBe(text);
  });

  it("round-trips every amount in range", () => {
    fc.assert(
      fc.property(fc.integer({ min: -AMOUNT_MAX_MICROS, max: AMOUNT_MAX_MICROS }), (micros) => {
        expect(parseMoney(formatMoney(micros))).toEqual({ ok: true, micros });
      }),
      { numRuns: 2000 },
    );
  });

  it("round-trips every decimal string with at most six decimals, up to trailing zeros", () => {
    const decimal = fc
      .tuple(
        fc.boolean(),
        fc.bigInt({ min: 0n, max: 999_999_999n }),
        fc.stringMatching(/^\d{0,6}$/),
      )
      .map(([neg, whole, frac]) => `${neg ? "-" : ""}${whole}${frac ? `.${frac}` : ""}`);
    fc.assert(
      fc.property(decimal, (text) => {
        const parsed = parseMoney(text);
        expect(parsed.ok).toBe(true);
        if (parsed.ok) expect(parseMoney(formatMoney(parsed.micros))).toEqual(parsed);
      }),
    );
  });
});

describe("mulDiv", () => {
  it.each([
    [12_300, 120, 60, 24_600, 24_600],
    [12_300, 61, 60, 12_505, 12_505],
    [10_000, 1, 60, 167, 166],
    [1, 1, 3, 1, 0],
    [0, 5, 60, 0, 0],
  ])("%d × %d ÷ %d", (a, b, d, ceil, floor) => {
    expect(mulDivCeil(a, b, d)).toBe(ceil);
    expect(mulDivFloor(a, b, d)).toBe(floor);
  });

  it("is exact where floats are not", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 2 ** 40 }),
        fc.integer({ min: 0, max: 2 ** 12 }),
        fc.integer({ min: 1, max: 3600 }),
        (a, b, d) => {
          const exact = (BigInt(a) * BigInt(b)) / BigInt(d);
          expect(BigInt(mulDivFloor(a, b, d))).toBe(exact);
          const ceil = BigInt(mulDivCeil(a, b, d));
          expect(ceil * BigInt(d) >= BigInt(a) * BigInt(b)).toBe(true);
          expect((ceil - 1n) * BigInt(d) < BigInt(a) * BigInt(b)).toBe(true);
        },
      ),
    );
  });

  it("refuses negative or fractional operands", () => {
    expect(() => mulDivCeil(-1, 1, 1)).toThrow(RangeError);
    expect(() => mulDivCeil(1.5, 1, 1)).toThrow(RangeError);
    expect(() => mulDivCeil(1, 1, 0)).toThrow(RangeError);
  });
});

describe("currencies", () => {
  it.each([
    ["EUR", true, 2],
    ["USD", true, 2],
    ["JPY", true, 0],
    ["BHD", true, 3],
  ])("%s is a currency with %s minor digits", (code, known, digits) => {
    expect(isCurrency(code)).toBe(known);
    expect(minorUnitDigits(code)).toBe(digits);
  });

  it.each(["XXQ", "eur", "EURO", ""])("%s is not a currency", (code) => {
    expect(isCurrency(code)).toBe(false);
  });
});
