import { describe, expect, it } from "vitest";
import { recommendedThreshold } from "../../src/ledger/credit-state";
import { creditState } from "../../src/ledger/credit-state";
import {
  autoTopUpRetryAtMs,
  decideAutoTopUp,
  type AutoTopUpConfig,
  type AutoTopUpState,
} from "../../src/payments/auto-top-up-policy";

const config: AutoTopUpConfig = {
  enabled: true,
  thresholdMicros: 10_000_000,
  amountMicros: 20_000_000,
  paymentMethod: "pm_card_visa",
  maxPerDay: 5,
};
const idle: AutoTopUpState = {
  inFlight: false,
  consecutiveFailures: 0,
  retryNotBeforeMs: 0,
  startedTodayCount: 0,
};
const NOW = 1_800_000_000_000;

describe("decideAutoTopUp", () => {
  it.each([
    ["disabled", { ...config, enabled: false }, idle, 0, 0, { start: false, why: "disabled" }],
    ["not configured", null, idle, 0, 0, { start: false, why: "disabled" }],
    ["at the threshold", config, idle, 10_000_000, 0, { start: false, why: "above_threshold" }],
    [
      "below, but a top-up in flight covers it",
      config,
      idle,
      5_000_000,
      5_000_000,
      { start: false, why: "above_threshold" },
    ],
    [
      "below, one in flight",
      config,
      { ...idle, inFlight: true },
      0,
      0,
      { start: false, why: "in_flight" },
    ],
    [
      "below, backing off",
      config,
      { ...idle, retryNotBeforeMs: NOW + 1 },
      0,
      0,
      { start: false, why: "backing_off" },
    ],
    [
      "below, daily limit reached",
      config,
      { ...idle, startedTodayCount: 5 },
      0,
      0,
      { start: false, why: "daily_limit" },
    ],
    [
      "below: the configured amount",
      config,
      idle,
      9_999_999,
      0,
      { start: true, amountMicros: 20_000_000 },
    ],
    [
      "far below: enough to clear the threshold, in whole cents",
      config,
      idle,
      -30_000_000,
      0,
      { start: true, amountMicros: 40_010_000 },
    ],
  ] as const)("%s", (_name, cfg, state, available, pending, expected) => {
    expect(decideAutoTopUp(cfg, state, available, pending, "EUR", NOW)).toEqual(expected);
  });

  it("rounds to the currency's minor unit (JPY has none)", () => {
    expect(
      decideAutoTopUp({ ...config, amountMicros: 1_000_000 }, idle, -20_500_000, 0, "JPY", NOW),
    ).toEqual({ start: true, amountMicros: 31_000_000 });
  });
});

describe("autoTopUpRetryAtMs", () => {
  it("waits longer after each failure and gives up after the third", () => {
    expect(autoTopUpRetryAtMs(1, NOW)).toBe(NOW + 15 * 60_000);
    expect(autoTopUpRetryAtMs(2, NOW)).toBe(NOW + 60 * 60_000);
    expect(autoTopUpRetryAtMs(3, NOW)).toBeNull();
  });
});

describe("credit state and the recommended threshold", () => {
  it.each([
    [1, 5_000_000, "low"],
    [5_000_000, 5_000_000, "ok"],
    [0, 5_000_000, "exhausted"],
    [-1, 0, "exhausted"],
    [1, 0, "ok"],
  ] as const)("balance %d with low level %d is %s", (balance, low, state) => {
    expect(creditState(balance, low)).toBe(state);
  });

  it.each([
    [30_000_000, "EUR", 14_000_000],
    // 0.000001 × 14 / 30 rounds up to a micro, then to the cent a card can be charged.
    [1, "EUR", 10_000],
    [1_234_567, "EUR", 580_000],
    [1_234_567, "JPY", 1_000_000],
    [1_234_567, "BHD", 577_000],
    [0, "EUR", 0],
  ] as const)(
    "covers 14 days from the spend of the last 30: %d micros in %s ⇒ %d, whole minor units",
    (spend, currency, threshold) => {
      expect(recommendedThreshold(spend, currency)).toBe(threshold);
    },
  );
});
