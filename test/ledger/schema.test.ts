import { abortAllDurableObjects, runInDurableObject } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import { LEDGER_SCHEMA_STEPS } from "../../src/ledger/schema";
import { OUTBOX_MARK } from "../../src/ledger/store";
import { adjust, api, d1Sum, drainOutbox, ledger, newAccount } from "../helpers";
import { authorize, end, N, setPlan, uploadSampleDecks } from "../calls/helpers";

type Row = Record<string, SqlStorageValue>;

/**
 * Rebuilds a ledger as a ledger at schema `version` would hold the same data: every table
 * dropped, steps 1..version applied, then the account, movements, settings and call legs
 * written back in that version's shape (the balance and holds on the account row before
 * step 6, movements numbered by AUTOINCREMENT before it).
 */
function rebuildAt(sql: SqlStorage, version: number): void {
  const account = sql
    .exec("SELECT account_id, currency, time_zone, email, created_at_ms FROM account")
    .one();
  const movements = sql.exec("SELECT * FROM movements ORDER BY seq").toArray();
  const settings = sql.exec("SELECT * FROM settings").toArray();
  const legs = sql.exec("SELECT * FROM call_legs").toArray();
  const tables = sql
    .exec<{ name: string }>(
      "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '_cf_%'",
    )
    .toArray();
  for (const { name } of tables) sql.exec(`DROP TABLE ${name}`);
  for (const step of LEDGER_SCHEMA_STEPS.slice(0, version)) sql.exec(step);
  sql.exec("CREATE TABLE schema_version (version INTEGER NOT NULL)");
  sql.exec("INSERT INTO schema_version (version) VALUES (?)", version);
  const balance = (movements.at(-1)?.balance_after_micros as number | undefined) ?? 0;
  const reserved = legs
    .filter((leg) => leg.state === "running")
    .reduce((sum, leg) => sum + (leg.reserved_micros as number), 0);
  sql.exec(
    `INSERT INTO account (singleton, account_id, currency, time_zone, email, balance_micros,
       reserved_micros, created_at_ms) VALUES (1, ?, ?, ?, ?, ?, ?, ?)`,
    account.account_id,
    account.currency,
    account.time_zone,
    account.email,
    balance,
    reserved,
    account.created_at_ms,
  );
  insertAll(sql, "movements", movements);
  insertAll(sql, "settings", settings);
  insertAll(sql, "call_legs", legs);
}

function insertAll(sql: SqlStorage, table: string, rows: Row[]): void {
  for (const row of rows) {
    const columns = Object.keys(row);
    sql.exec(
      `INSERT OR REPLACE INTO ${table} (${columns.join(", ")}) VALUES (${columns.map(() => "?").join(", ")})`,
      ...columns.map((column) => row[column]),
    );
  }
}

async function schemaVersion(accountId: string): Promise<number> {
  return runInDurableObject(
    ledger(accountId),
    (_instance, state) =>
      state.storage.sql.exec<{ version: number }>("SELECT version FROM schema_version").one()
        .version,
  );
}

describe("ledger schema steps", () => {
  beforeAll(uploadSampleDecks);

  it.each([
    { pending: 0, name: "nothing pending" },
    { pending: 3, name: "three movements pending" },
  ])(
    "step 5 turns the outbox table into a mark that keeps what was pending ($name)",
    async ({ pending }) => {
      const acct = await newAccount({ credit: "10.00" });
      await drainOutbox(acct.id);
      const copiedBefore = (await d1Sum(acct.id)).n;
      for (let i = 0; i < 3; i++) await adjust(acct.id, "-0.10", `s${i}`);
      // The three new movements were never copied; the old table lists the last `pending`.
      await runInDurableObject(ledger(acct.id), (_instance, state) => {
        const sql = state.storage.sql;
        rebuildAt(sql, 4);
        sql.exec("INSERT INTO outbox SELECT seq FROM movements ORDER BY seq DESC LIMIT ?", pending);
        sql.exec("DELETE FROM settings WHERE key = ?", OUTBOX_MARK);
      });
      // A restarted object upgrades its schema before it answers anything.
      await abortAllDurableObjects();
      expect(await schemaVersion(acct.id)).toBe(LEDGER_SCHEMA_STEPS.length);
      expect((await ledger(acct.id).audit()).outboxSize).toBe(pending);
      await drainOutbox(acct.id);
      // Movements the old table no longer listed were copied before; the copy is only of the rest.
      expect((await d1Sum(acct.id)).n).toBe(copiedBefore + pending);
    },
  );

  it("step 6 keeps the balance, the holds and the numbering, and drops the indexes it no longer needs", async () => {
    const acct = await newAccount({ credit: "10.00" });
    await setPlan(acct.id);
    await adjust(acct.id, "-1.00", "before-6");
    expect(
      (await authorize(acct.id, "running-at-6", { from: N.usAccount, to: N.deFixedBerlin })).body
        .allowed,
    ).toBe(true);
    const before = await ledger(acct.id).audit();
    expect(before.reservedMicros).toBeGreaterThan(0);
    await runInDurableObject(ledger(acct.id), (_instance, state) =>
      rebuildAt(state.storage.sql, 5),
    );
    await abortAllDurableObjects();

    expect(await schemaVersion(acct.id)).toBe(LEDGER_SCHEMA_STEPS.length);
    const after = await ledger(acct.id).audit();
    expect(after).toEqual(before);
    const indexes = await runInDurableObject(ledger(acct.id), (_instance, state) =>
      state.storage.sql
        .exec<{ name: string }>("SELECT name FROM sqlite_master WHERE type = 'index'")
        .toArray()
        .map((row) => row.name),
    );
    // Step 9 drops the partial index step 6 kept (the running legs are held in memory since).
    for (const gone of [
      "movements_at",
      "call_legs_due",
      "call_legs_user",
      "idempotency_age",
      "call_legs_running",
    ])
      expect(indexes).not.toContain(gone);

    // The running leg settles against the hold it had; the next movement follows the last.
    expect((await end(acct.id, "running-at-6", 65)).body).toMatchObject({ charged: "0.02" });
    const credit = await api("GET", `/v1/accounts/${acct.id}/credit`, { token: acct.adminKey });
    expect(credit.body).toMatchObject({ balance: "8.98", reserved: "0.00" });
    const listed = await api("GET", `/v1/accounts/${acct.id}/movements`, { token: acct.adminKey });
    const seqs = listed.body.movements.map((m: { amount: string }) => m.amount);
    expect(seqs).toEqual(["10.00", "-1.00", "-0.02"]);
    const audit = await ledger(acct.id).audit();
    expect(audit.movementSumMicros).toBe(audit.balanceMicros);
    expect(audit.movementCount).toBe(3);
  });
});
