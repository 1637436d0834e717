import { applyD1Migrations, type D1Migration } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { MOVEMENT_COLUMNS } from "../../src/history/movement-row";

const { TEST_MIGRATIONS, TEST_LEGACY_DB } = env as unknown as {
  TEST_MIGRATIONS: D1Migration[];
  TEST_LEGACY_DB: D1Database;
};

const ROWS = 250;
const everyRow = (db: D1Database) =>
  db
    .prepare(`SELECT ${MOVEMENT_COLUMNS.join(", ")} FROM movements ORDER BY account_id, seq`)
    .all()
    .then((answer) => answer.results);

const indexesOf = (db: D1Database) =>
  db
    .prepare(
      "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'movements' ORDER BY name",
    )
    .all<{ name: string }>()
    .then((answer) => answer.results.map((row) => row.name));

const insertOne = (db: D1Database, accountId: string, seq: number) =>
  db
    .prepare(
      `INSERT OR IGNORE INTO movements (id, account_id, seq, at_ms, description, interaction_id, amount_micros, balance_after_micros)
       VALUES (?, ?, ?, ?, 'adjustment', 'probe', -1, 0)`,
    )
    .bind(`probe-${accountId}-${seq}`, accountId, seq, 1_000_000 + seq)
    .run();

describe("D1 movements keyed by (account_id, seq)", () => {
  it("migration 0011 moves every row of a database that has them, and a copy then writes two rows", async () => {
    const db = TEST_LEGACY_DB;
    await applyD1Migrations(
      db,
      TEST_MIGRATIONS.filter((m) => m.name < "0011"),
    );
    // Two accounts with interleaved times, every column filled or null, as the outbox writes them.
    const statements = Array.from({ length: ROWS }, (_, i) =>
      db
        .prepare(
          `INSERT INTO movements (id, account_id, seq, at_ms, description, interaction_id, units, units_charged,
             unit_price_micros, amount_micros, balance_after_micros, user_id, reason, details)
           VALUES (?, ?, ?, ?, 'call', ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .bind(
          `0190-${i}`,
          i % 2 === 0 ? "even" : "odd",
          Math.floor(i / 2) + 1,
          1_700_000_000_000 + i * 1000,
          `call-${i}`,
          i % 3 === 0 ? null : "seconds",
          i % 3 === 0 ? null : 60,
          i % 3 === 0 ? null : 20_000,
          -20_000 - i,
          -20_000 * i,
          i % 5 === 0 ? null : `user-${i % 7}`,
          i % 4 === 0 ? null : "Call to Germany",
          i % 6 === 0 ? null : JSON.stringify({ leg: "primary", n: i }),
        ),
    );
    await db.batch(statements);
    const before = await everyRow(db);
    expect(before).toHaveLength(ROWS);
    expect(await indexesOf(db)).toEqual([
      "movements_account_seq",
      "movements_account_time",
      "sqlite_autoindex_movements_1",
    ]);
    // Four rows per movement before: the row, its id's UNIQUE, the time index, the seq UNIQUE.
    expect((await insertOne(db, "even", 10_000)).meta.rows_written).toBe(4);

    await applyD1Migrations(db, TEST_MIGRATIONS);

    const after = await everyRow(db);
    expect(after).toHaveLength(ROWS + 1);
    expect(after.filter((row) => row.interaction_id !== "probe")).toEqual(before);
    expect(await indexesOf(db)).toEqual(["movements_account_time"]);
    const table = await db
      .prepare("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'movements'")
      .first<{ sql: string }>();
    expect(table?.sql).toMatch(/PRIMARY KEY \(account_id, seq\)\s*\) WITHOUT ROWID/);

    // Two rows per movement now, and a retried copy (same account and seq) writes none.
    expect((await insertOne(db, "odd", 10_000)).meta.rows_written).toBe(2);
    const retried = await insertOne(db, "odd", 10_000);
    expect(retried.meta.changes).toBe(0);
    expect(retried.meta.rows_written).toBe(0);
  });

  it("the history shards have the same movements table and indexes as the main database", async () => {
    const schemaOf = (db: D1Database) =>
      db
        .prepare(
          "SELECT type, name, sql FROM sqlite_master WHERE tbl_name = 'movements' ORDER BY type, name",
        )
        .all()
        .then((answer) => answer.results);
    const main = await schemaOf(env.DB);
    expect(main.map((row) => row.name)).toEqual(["movements_account_time", "movements"]);
    for (const shard of [env.HISTORY_1, env.HISTORY_2, env.HISTORY_3])
      expect(await schemaOf(shard)).toEqual(main);
  });
});
