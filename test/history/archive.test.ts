import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { R2_MIN_PART_BYTES } from "../../src/exports/limits";
import {
  archiveAccountStep,
  archivedMonthsOf,
  archiveHistoryTick,
  HISTORY_DELETE_ROWS_PER_STATEMENT,
} from "../../src/history/archive";
import { readArchiveObject } from "../../src/history/archive-object";
import { archiveCutoffMs, HISTORY_MONTHS_IN_D1 } from "../../src/history/months";
import { historyDatabase } from "../../src/history/shards";
import { flakyD1 } from "../proof/flaky-d1";
import { ledger } from "../helpers";
import {
  accountOnShard,
  agedHistory,
  DAY_MS,
  envWith,
  everyView,
  failingWrites,
  listAll,
  micros,
  shardSum,
} from "./helpers";

const SHARD = 2;
const db = historyDatabase(env, SHARD);
const options = { partBytes: R2_MIN_PART_BYTES };

/** 40 charges over 600 days: five or six months past the 13 kept in D1. */
async function accountWithOldHistory() {
  const acct = await accountOnShard(SHARD);
  await agedHistory(acct.id, 40, 15 * DAY_MS);
  return acct;
}

describe("archive of months past D1's window", { timeout: 60_000 }, () => {
  it("writes each month to R2, verifies it, deletes it from D1, and every reader sees the same history", async () => {
    const acct = await accountWithOldHistory();
    const before = await everyView(acct);
    const inD1 = await shardSum(SHARD, acct.id);
    expect(inD1.n).toBe(41);
    expect(before.pagesOf4).toHaveLength(41);
    expect(before.windowed.length).toBeGreaterThan(10);

    const result = await archiveHistoryTick(env, Date.now(), options);
    expect(result.failures).toBe(0);
    const months = await archivedMonthsOf(db, acct.id);
    expect(months.length).toBeGreaterThanOrEqual(5);
    expect(months.every((m) => m.state === "deleted")).toBe(true);
    const cutoff = archiveCutoffMs(Date.now());
    expect(months.every((m) => m.endMs <= cutoff)).toBe(true);

    // What left D1 is exactly what R2 holds, counted and summed.
    const archivedRows = months.reduce((n, m) => n + m.rows, 0);
    const archivedSum = months.reduce((n, m) => n + m.sumMicros, 0);
    const left = await shardSum(SHARD, acct.id);
    expect(left.n + archivedRows).toBe(inD1.n);
    expect(left.total + archivedSum).toBe(inD1.total);
    const oldest = await db
      .prepare("SELECT min(at_ms) AS at FROM movements WHERE account_id = ?")
      .bind(acct.id)
      .first<{ at: number }>();
    expect(oldest?.at).toBeGreaterThanOrEqual(cutoff);
    expect(cutoff).toBeLessThanOrEqual(Date.now() - HISTORY_MONTHS_IN_D1 * 28 * DAY_MS);

    expect(await everyView(acct)).toEqual(before);
    const audit = await ledger(acct.id).audit();
    expect(audit.movementSumMicros).toBe(audit.balanceMicros);
  });

  it("is idempotent: a second run writes nothing and deletes nothing", async () => {
    const acct = await accountWithOldHistory();
    await archiveHistoryTick(env, Date.now(), options);
    const months = await archivedMonthsOf(db, acct.id);
    const objects = await Promise.all(months.map((m) => env.EXPORTS.head(m.objectKey)));
    const d1 = await shardSum(SHARD, acct.id);

    expect(await archiveAccountStep(env, acct.id, Date.now(), 1_000_000, options)).toEqual({
      step: "nothing_due",
    });
    const again = await archiveHistoryTick(env, Date.now(), options);
    expect(again).toMatchObject({ monthsArchived: 0, rowsDeleted: 0, failures: 0 });
    expect(await archivedMonthsOf(db, acct.id)).toEqual(months);
    const after = await Promise.all(months.map((m) => env.EXPORTS.head(m.objectKey)));
    expect(after.map((o) => o?.etag)).toEqual(objects.map((o) => o?.etag));
    expect(await shardSum(SHARD, acct.id)).toEqual(d1);
  });

  it("a month written again after a lost record is the same object, byte for byte", async () => {
    const acct = await accountWithOldHistory();
    const first = await archiveAccountStep(env, acct.id, Date.now(), 1_000_000, options);
    if (first.step !== "archived") throw new Error(`expected a month archived: ${first.step}`);
    const [month] = await archivedMonthsOf(db, acct.id);
    if (!month) throw new Error("no month recorded");
    const bytes = async () => {
      const object = await env.EXPORTS.get(month.objectKey);
      if (!object) throw new Error(`${month.objectKey} is not in R2`);
      return new Uint8Array(await object.arrayBuffer());
    };
    const written = await bytes();
    // As if the run had died between the R2 write and its record: the next run starts over.
    await db.prepare("DELETE FROM history_archive WHERE account_id = ?").bind(acct.id).run();
    const second = await archiveAccountStep(env, acct.id, Date.now(), 1_000_000, options);
    expect(second).toEqual(first);
    expect(await bytes()).toEqual(written);
  });

  it("resumes after R2 fails: nothing recorded or deleted, the next run archives", async () => {
    const acct = await accountWithOldHistory();
    const before = await everyView(acct);
    const inD1 = await shardSum(SHARD, acct.id);
    const broken = envWith({ EXPORTS: failingWrites(env.EXPORTS) });

    await expect(
      archiveAccountStep(broken, acct.id, Date.now(), 1_000_000, options),
    ).rejects.toThrow("injected R2 write failure");
    const tick = await archiveHistoryTick(broken, Date.now(), options);
    expect(tick.failures).toBeGreaterThanOrEqual(1);
    expect(await archivedMonthsOf(db, acct.id)).toEqual([]);
    expect(await shardSum(SHARD, acct.id)).toEqual(inD1);
    expect((await env.EXPORTS.list({ prefix: `history/${acct.id}/` })).objects).toEqual([]);
    expect(await everyView(acct)).toEqual(before);

    await archiveHistoryTick(env, Date.now(), options);
    expect((await archivedMonthsOf(db, acct.id)).length).toBeGreaterThanOrEqual(5);
    expect(await everyView(acct)).toEqual(before);
  });

  it("resumes after a D1 delete fails: the verified month is read from R2, then deleted once", async () => {
    const acct = await accountWithOldHistory();
    const before = await everyView(acct);
    const inD1 = await shardSum(SHARD, acct.id);
    const failingDeletes = flakyD1(db, (sql) =>
      sql.trimStart().startsWith("DELETE FROM movements"),
    );
    const broken = envWith({ [`HISTORY_${SHARD}`]: failingDeletes });

    const first = await archiveAccountStep(broken, acct.id, Date.now(), 1_000_000, options);
    expect(first.step).toBe("archived");
    await expect(archiveAccountStep(broken, acct.id, Date.now(), 1_000, options)).rejects.toThrow(
      "injected fault",
    );
    const [month] = await archivedMonthsOf(db, acct.id);
    expect(month?.state).toBe("verified");
    // R2 has the month and D1 still has its rows: readers take it once, from R2.
    expect(await shardSum(SHARD, acct.id)).toEqual(inD1);
    expect(await everyView(acct)).toEqual(before);

    const resumed = await archiveAccountStep(env, acct.id, Date.now(), 1_000_000, options);
    expect(resumed).toEqual({
      step: "deleted",
      month: month?.month,
      rows: month?.rows,
      done: true,
    });
    expect((await archivedMonthsOf(db, acct.id))[0]?.state).toBe("deleted");
    expect((await shardSum(SHARD, acct.id)).n).toBe(inD1.n - (month?.rows ?? 0));
    expect(await everyView(acct)).toEqual(before);
  });

  it("does bounded work per tick and resumes where it stopped", async () => {
    const acct = await accountWithOldHistory();
    const before = await everyView(acct);
    const ticks = [];
    for (let i = 0; i < 40; i++) {
      const tick = await archiveHistoryTick(env, Date.now(), { ...options, budgetRows: 3 });
      ticks.push(tick);
      if (tick.monthsArchived === 0 && tick.rowsDeleted === 0) break;
      // No month is started once 3 rows of work are done, and a month here has 2 or 3 rows.
      expect(tick.rowsArchived + tick.rowsDeleted).toBeLessThanOrEqual(3 + 2);
    }
    expect(ticks.length).toBeGreaterThan(5);
    const months = await archivedMonthsOf(db, acct.id);
    expect(months.length).toBeGreaterThanOrEqual(5);
    expect(months.every((m) => m.state === "deleted")).toBe(true);
    expect(await everyView(acct)).toEqual(before);
    expect(HISTORY_DELETE_ROWS_PER_STATEMENT).toBeGreaterThan(3);
  });

  it("keeps each account's rows in its own objects and listings", async () => {
    const a = await accountWithOldHistory();
    const b = await accountWithOldHistory();
    const listedB = await listAll(b, 500);
    await archiveHistoryTick(env, Date.now(), options);
    for (const acct of [a, b]) {
      for (const month of await archivedMonthsOf(db, acct.id)) {
        for await (const rows of readArchiveObject(env.EXPORTS, month.objectKey))
          expect(new Set(rows.map((r) => r.account_id))).toEqual(new Set([acct.id]));
      }
    }
    const listedA = await listAll(a, 500);
    const idsA = new Set(listedA.map((m) => m.id));
    expect(listedB.some((m) => idsA.has(m.id))).toBe(false);
    expect(await listAll(b, 500)).toEqual(listedB);
    expect(listedA.reduce((sum, m) => sum + micros(m.amount), 0)).toBe(
      (await ledger(a.id).audit()).balanceMicros,
    );
  });
});
