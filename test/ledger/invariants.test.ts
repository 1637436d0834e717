import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { formatMoney, parseMoney } from "../../src/money";
import { adjust, api, d1Sum, drainOutbox, ledger, newAccount } from "../helpers";

describe("ledger invariants", () => {
  it("500 concurrent debits on one account end with the exact balance", async () => {
    const acct = await newAccount({ credit: "10.00" });
    const answers = await Promise.all(
      Array.from({ length: 500 }, (_, i) => adjust(acct.id, "-0.01", `debit-${i}`)),
    );
    expect(answers.every((a) => a.status === 201)).toBe(true);
    const balances = new Set(answers.map((a) => a.body.movement.balanceAfter));
    expect(balances.size).toBe(500);
    const credit = await api("GET", `/v1/accounts/${acct.id}/credit`);
    expect(credit.body.balance).toBe("5.00");
    await drainOutbox(acct.id);
    expect(await d1Sum(acct.id)).toEqual({ n: 501, total: 5_000_000 });
  }, 60_000);

  it("random adjustments with retried keys and concurrency keep balance = sum of movements, in the DO and in D1", async () => {
    const command = fc.record({
      amountMicros: fc.integer({ min: -3_000_000, max: 3_000_000 }).filter((n) => n !== 0),
      key: fc.integer({ min: 0, max: 11 }),
    });
    // Each inner array is sent at once; the arrays go one after another.
    const script = fc.array(fc.array(command, { minLength: 1, maxLength: 8 }), {
      minLength: 1,
      maxLength: 6,
    });

    await fc.assert(
      fc.asyncProperty(script, async (groups) => {
        const acct = await newAccount();
        const answersByKey = new Map<
          number,
          Array<{ status: number; body: unknown; amount: string }>
        >();
        for (const group of groups) {
          const answers = await Promise.all(
            group.map(async ({ amountMicros, key }) => {
              const amount = formatMoney(amountMicros);
              const res = await adjust(acct.id, amount, `k${key}`);
              return { key, status: res.status, body: res.body, amount };
            }),
          );
          for (const a of answers) answersByKey.set(a.key, [...(answersByKey.get(a.key) ?? []), a]);
        }

        let expectedMicros = 0;
        for (const answers of answersByKey.values()) {
          // The first body a key saw wins; every request with that body gets the same
          // answer, every other body under that key gets 409.
          const winners = answers.filter((a) => a.status === 201);
          expect(winners.length).toBeGreaterThan(0);
          const first = winners[0]!;
          for (const w of winners) {
            expect(w.amount).toBe(first.amount);
            expect(w.body).toEqual(first.body);
          }
          for (const a of answers) {
            expect(a.status === 201 || (a.status === 409 && a.amount !== first.amount)).toBe(true);
          }
          const posted = parseMoney((first.body as any).movement.amount);
          if (!posted.ok) throw new Error("the ledger answered an unparseable amount");
          expectedMicros += posted.micros;
        }

        const audit = await ledger(acct.id).audit();
        expect(audit.movementCount).toBe(answersByKey.size);
        expect(audit.balanceMicros).toBe(audit.movementSumMicros);
        expect(audit.balanceMicros).toBe(expectedMicros);
        await drainOutbox(acct.id);
        expect(await d1Sum(acct.id)).toEqual({ n: answersByKey.size, total: audit.balanceMicros });
      }),
      { numRuns: 25 },
    );
  }, 120_000);
});
