// Spend per category and per day, summed from the movements since schema step 9: a charge
// writes its movement and no counter, the usage report and the daily cap still see it
// (across a restart, after the movement is pruned, after an upgrade from step 8).
import { abortAllDurableObjects, runInDurableObject } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import { calendarAt } from "../../src/ledger/calendar";
import { MOVEMENTS_KEPT_IN_LEDGER_MS } from "../../src/ledger/movement-retention";
import { LEDGER_SCHEMA_STEPS } from "../../src/ledger/schema";
import { formatMoney, parseMoney } from "../../src/money";
import { CHARGE_KINDS, USAGE_COUNTED_THROUGH_SEQ } from "../../src/ledger/usage-counters";
import {
  authorize,
  end,
  N,
  reportUsage,
  sendMessage,
  setPlan,
  uploadSampleDecks,
} from "../calls/helpers";
import { api, drainOutbox, ledger, newAccount, type TestAccount } from "../helpers";

const DAY_MS = 86_400_000;

beforeAll(uploadSampleDecks);

const usageOf = async (acct: TestAccount, month?: string) => {
  const answer = await api(
    "GET",
    `/v1/accounts/${acct.id}/usage${month ? `?month=${month}` : ""}`,
    { token: acct.adminKey },
  );
  expect(answer.status).toBe(200);
  return answer.body;
};

const sms = (acct: TestAccount, id: string) =>
  sendMessage(acct.id, id, { channel: "sms", to: N.deMobile, fragments: 1 });

/** A credit-billed call of 65 s, an included one, two messages and a minute of speech-to-text. */
async function someCharges(acct: TestAccount, prefix: string): Promise<void> {
  expect((await sms(acct, `${prefix}-sms-1`)).status).toBe(201);
  expect((await sms(acct, `${prefix}-sms-2`)).status).toBe(201);
  for (const [id, from] of [
    [`${prefix}-credit`, N.usAccount],
    [`${prefix}-included`, N.deAccount],
  ] as const) {
    expect((await authorize(acct.id, id, { from, to: N.deFixedBerlin })).body.allowed).toBe(true);
    expect((await end(acct.id, id, 65)).status).toBe(200);
  }
  expect(
    (await reportUsage(acct.id, `${prefix}-stt`, { service: "stt", seconds: 60 })).status,
  ).toBe(201);
}

const tableNames = (accountId: string) =>
  runInDurableObject(ledger(accountId), (_instance, state) =>
    state.storage.sql
      .exec<{ name: string }>("SELECT name FROM sqlite_master WHERE type IN ('table', 'index')")
      .toArray()
      .map((row) => row.name),
  );

