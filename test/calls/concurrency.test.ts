import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { classifyNumber } from "../../src/rating/classify";
import { parseCallDeck } from "../../src/rating/call-deck";
import { overdraftBoundMicros } from "../../src/rating/grant";
import { SAMPLE_CALL_DECK_CSV } from "../../src/rating/sample-decks";
import { formatMoney, parseMoney } from "../../src/money";
import { adjust, ledger, newAccount } from "../helpers";
import { authorize, end, extend, N, uploadSampleDecks } from "./helpers";

beforeAll(uploadSampleDecks);

/** Destinations with cheap, per-second-ish and very dear rates, so one block can pass the balance. */
const DESTINATIONS = [N.deFixedBerlin, N.deMobile, N.usFixed, N.dePremium, N.gbMobile];

/** The documented bound for the rates these legs can be granted at (src/rating/grant.ts). */
const BOUND_MICROS = (() => {
  const parsed = parseCallDeck(SAMPLE_CALL_DECK_CSV);
  if (!parsed.ok) throw new Error("the sample deck does not parse");
  return overdraftBoundMicros(
    DESTINATIONS.map((to) => parsed.deck.lookup(classifyNumber(to).digits!)!),
  );
})();

const micros = (money: string) => {
  const parsed = parseMoney(money);
  if (!parsed.ok) throw new Error(`not money: ${money}`);
  return parsed.micros;
};

const legScript = fc.record({
  to: fc.constantFrom(...DESTINATIONS),
  /** Authorize sent twice at once, as a switch retrying on a timeout would. */
  retried: fc.boolean(),
  /** Percent of the grant used before an extend; null: no extend. */
  extendAtPercent: fc.option(fc.integer({ min: 0, max: 100 }), { nil: null }),
  endAtPercent: fc.integer({ min: 0, max: 100 }),
  endTwice: fc.boolean(),
});

describe("reservations under concurrent authorize / extend / end (property)", () => {
  it("never reserve more than balance + the overdraft bound; at the end balance = opening − charges = Σ movements, nothing held", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: 300_000 }),
        fc.array(legScript, { minLength: 1, maxLength: 20 }),
        async (openingMicros, legs) => {
          const acct = await newAccount();
          if (openingMicros > 0)
            expect((await adjust(acct.id, formatMoney(openingMicros), "opening")).status).toBe(201);
          const stub = ledger(acct.id);
          const violations: string[] = [];
          let samples = 0;
          // Sampled after every answer, while the other legs' requests are still in flight.
          const check = async () => {
            const audit = await stub.audit();
            samples++;
            if (audit.reservedMicros > audit.balanceMicros + BOUND_MICROS)
              violations.push(
                `reserved ${audit.reservedMicros} > balance ${audit.balanceMicros} + ${BOUND_MICROS}`,
              );
            if (audit.reservedMicros !== audit.legsReservedMicros)
              violations.push(
                `reserved ${audit.reservedMicros} ≠ legs ${audit.legsReservedMicros}`,
              );
          };

          const charges = await Promise.all(
            legs.map(async (leg, i) => {
              const callId = `p-${i}`;
              const tries = await Promise.all(
                Array.from({ length: leg.retried ? 2 : 1 }, () =>
                  authorize(acct.id, callId, { from: N.usAccount, to: leg.to }),
                ),
              );
              for (const t of tries) expect(t.body).toEqual(tries[0]!.body);
              await check();
              const answer = tries[0]!.body;
              let grantedSeconds = answer.grantSeconds as number;
              if (answer.allowed && leg.extendAtPercent !== null) {
                const usedSeconds = Math.floor((grantedSeconds * leg.extendAtPercent) / 100);
                const extended = await extend(acct.id, callId, usedSeconds);
                if (extended.body.allowed)
                  grantedSeconds = usedSeconds + extended.body.grantSeconds;
                await check();
              }
              // The switch honours its grant: it ends the leg at or before the granted time.
              const durationSeconds = answer.allowed
                ? Math.floor((grantedSeconds * leg.endAtPercent) / 100)
                : 0;
              const ends = await Promise.all(
                Array.from({ length: leg.endTwice ? 2 : 1 }, () =>
                  end(acct.id, callId, durationSeconds),
                ),
              );
              for (const e of ends) expect(e.body).toEqual(ends[0]!.body);
              await check();
              return micros(ends[0]!.body.charged);
            }),
          );
          expect(violations).toEqual([]);
          expect(samples).toBeGreaterThanOrEqual(2 * legs.length);
          const audit = await stub.audit();
          const chargedMicros = charges.reduce((a, b) => a + b, 0);
          expect(audit.reservedMicros).toBe(0);
          expect(audit.legsReservedMicros).toBe(0);
          expect(audit.balanceMicros).toBe(openingMicros - chargedMicros);
          expect(audit.movementSumMicros).toBe(audit.balanceMicros);
          expect(audit.movementCount).toBe(
            (openingMicros > 0 ? 1 : 0) + charges.filter((c) => c > 0).length,
          );
          expect(audit.balanceMicros).toBeGreaterThanOrEqual(-BOUND_MICROS);
        },
      ),
      { numRuns: 20 },
    );
  }, 180_000);

  it("200 legs at once on 0.50 of credit: the credit is granted once, never twice", async () => {
    const acct = await newAccount({ credit: "0.50" });
    const answers = await Promise.all(
      Array.from({ length: 200 }, (_, i) =>
        authorize(acct.id, `burst-${i}`, { from: N.usAccount, to: N.deFixedBerlin }),
      ),
    );
    const allowed = answers.filter((a) => a.body.allowed);
    // 0.50 buys 50 minutes at 0.01: ten 5-minute grants, then nothing is available.
    expect(allowed.map((a) => a.body.grantSeconds)).toEqual(Array(10).fill(300));
    expect(
      answers.filter((a) => !a.body.allowed).every((a) => a.body.reason === "credit_exhausted"),
    ).toBe(true);
    expect(await ledger(acct.id).audit()).toMatchObject({
      balanceMicros: 500_000,
      reservedMicros: 500_000,
    });
    const ends = await Promise.all(
      answers.map((a, i) => end(acct.id, `burst-${i}`, a.body.allowed ? 300 : 0)),
    );
    expect(ends.reduce((sum, e) => sum + micros(e.body.charged), 0)).toBe(500_000);
    expect(await ledger(acct.id).audit()).toMatchObject({
      balanceMicros: 0,
      reservedMicros: 0,
      movementSumMicros: 0,
      movementCount: 11,
    });
  }, 60_000);
});
