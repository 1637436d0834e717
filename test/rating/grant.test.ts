import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { blockCostMicros, legCostMicros } from "../../src/rating/billing";
import {
  creditGrant,
  GRANT_SECONDS_MAX,
  overdraftBoundMicros,
  type CreditGrantInput,
} from "../../src/rating/grant";

const berlin = { ratePerMinuteMicros: 10_000, initialSeconds: 60, subsequentSeconds: 60 };
const us = { ratePerMinuteMicros: 8_000, initialSeconds: 6, subsequentSeconds: 6 };
const hourBlocks = { ratePerMinuteMicros: 60_000, initialSeconds: 3600, subsequentSeconds: 3600 };

function grant(overrides: Partial<CreditGrantInput>) {
  return creditGrant({
    rate: berlin,
    creditSecondsUsed: 0,
    heldMicros: 0,
    availableMicros: 10_000_000,
    ...overrides,
  });
}

describe("creditGrant", () => {
  it.each<[string, Partial<CreditGrantInput>, ReturnType<typeof creditGrant>]>([
    [
      "plenty of credit: GRANT_SECONDS_MAX",
      {},
      { ok: true, grantSeconds: 300, reserveMicros: 50_000 },
    ],
    [
      "credit for 2.5 blocks: 2 blocks",
      { availableMicros: 25_000 },
      { ok: true, grantSeconds: 120, reserveMicros: 20_000 },
    ],
    [
      "less than a block: one block anyway (the bounded overdraft)",
      { availableMicros: 1 },
      { ok: true, grantSeconds: 60, reserveMicros: 10_000 },
    ],
    ["nothing available", { availableMicros: 0 }, { ok: false, reason: "credit_exhausted" }],
    ["negative available", { availableMicros: -10 }, { ok: false, reason: "credit_exhausted" }],
    [
      "6 s blocks: whole blocks only",
      { rate: us, availableMicros: 1_000 },
      { ok: true, grantSeconds: 6, reserveMicros: 800 },
    ],
    [
      "a free rate: the maximum",
      { rate: { ...berlin, ratePerMinuteMicros: 0 }, availableMicros: 1 },
      { ok: true, grantSeconds: 300, reserveMicros: 0 },
    ],
    [
      "an hour block: the grant is capped, the reservation covers the block",
      { rate: hourBlocks },
      { ok: true, grantSeconds: GRANT_SECONDS_MAX, reserveMicros: 3_600_000 },
    ],
    // Extending: the leg's own hold counts as budget and the new reservation replaces it.
    [
      "extend with plenty",
      { creditSecondsUsed: 300, heldMicros: 50_000 },
      { ok: true, grantSeconds: 300, reserveMicros: 100_000 },
    ],
    [
      "extend mid-block finishes the started block",
      { creditSecondsUsed: 30, heldMicros: 10_000, availableMicros: 1 },
      { ok: true, grantSeconds: 30, reserveMicros: 10_000 },
    ],
    [
      "extend at the last bit of credit: one more block",
      { creditSecondsUsed: 540, heldMicros: 90_000, availableMicros: 5_000 },
      { ok: true, grantSeconds: 60, reserveMicros: 100_000 },
    ],
    [
      "extend with nothing available",
      { creditSecondsUsed: 300, heldMicros: 50_000, availableMicros: 0 },
      { ok: false, reason: "credit_exhausted" },
    ],
  ])("%s", (_case, input, expected) => {
    expect(grant(input)).toEqual(expected);
  });

  it.each<[string, Partial<CreditGrantInput>, ReturnType<typeof creditGrant>]>([
    [
      "max cost per call caps the grant",
      { controls: { maxCostPerCallMicros: 30_000 } },
      { ok: true, grantSeconds: 180, reserveMicros: 30_000 },
    ],
    [
      "max cost below one block refuses",
      { controls: { maxCostPerCallMicros: 9_999 } },
      { ok: false, reason: "max_call_cost_reached" },
    ],
    [
      "max cost reached on extend",
      { creditSecondsUsed: 180, heldMicros: 30_000, controls: { maxCostPerCallMicros: 30_000 } },
      { ok: false, reason: "max_call_cost_reached" },
    ],
    [
      "daily cap leaves one block",
      { controls: { dailyCapMicros: 1_000_000, spentTodayMicros: 990_000 } },
      { ok: true, grantSeconds: 60, reserveMicros: 10_000 },
    ],
    [
      "daily cap reached",
      { controls: { dailyCapMicros: 1_000_000, spentTodayMicros: 1_000_000 } },
      { ok: false, reason: "daily_spend_cap_reached" },
    ],
    // spentTodayMicros includes the leg's own hold of 10 000.
    [
      "daily cap reached on extend",
      {
        creditSecondsUsed: 60,
        heldMicros: 10_000,
        controls: { dailyCapMicros: 1_000_000, spentTodayMicros: 1_000_000 },
      },
      { ok: false, reason: "daily_spend_cap_reached" },
    ],
    [
      "daily cap with room on extend",
      {
        creditSecondsUsed: 60,
        heldMicros: 10_000,
        controls: { dailyCapMicros: 1_000_000, spentTodayMicros: 980_000 },
      },
      { ok: true, grantSeconds: 120, reserveMicros: 30_000 },
    ],
    [
      "controls off when absent",
      { controls: {} },
      { ok: true, grantSeconds: 300, reserveMicros: 50_000 },
    ],
  ])("spend controls: %s", (_case, input, expected) => {
    expect(grant(input)).toEqual(expected);
  });
});