describe("spend summed from the movements", () => {
  it("a message writes its movement and its idempotency record only; the report and the daily cap count it, also after a restart", async () => {
    const acct = await newAccount({ credit: "10.00" });
    await setPlan(acct.id);
    await ledger(acct.id).startSqlMeter();
    expect((await sms(acct, "metered")).status).toBe(201);
    const { rowsWritten } = await ledger(acct.id).stopSqlMeter();
    expect(rowsWritten).toBe(2);
    await someCharges(acct, "a");

    const report = await usageOf(acct);
    expect(report.spend).toEqual([
      { category: "call", charges: 1, units: 120, amount: "0.02" },
      { category: "sms", charges: 3, units: 3, amount: "0.225" },
      { category: "stt", charges: 1, units: 1, amount: expect.any(String) },
    ]);
    await abortAllDurableObjects();
    expect(await usageOf(acct)).toEqual(report);

    // The day's charges, summed again from the day's movements by the restarted object.
    const spent = parseMoney(report.totalSpend);
    if (!spent.ok) throw new Error(`not an amount: ${report.totalSpend}`);
    const cap = formatMoney(spent.micros + 10_000);
    await api("PUT", `/v1/accounts/${acct.id}/spend-controls`, {
      token: acct.adminKey,
      body: { dailyCap: cap },
    });
    // 0.01 left of the cap: one minute to Berlin is granted, and then nothing.
    expect(
      (await authorize(acct.id, "capped-1", { from: N.usAccount, to: N.deFixedBerlin })).body,
    ).toMatchObject({ allowed: true, grantSeconds: 60 });
    expect(
      (await authorize(acct.id, "capped-2", { from: N.usAccount, to: N.deFixedBerlin })).body,
    ).toMatchObject({ allowed: false, reason: "daily_spend_cap_reached" });
  });

  it("yesterday's charges do not count against today's cap", async () => {
    const acct = await newAccount({ credit: "10.00" });
    await someCharges(acct, "y");
    await runInDurableObject(ledger(acct.id), (_instance, state) => {
      state.storage.sql.exec("UPDATE movements SET at_ms = at_ms - ?", 2 * DAY_MS);
    });
    await abortAllDurableObjects();
    await api("PUT", `/v1/accounts/${acct.id}/spend-controls`, {
      token: acct.adminKey,
      body: { dailyCap: "0.01" },
    });
    expect(
      (await authorize(acct.id, "today", { from: N.usAccount, to: N.deFixedBerlin })).body,
    ).toMatchObject({ allowed: true, grantSeconds: 60 });
  });

  it("charges pruned from the ledger still count in their month, once", async () => {
    const acct = await newAccount({ credit: "10.00" });
    await setPlan(acct.id);
    await someCharges(acct, "old");
    // Every movement so far (the opening credit and the charges) made long ago.
    const old = await runInDurableObject(ledger(acct.id), (_instance, state) => {
      state.storage.sql.exec(
        "UPDATE movements SET at_ms = at_ms - ?",
        MOVEMENTS_KEPT_IN_LEDGER_MS + 2 * DAY_MS,
      );
      const first = state.storage.sql
        .exec<{ at_ms: number; last: number }>(
          "SELECT min(at_ms) AS at_ms, max(seq) AS last FROM movements",
        )
        .one();
      return { month: calendarAt(first.at_ms, "Europe/Prague").month, lastSeq: first.last };
    });
    const oldMonth = old.month;
    await abortAllDurableObjects();
    await someCharges(acct, "new");
    const before = { old: await usageOf(acct, oldMonth), now: await usageOf(acct) };
    expect(before.old.spend).toEqual(before.now.spend);

    await drainOutbox(acct.id); // copies to D1, then prunes the old ones
    const left = await runInDurableObject(ledger(acct.id), (_instance, state) => ({
      rows: state.storage.sql.exec<{ n: number }>("SELECT count(*) AS n FROM movements").one().n,
      mark: JSON.parse(
        state.storage.sql
          .exec<{ value: string }>(
            "SELECT value FROM settings WHERE key = ?",
            USAGE_COUNTED_THROUGH_SEQ,
          )
          .one().value,
      ) as number,
    }));
    expect(left).toEqual({ rows: old.lastSeq - 1, mark: old.lastSeq });
    expect(await usageOf(acct, oldMonth)).toEqual(before.old);
    expect(await usageOf(acct)).toEqual(before.now);
    await abortAllDurableObjects();
    expect(await usageOf(acct, oldMonth)).toEqual(before.old);
  });

  it("step 9 upgrades a step-8 ledger: its month counters and day's spend carry over, the index and the day table go", async () => {
    const acct = await newAccount({ credit: "10.00" });
    await setPlan(acct.id);
    await someCharges(acct, "at-8");
    expect(
      (await authorize(acct.id, "running-at-8", { from: N.usAccount, to: N.deFixedBerlin })).body
        .allowed,
    ).toBe(true);
    const report = await usageOf(acct);
    const audit = await ledger(acct.id).audit();
    expect(audit.reservedMicros).toBeGreaterThan(0);

    // Back to step 8, with what its code had written: the month's spend per category and the
    // day's spend counted as each charge was made, the partial index over running legs.
    await runInDurableObject(ledger(acct.id), (_instance, state) => {
      const sql = state.storage.sql;
      const charges = sql
        .exec<{ at_ms: number; description: string; units_charged: number; amount_micros: number }>(
          `SELECT at_ms, description, units_charged, amount_micros FROM movements
           WHERE amount_micros < 0 AND description IN (${CHARGE_KINDS.map((k) => `'${k}'`).join(", ")})`,
        )
        .toArray();
      sql.exec(
        "CREATE INDEX call_legs_running ON call_legs (expires_at_ms) WHERE state = 'running'",
      );
      sql.exec("CREATE TABLE spend_days (day TEXT PRIMARY KEY, amount_micros INTEGER NOT NULL)");
      for (const charge of charges) {
        const { day, month } = calendarAt(charge.at_ms, "Europe/Prague");
        sql.exec(
          `INSERT INTO usage_spend (month, category, charges, units, amount_micros) VALUES (?, ?, 1, ?, ?)
           ON CONFLICT (month, category) DO UPDATE SET charges = charges + 1,
             units = units + excluded.units, amount_micros = amount_micros + excluded.amount_micros`,
          month,
          charge.description,
          charge.units_charged,
          -charge.amount_micros,
        );
        sql.exec(
          `INSERT INTO spend_days (day, amount_micros) VALUES (?, ?)
           ON CONFLICT (day) DO UPDATE SET amount_micros = amount_micros + excluded.amount_micros`,
          day,
          -charge.amount_micros,
        );
      }
      sql.exec("DELETE FROM settings WHERE key = ?", USAGE_COUNTED_THROUGH_SEQ);
      sql.exec("UPDATE schema_version SET version = 8");
    });
    await abortAllDurableObjects();

    const version = await runInDurableObject(
      ledger(acct.id),
      (_instance, state) =>
        state.storage.sql.exec<{ version: number }>("SELECT version FROM schema_version").one()
          .version,
    );
    expect(version).toBe(LEDGER_SCHEMA_STEPS.length);
    const names = await tableNames(acct.id);
    expect(names).not.toContain("spend_days");
    expect(names).not.toContain("call_legs_running");
    expect(await ledger(acct.id).audit()).toEqual(audit);
    // The movements before the step are counted by the table, not a second time from the ledger.
    expect(await usageOf(acct)).toEqual(report);

    // The running leg settles against its hold; a new message counts once.
    expect((await end(acct.id, "running-at-8", 65)).body).toMatchObject({ charged: "0.02" });
    expect((await sms(acct, "after-9")).status).toBe(201);
    const after = await usageOf(acct);
    const count = (r: typeof report, category: string) =>
      r.spend.find((s: { category: string }) => s.category === category)?.charges;
    expect(count(after, "sms")).toBe(count(report, "sms") + 1);
    expect(count(after, "call")).toBe(count(report, "call") + 1);
    const settled = await ledger(acct.id).audit();
    expect(settled).toMatchObject({ reservedMicros: 0, legsReservedMicros: 0 });
    expect(settled.movementSumMicros).toBe(settled.balanceMicros);
  });
});
