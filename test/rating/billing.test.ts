import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  affordableSeconds,
  billedMinutes,
  billedSeconds,
  blockCostMicros,
  callCostMicros,
  legCostMicros,
  splitAllowance,
} from "../../src/rating/billing";

const per = (initialSeconds: number, subsequentSeconds: number) => ({
  initialSeconds,
  subsequentSeconds,
});

describe("billedSeconds", () => {
  it.each([
    // The seeds' example: 1 min 5 s is billed as 2 minutes.
    [65, 60, 60, 120],
    [0, 60, 60, 0],
    [1, 60, 60, 60],
    [60, 60, 60, 60],
    [61, 60, 60, 120],
    [31, 30, 6, 36],
    [30, 30, 6, 30],
    [1, 30, 6, 30],
    [37, 30, 6, 42],
    [61, 1, 1, 61],
    [1, 1, 1, 1],
    [7, 6, 6, 12],
    [1, 3600, 3600, 3600],
  ])("%d s at %d/%d → %d s", (duration, initial, subsequent, billed) => {
    expect(billedSeconds(duration, per(initial, subsequent))).toBe(billed);
  });

  it.each([-1, 1.5, Number.NaN])("refuses %d seconds as a programmer error", (duration) => {
    expect(() => billedSeconds(duration, per(60, 60))).toThrow(RangeError);
  });

  it("refuses zero increments as a programmer error", () => {
    expect(() => billedSeconds(10, per(0, 60))).toThrow(RangeError);
  });

  it("billed ≥ duration, and by less than one block; cost grows with duration", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 86_400 }),
        fc.integer({ min: 0, max: 600 }),
        fc.integer({ min: 1, max: 3600 }),
        fc.integer({ min: 1, max: 3600 }),
        fc.integer({ min: 0, max: 10_000_000 }),
        (duration, more, initial, subsequent, ratePerMinuteMicros) => {
          const increments = per(initial, subsequent);
          const billed = billedSeconds(duration, increments);
          expect(billed).toBeGreaterThanOrEqual(duration);
          expect(billed - duration).toBeLessThan(duration <= initial ? initial : subsequent);
          if (duration > 0)
            expect(billed >= initial && (billed - initial) % subsequent === 0).toBe(true);
          const rate = { ratePerMinuteMicros, ...increments };
          expect(legCostMicros(duration + more, rate)).toBeGreaterThanOrEqual(
            legCostMicros(duration, rate),
          );
        },
      ),
    );
  });
});

describe("callCostMicros", () => {
  it.each([
    // 0.012 per minute for 120 s.
    [12_000, 120, 24_000],
    // 0.0130 per minute for 61 s = 13 216.67 micros, rounded up to the micro.
    [13_000, 61, 13_217],
    [8_000, 6, 800],
    [0, 600, 0],
    [1, 1, 1],
  ])("%d micros/min × %d s → %d micros", (rate, seconds, micros) => {
    expect(callCostMicros(rate, seconds)).toBe(micros);
  });
});

describe("affordableSeconds", () => {
  const berlin = { ratePerMinuteMicros: 10_000, ...per(60, 60) };
  it.each([
    [50_000, 300, 300],
    [49_999, 300, 240],
    [9_999, 300, 0],
    [0, 300, 0],
    [-5, 300, 0],
    [1_000_000_000, 300, 300],
    [1_000_000_000, 299, 240],
  ])("budget %d micros, limit %d s → %d s at 0.01/min 60/60", (budget, limit, seconds) => {
    expect(affordableSeconds(budget, berlin, limit)).toBe(seconds);
  });

  it("is unlimited for no budget or a free rate", () => {
    expect(affordableSeconds(undefined, berlin, 300)).toBe(300);
    expect(affordableSeconds(0, { ...berlin, ratePerMinuteMicros: 0 }, 300)).toBe(300);
  });

  it("never exceeds the budget and the next block would", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 100_000_000 }),
        fc.integer({ min: 1, max: 5_000_000 }),
        fc.integer({ min: 1, max: 120 }),
        fc.integer({ min: 1, max: 120 }),
        (budget, ratePerMinuteMicros, initial, subsequent) => {
          const rate = { ratePerMinuteMicros, ...per(initial, subsequent) };
          const limit = 100_000;
          const seconds = affordableSeconds(budget, rate, limit);
          expect(legCostMicros(seconds, rate)).toBeLessThanOrEqual(budget);
          const next = seconds === 0 ? initial : seconds + subsequent;
          if (next <= limit) expect(legCostMicros(next, rate)).toBeGreaterThan(budget);
        },
      ),
    );
  });
});

describe("blockCostMicros", () => {
  it("is the dearer of the two blocks", () => {
    expect(blockCostMicros({ ratePerMinuteMicros: 60_000, ...per(30, 6) })).toBe(30_000);
    expect(blockCostMicros({ ratePerMinuteMicros: 60_000, ...per(1, 60) })).toBe(60_000);
  });
});

describe("AI minutes", () => {
  it.each([
    [0, 0],
    [1, 1],
    [60, 1],
    [61, 2],
    [3600, 60],
  ])("%d s → %d billed minutes", (seconds, minutes) => {
    expect(billedMinutes(seconds)).toBe(minutes);
  });

  it.each([
    [150, 100, { billedMinutes: 3, includedMinutes: 3, chargedMinutes: 0 }],
    [150, 1, { billedMinutes: 3, includedMinutes: 1, chargedMinutes: 2 }],
    [150, 0, { billedMinutes: 3, includedMinutes: 0, chargedMinutes: 3 }],
    [150, -4, { billedMinutes: 3, includedMinutes: 0, chargedMinutes: 3 }],
    [0, 10, { billedMinutes: 0, includedMinutes: 0, chargedMinutes: 0 }],
  ])("%d s with %d allowance minutes left → %j", (seconds, remaining, split) => {
    expect(splitAllowance(seconds, remaining)).toEqual(split);
  });
});
