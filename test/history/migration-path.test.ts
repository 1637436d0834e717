import { applyD1Migrations, type D1Migration } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { historyDatabaseOf, recordedShardOf } from "../../src/history/shards";
import { accountHistory, historyPages } from "../../src/history/read";
import type { ExportMovement } from "../../src/exports/types";
import { envWith } from "./helpers";

const { TEST_MIGRATIONS, TEST_LEGACY_DB } = env as unknown as {
  TEST_MIGRATIONS: D1Migration[];
  TEST_LEGACY_DB: D1Database;
};

describe("the migration path from one database to shards", () => {
  it("an existing deployment's accounts stay on DB as shard 0, their history read where it is", async () => {
    const legacy = TEST_LEGACY_DB;
    // The database as it was before sharding, with an account and its history in it.
    await applyD1Migrations(
      legacy,
      TEST_MIGRATIONS.filter((m) => m.name < "0009"),
    );
    await legacy
      .prepare(
        "INSERT INTO accounts (id, name, currency, email, time_zone, created_at_ms) VALUES ('old', 'Old', 'EUR', 'old@example.test', 'UTC', 1)",
      )
      .run();
    const nowMs = Date.now();
    await legacy.batch(
      [1, 2, 3].map((seq) =>
        legacy
          .prepare(
            `INSERT INTO movements (id, account_id, seq, at_ms, description, interaction_id, amount_micros, balance_after_micros)
             VALUES (?, 'old', ?, ?, 'adjustment', ?, -1000000, ?)`,
          )
          .bind(`0190${seq}`, seq, nowMs - (4 - seq) * 1000, `adj-${seq}`, -1_000_000 * seq),
      ),
    );

    await applyD1Migrations(legacy, TEST_MIGRATIONS);
    const migrated = envWith({ DB: legacy });
    expect(await recordedShardOf(migrated, "old")).toBe(0);
    expect(await historyDatabaseOf(migrated, "old")).toBe(legacy);
    const rows: ExportMovement[] = [];
    for await (const page of historyPages(migrated, await accountHistory(migrated, "old"), {
      fromMs: 0,
      toMs: nowMs,
    }))
      rows.push(...page);
    expect(rows.map((m) => m.interactionId)).toEqual(["adj-1", "adj-2", "adj-3"]);
    // The main database doubles as shard 0, so it has the archive table too.
    const tables = await legacy
      .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'history_archive'")
      .all();
    expect(tables.results).toHaveLength(1);
  });
});