describe("overdraftBoundMicros", () => {
  it("is the dearest single block, or the largest immediate charge", () => {
    expect(overdraftBoundMicros([berlin, us])).toBe(10_000);
    expect(overdraftBoundMicros([berlin, us, hourBlocks], 75_000)).toBe(3_600_000);
    expect(overdraftBoundMicros([berlin], 75_000)).toBe(75_000);
    expect(overdraftBoundMicros([])).toBe(0);
  });
});

/**
 * Many legs on one account, authorized, extended and ended in any interleaving, the switch
 * honouring its grants: reservations never pass balance + the documented bound, and after
 * every leg has ended the balance is the opening balance minus the charges, nothing held.
 */
describe("reservations under concurrency (property)", () => {
  const rates = [
    berlin,
    us,
    { ratePerMinuteMicros: 2_500_000, initialSeconds: 60, subsequentSeconds: 60 },
    { ratePerMinuteMicros: 13_000, initialSeconds: 1, subsequentSeconds: 1 },
  ];
  const op = fc.record({
    kind: fc.constantFrom("start", "extend", "end"),
    leg: fc.nat({ max: 7 }),
    rate: fc.nat({ max: rates.length - 1 }),
    usedPercent: fc.integer({ min: 0, max: 100 }),
  });

  it("holds", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 300_000 }),
        fc.array(op, { maxLength: 200 }),
        (openingMicros, ops) => {
          interface Leg {
            rate: (typeof rates)[number];
            usedSeconds: number;
            horizonSeconds: number;
            heldMicros: number;
          }
          const legs = new Map<number, Leg>();
          let balanceMicros = openingMicros;
          let chargedMicros = 0;
          const reserved = () => [...legs.values()].reduce((sum, leg) => sum + leg.heldMicros, 0);
          const end = (id: number, leg: Leg, durationSeconds: number) => {
            const amount = legCostMicros(durationSeconds, leg.rate);
            expect(amount).toBeLessThanOrEqual(leg.heldMicros);
            balanceMicros -= amount;
            chargedMicros += amount;
            legs.delete(id);
          };
          for (const { kind, leg: id, rate, usedPercent } of ops) {
            const leg = legs.get(id);
            if (kind === "start" && !leg) {
              const g = creditGrant({
                rate: rates[rate]!,
                creditSecondsUsed: 0,
                heldMicros: 0,
                availableMicros: balanceMicros - reserved(),
              });
              if (g.ok)
                legs.set(id, {
                  rate: rates[rate]!,
                  usedSeconds: 0,
                  horizonSeconds: g.grantSeconds,
                  heldMicros: g.reserveMicros,
                });
            } else if (kind === "extend" && leg) {
              const used = Math.floor((leg.horizonSeconds * usedPercent) / 100);
              const g = creditGrant({
                rate: leg.rate,
                creditSecondsUsed: used,
                heldMicros: leg.heldMicros,
                availableMicros: balanceMicros - reserved(),
              });
              if (g.ok) {
                expect(used + g.grantSeconds).toBeGreaterThan(used);
                Object.assign(leg, {
                  usedSeconds: used,
                  horizonSeconds: used + g.grantSeconds,
                  heldMicros: g.reserveMicros,
                });
              }
            } else if (kind === "end" && leg) {
              const duration =
                leg.usedSeconds +
                Math.floor(((leg.horizonSeconds - leg.usedSeconds) * usedPercent) / 100);
              end(id, leg, duration);
            }
            expect(reserved()).toBeLessThanOrEqual(balanceMicros + overdraftBoundMicros(rates));
            expect(overdraftBoundMicros(rates)).toBe(Math.max(...rates.map(blockCostMicros)));
          }
          for (const [id, leg] of [...legs]) end(id, leg, leg.horizonSeconds);
          expect(reserved()).toBe(0);
          expect(balanceMicros).toBe(openingMicros - chargedMicros);
          expect(balanceMicros).toBeGreaterThanOrEqual(-overdraftBoundMicros(rates));
        },
      ),
      { numRuns: 300 },
    );
  });
});
