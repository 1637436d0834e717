import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { R2_MIN_PART_BYTES } from "../../src/exports/limits";
import { archivedMonthsOf, archiveHistoryTick } from "../../src/history/archive";
import { MOVEMENT_COLUMNS } from "../../src/history/movement-row";
import {
  MOVE_DELETE_GRACE_MS,
  MOVE_RESTARTS_MAX,
  planMoveStarts,
  rebalanceTick,
  type HistoryMove,
  type MoveOptions,
} from "../../src/history/rebalance";
import { historyDatabase, recordedShardOf } from "../../src/history/shards";
import type { AccountLedger } from "../../src/ledger/account-ledger";
import { formatMoney } from "../../src/money";
import { adjust, api, drainOutbox, ledger, type TestAccount } from "../helpers";
import { failAfter, flakyD1 } from "../proof/flaky-d1";
import {
  accountOnShard,
  agedHistory,
  DAY_MS,
  envWith,
  everyView,
  listAll,
  micros,
  shardSum,
} from "./helpers";

const FROM = 1;
const TO = 3;
const source = historyDatabase(env, FROM);
const target = historyDatabase(env, TO);

async function startMove(accountIds: string[], toShard = TO) {
  return api("POST", "/v1/history-moves", { body: { accountIds, toShard } });
}

async function startOne(accountId: string): Promise<{ id: string }> {
  const started = await startMove([accountId]);
  expect(started.status, JSON.stringify(started.body)).toBe(202);
  return started.body.moves[0];
}

async function moveView(moveId: string) {
  const answer = await api("GET", `/v1/history-moves/${moveId}`);
  expect(answer.status).toBe(200);
  return answer.body;
}

/** Runs cron ticks at `nowMs` until the move reaches `state`; fails past 60 ticks. */
async function ticksUntil(
  moveId: string,
  state: HistoryMove["state"],
  nowMs: number,
  options: MoveOptions & { budgetRows?: number } = {},
  tickEnv: Env = env,
) {
  for (let i = 0; i < 60; i++) {
    await rebalanceTick(tickEnv, nowMs, options);
    const move = await moveView(moveId);
    if (move.state === state) return move;
  }
  throw new Error(
    `move ${moveId} did not reach ${state}: ${JSON.stringify(await moveView(moveId))}`,
  );
}

/** A move from start to end: switched now, the source deleted once the grace has passed. */
async function moveToEnd(moveId: string, options: MoveOptions = {}) {
  await ticksUntil(moveId, "deleting", Date.now(), options);
  return ticksUntil(moveId, "done", Date.now() + MOVE_DELETE_GRACE_MS, options);
}

/** The account's rows on a shard: how many, how many distinct seqs, the last seq. */
async function seqsOn(db: D1Database, accountId: string) {
  return db
    .prepare(
      "SELECT count(*) AS n, count(DISTINCT seq) AS distinct_seqs, coalesce(max(seq), 0) AS last FROM movements WHERE account_id = ?",
    )
    .bind(accountId)
    .first<{ n: number; distinct_seqs: number; last: number }>();
}

async function charges(acct: TestAccount, count: number, tag: string) {
  for (let i = 0; i < count; i++) await adjust(acct.id, "-0.01", `${tag}-${i}`);
}

describe("rebalancing an account's history to another shard", { timeout: 90_000 }, () => {
  it("moves an account with archived months: every view the same, its rows on the target once, none left on the source", async () => {
    const acct = await accountOnShard(FROM);
    await agedHistory(acct.id, 40, 15 * DAY_MS);
    const neighbour = await accountOnShard(TO);
    await agedHistory(neighbour.id, 12, 20 * DAY_MS);
    expect(
      (await archiveHistoryTick(env, Date.now(), { partBytes: R2_MIN_PART_BYTES })).failures,
    ).toBe(0);
    const months = await archivedMonthsOf(source, acct.id);
    expect(months.length).toBeGreaterThanOrEqual(5);
    const objects = (await env.EXPORTS.list({ prefix: `history/${acct.id}/` })).objects;
    expect(objects).toHaveLength(months.length);
    const before = await everyView(acct);
    const neighbourBefore = await everyView(neighbour);
    const inSource = await shardSum(FROM, acct.id);

    const move = await startOne(acct.id);
    expect(move).toMatchObject({
      accountId: acct.id,
      fromShard: FROM,
      toShard: TO,
      state: "clearing",
    });
    const switched = await ticksUntil(move.id, "deleting", Date.now());
    expect(await recordedShardOf(env, acct.id)).toBe(TO);
    expect(switched.verified).toEqual({
      rows: inSource.n,
      sum: formatMoney(inSource.total),
      archivedMonths: months.length,
    });
    expect(await everyView(acct)).toEqual(before);
    expect(await shardSum(TO, acct.id)).toEqual(inSource);
    // The archive's records moved with the rows; its objects are the account's, not the shard's.
    expect(await archivedMonthsOf(target, acct.id)).toEqual(months);

    // Within the grace period the source keeps everything, for readers that opened it before.
    await rebalanceTick(env, Date.now());
    expect(await shardSum(FROM, acct.id)).toEqual(inSource);

    const done = await ticksUntil(move.id, "done", Date.now() + MOVE_DELETE_GRACE_MS);
    expect(done).toMatchObject({ rowsCopied: inSource.n, rowsDeleted: inSource.n, restarts: 0 });
    expect(await shardSum(FROM, acct.id)).toEqual({ n: 0, total: 0 });
    expect(await archivedMonthsOf(source, acct.id)).toEqual([]);
    expect(await everyView(acct)).toEqual(before);
    expect(await everyView(neighbour)).toEqual(neighbourBefore);
    const after = (await env.EXPORTS.list({ prefix: `history/${acct.id}/` })).objects;
    expect(after.map((o) => [o.key, o.etag])).toEqual(objects.map((o) => [o.key, o.etag]));

    // The ledger copies what comes next to the new shard.
    await adjust(acct.id, "-0.05", "after-the-move");
    await drainOutbox(acct.id);
    expect((await shardSum(TO, acct.id)).n).toBe(inSource.n + 1);
    expect((await shardSum(FROM, acct.id)).n).toBe(0);
    const listed = await listAll(acct, 500);
    expect(listed.reduce((sum, m) => sum + micros(m.amount), 0)).toBe(
      (await ledger(acct.id).audit()).balanceMicros,
    );
  });

  it("resumes a copy that failed mid way: the page is copied again, nothing twice", async () => {
    const acct = await accountOnShard(FROM);
    await agedHistory(acct.id, 30, 5 * DAY_MS);
    const before = await everyView(acct);
    const inSource = await shardSum(FROM, acct.id);
    const move = await startOne(acct.id);
    // The target takes two pages of five, then refuses every insert.
    const broken = envWith({
      [`HISTORY_${TO}`]: flakyD1(target, failAfter(/^INSERT OR IGNORE INTO movements/, 2)),
    });

    const failed = await rebalanceTick(broken, Date.now(), { pageRows: 5 });
    expect(failed.failures).toBe(1);
    const stopped = await moveView(move.id);
    expect(stopped).toMatchObject({ state: "copying", rowsCopied: 10, failures: 1 });
    expect(stopped.lastError).toContain("injected fault");
    expect((await shardSum(TO, acct.id)).n).toBe(10);
    expect(await recordedShardOf(env, acct.id)).toBe(FROM);
    expect(await everyView(acct)).toEqual(before);

    // As if the cursor's record was lost too: the next run copies those pages again.
    await env.DB.prepare("UPDATE history_moves SET copied_through_seq = 0 WHERE id = ?")
      .bind(move.id)
      .run();
    await moveToEnd(move.id, { pageRows: 5 });
    expect(await seqsOn(target, acct.id)).toEqual({
      n: inSource.n,
      distinct_seqs: inSource.n,
      last: inSource.n,
    });
    expect(await shardSum(TO, acct.id)).toEqual(inSource);
    expect(await shardSum(FROM, acct.id)).toEqual({ n: 0, total: 0 });
    expect(await everyView(acct)).toEqual(before);
  });

  it("a failed verification starts the copy over from nothing and the move then ends", async () => {
    const acct = await accountOnShard(FROM);
    await charges(acct, 20, "verify");
    await drainOutbox(acct.id);
    const before = await listAll(acct, 500);
    const move = await startOne(acct.id);
    await rebalanceTick(env, Date.now(), { pageRows: 5, budgetRows: 1 });
    expect(await moveView(move.id)).toMatchObject({ state: "copying", rowsCopied: 5 });
    // A row the source does not have (a leftover, or one the source lost after its copy).
    const columns = MOVEMENT_COLUMNS.join(", ");
    const stray = MOVEMENT_COLUMNS.map((c) =>
      c === "id" ? "'stray-' || id" : c === "seq" ? "1000000" : c,
    ).join(", ");
    await target
      .prepare(
        `INSERT INTO movements (${columns}) SELECT ${stray} FROM movements WHERE account_id = ? AND seq = 1`,
      )
      .bind(acct.id)
      .run();

    await rebalanceTick(env, Date.now(), { pageRows: 5 });
    const restarted = await moveView(move.id);
    expect(restarted).toMatchObject({ state: "clearing", restarts: 1, copiedThroughSeq: 0 });
    expect(restarted.lastError).toMatch(/^verify failed: source 21 rows.*target 22 rows/);
    expect(await recordedShardOf(env, acct.id)).toBe(FROM);
    expect(await listAll(acct, 500)).toEqual(before);

    await moveToEnd(move.id, { pageRows: 5 });
    expect(await seqsOn(target, acct.id)).toEqual({ n: 21, distinct_seqs: 21, last: 21 });
    expect(await listAll(acct, 500)).toEqual(before);
  });

  it(`stops after ${MOVE_RESTARTS_MAX + 1} failed verifications, the account left where it was`, async () => {
    const acct = await accountOnShard(FROM);
    await charges(acct, 6, "lossy");
    await drainOutbox(acct.id);
    const before = await listAll(acct, 500);
    // Faked: a target that acknowledges the job's inserts without writing them (a lost
    // write). The ledger's own catch-up in the switch writes to the real target.
    const lossy = new Proxy(target, {
      get(real, prop) {
        if (prop === "batch") return async () => [];
        const value: unknown = Reflect.get(real, prop, real);
        return typeof value === "function" ? value.bind(real) : value;
      },
    });
    const move = await startOne(acct.id);
    const stopped = await ticksUntil(
      move.id,
      "stopped",
      Date.now(),
      { pageRows: 5 },
      envWith({ [`HISTORY_${TO}`]: lossy }),
    );
    expect(stopped.restarts).toBe(MOVE_RESTARTS_MAX + 1);
    expect(stopped.finishedAt).not.toBeNull();
    expect(await recordedShardOf(env, acct.id)).toBe(FROM);
    expect(await listAll(acct, 500)).toEqual(before);

    // A stopped move is no longer under way: the operator starts another, which clears
    // the target's leftovers first.
    const again = await startOne(acct.id);
    expect(again.id).not.toBe(move.id);
    await moveToEnd(again.id);
    expect(await seqsOn(target, acct.id)).toEqual({ n: 7, distinct_seqs: 7, last: 7 });
    expect(await listAll(acct, 500)).toEqual(before);
  });

  it("a switch whose answer was lost is found done and the move goes on", async () => {
    const acct = await accountOnShard(FROM);
    await charges(acct, 8, "lost-answer");
    await drainOutbox(acct.id);
    const before = await listAll(acct, 500);
    const move = await startOne(acct.id);
    // The main database refuses to record the switch after the ledger made it.
    const broken = envWith({
      DB: flakyD1(
        env.DB,
        (sql) => sql.startsWith("UPDATE history_moves") && sql.includes("switched_at_ms"),
      ),
    });
    const failed = await rebalanceTick(broken, Date.now());
    expect(failed.failures).toBe(1);
    expect(await moveView(move.id)).toMatchObject({ state: "switching", failures: 1 });
    expect(await recordedShardOf(env, acct.id)).toBe(TO);
    expect(await listAll(acct, 500)).toEqual(before);

    const done = await moveToEnd(move.id);
    expect(done.verified).toMatchObject({ rows: 9 });
    expect(await seqsOn(target, acct.id)).toEqual({ n: 9, distinct_seqs: 9, last: 9 });
    expect((await shardSum(FROM, acct.id)).n).toBe(0);
    expect(await listAll(acct, 500)).toEqual(before);
  });

  it("resumes a delete that failed, and deletes in bounded steps", async () => {
    const acct = await accountOnShard(FROM);
    await agedHistory(acct.id, 12, 40 * DAY_MS);
    const before = await everyView(acct);
    const inSource = await shardSum(FROM, acct.id);
    const move = await startOne(acct.id);
    await ticksUntil(move.id, "deleting", Date.now());
    const later = Date.now() + MOVE_DELETE_GRACE_MS;
    const broken = envWith({
      [`HISTORY_${FROM}`]: flakyD1(source, (sql) =>
        sql.trimStart().startsWith("DELETE FROM movements"),
      ),
    });

    expect((await rebalanceTick(broken, later)).failures).toBe(1);
    expect(await moveView(move.id)).toMatchObject({
      state: "deleting",
      failures: 1,
      rowsDeleted: 0,
    });
    expect(await shardSum(FROM, acct.id)).toEqual(inSource);
    expect(await everyView(acct)).toEqual(before);

    const step = await rebalanceTick(env, later, { budgetRows: 5 });
    expect(step.rowsDeleted).toBe(5);
    expect((await shardSum(FROM, acct.id)).n).toBe(inSource.n - 5);
    expect(await everyView(acct)).toEqual(before);
    const done = await ticksUntil(move.id, "done", later);
    expect(done.rowsDeleted).toBe(inSource.n);
    expect(await shardSum(FROM, acct.id)).toEqual({ n: 0, total: 0 });
    expect(await shardSum(TO, acct.id)).toEqual(inSource);
    expect(await everyView(acct)).toEqual(before);
  });

  it("loses and duplicates no movement that arrives while the account is moved", async () => {
    const acct = await accountOnShard(FROM);
    await charges(acct, 20, "early");
    await drainOutbox(acct.id);
    const move = await startOne(acct.id);
    await rebalanceTick(env, Date.now(), { pageRows: 5, budgetRows: 10 });
    expect(await moveView(move.id)).toMatchObject({ state: "copying" });

    // Copied to the source behind the job's cursor, while it copies.
    await charges(acct, 5, "during-copy");
    await ledger(acct.id).flushOutbox();
    // Charges and the exports' flushes racing the copy and the switch.
    await Promise.all([
      ticksUntil(move.id, "deleting", Date.now(), { pageRows: 5 }),
      (async () => {
        for (let i = 0; i < 12; i++) {
          await adjust(acct.id, "-0.02", `racing-${i}`);
          if (i % 3 === 2) await ledger(acct.id).flushOutbox();
        }
      })(),
    ]);
    await charges(acct, 3, "after-switch");
    await drainOutbox(acct.id);
    await ticksUntil(move.id, "done", Date.now() + MOVE_DELETE_GRACE_MS);

    const total = 1 + 20 + 5 + 12 + 3;
    expect(await seqsOn(target, acct.id)).toEqual({ n: total, distinct_seqs: total, last: total });
    expect((await shardSum(FROM, acct.id)).n).toBe(0);
    const audit = await ledger(acct.id).audit();
    expect((await shardSum(TO, acct.id)).total).toBe(audit.balanceMicros);
    const listed = await listAll(acct, 7);
    expect(listed).toHaveLength(total);
    expect(new Set(listed.map((m) => m.id)).size).toBe(total);
  });

  it("holds the ledger's copies during the switch: a flush asked meanwhile copies to the new shard after it", async () => {
    const acct = await accountOnShard(FROM);
    await charges(acct, 4, "copied");
    await drainOutbox(acct.id);
    await charges(acct, 3, "pending");
    // Both asked in the same turn, the switch first: the flush must wait for it, or its
    // rows would land on the source after the switch's catch-up and be lost to the target.
    const [switched, flushed] = await runInDurableObject(
      ledger(acct.id),
      (instance: AccountLedger) =>
        Promise.all([
          instance.switchHistoryShard({ fromShard: FROM, toShard: TO, afterSeq: 0 }),
          instance.flushOutbox(),
        ]),
    );
    expect(switched).toMatchObject({ ok: true, value: { outcome: "switched", rowsCopied: 5 } });
    expect(flushed).toEqual({ ok: true, value: { remaining: 0 } });
    expect(await recordedShardOf(env, acct.id)).toBe(TO);
    expect(await seqsOn(source, acct.id)).toEqual({ n: 5, distinct_seqs: 5, last: 5 });
    expect(await seqsOn(target, acct.id)).toEqual({ n: 8, distinct_seqs: 8, last: 8 });
  });

  it("the archive leaves an account alone while it moves, then archives it on its new shard", async () => {
    const acct = await accountOnShard(FROM);
    await agedHistory(acct.id, 30, 20 * DAY_MS);
    const before = await everyView(acct);
    const move = await startOne(acct.id);
    const options = { partBytes: R2_MIN_PART_BYTES };

    await archiveHistoryTick(env, Date.now(), options);
    expect(await archivedMonthsOf(source, acct.id)).toEqual([]);
    await moveToEnd(move.id);
    expect((await archiveHistoryTick(env, Date.now(), options)).failures).toBe(0);
    const months = await archivedMonthsOf(target, acct.id);
    expect(months.length).toBeGreaterThanOrEqual(5);
    expect(months.every((m) => m.state === "deleted")).toBe(true);
    expect(await everyView(acct)).toEqual(before);
  });
});

describe("the operator's routes of the rebalancing job", { timeout: 60_000 }, () => {
  it("starts a batch all or nothing, answers a repeat with the same moves, and names what is refused", async () => {
    const a = await accountOnShard(FROM);
    const b = await accountOnShard(2);
    const there = await accountOnShard(TO);

    const asAdmin = await api("POST", "/v1/history-moves", {
      token: a.adminKey,
      body: { accountIds: [a.id], toShard: TO },
    });
    expect(asAdmin.status).toBe(403);

    const unbound = await startMove([a.id], 7);
    expect(unbound.status).toBe(400);
    expect(unbound.body.error.details).toEqual([
      { field: "toShard", issue: "shard 7 is not bound in this deployment" },
    ]);
    const twice = await startMove([a.id, a.id]);
    expect(twice.status).toBe(400);
    expect(twice.body.error.details[0].field).toBe("accountIds");

    const unknown = await startMove([a.id, "no-such-account", there.id]);
    expect(unknown.status).toBe(404);
    expect(unknown.body.error).toMatchObject({
      code: "account_not_found",
      details: [{ field: "accountIds[1]", issue: "no-such-account: no such account" }],
    });
    const already = await startMove([a.id, there.id]);
    expect(already.status).toBe(409);
    expect(already.body.error).toMatchObject({
      code: "already_on_shard",
      details: [
        { field: "accountIds[1]", issue: `${there.id}: its history is on shard ${TO} already` },
      ],
    });
    // Refused requests started nothing.
    expect((await api("GET", `/v1/history-moves?accountId=${a.id}`)).body.moves).toEqual([]);

    const started = await startMove([a.id, b.id]);
    expect(started.status).toBe(202);
    expect(
      started.body.moves.map((m: HistoryMoveView) => [m.accountId, m.fromShard, m.state]),
    ).toEqual([
      [a.id, FROM, "clearing"],
      [b.id, 2, "clearing"],
    ]);
    const repeated = await startMove([b.id, a.id]);
    expect(repeated.status).toBe(202);
    expect(repeated.body.moves.map((m: HistoryMoveView) => m.id)).toEqual([
      started.body.moves[1].id,
      started.body.moves[0].id,
    ]);
    const elsewhere = await startMove([a.id], 2);
    expect(elsewhere.status).toBe(409);
    expect(elsewhere.body.error.code).toBe("move_in_progress");
    expect(elsewhere.body.error.details[0].issue).toContain(started.body.moves[0].id);

    const listed = await api("GET", `/v1/history-moves?accountId=${a.id}`);
    expect(listed.body.moves.map((m: HistoryMoveView) => m.id)).toEqual([started.body.moves[0].id]);
    expect((await api("GET", "/v1/history-moves?limit=0")).status).toBe(400);
    const missing = await api("GET", "/v1/history-moves/mv_00000000-0000-4000-8000-000000000000");
    expect(missing.status).toBe(404);
    expect(missing.body.error.code).toBe("history_move_not_found");
    expect((await api("GET", "/v1/history-moves/not-a-move")).status).toBe(400);
  });
});

interface HistoryMoveView {
  id: string;
  accountId: string;
  fromShard: number;
  state: string;
}

describe("planMoveStarts", () => {
  const move = (accountId: string, toShard: number) =>
    ({ id: `mv-${accountId}`, accountId, toShard, state: "copying" }) as HistoryMove;
  const recorded = new Map([
    ["a", 0],
    ["b", 1],
    ["c", 2],
    ["d", 0],
  ]);
  const active = new Map([
    ["c", move("c", 3)],
    ["d", move("d", 1)],
  ]);
  it.each([
    { ids: ["a"], to: 1, create: [{ accountId: "a", fromShard: 0 }], existing: [], refused: [] },
    {
      ids: ["x"],
      to: 1,
      create: [],
      existing: [],
      refused: [{ accountId: "x", reason: "account_not_found" }],
    },
    {
      ids: ["b"],
      to: 1,
      create: [],
      existing: [],
      refused: [{ accountId: "b", reason: "already_on_shard", shard: 1 }],
    },
    { ids: ["c"], to: 3, create: [], existing: [move("c", 3)], refused: [] },
    {
      ids: ["d"],
      to: 2,
      create: [],
      existing: [],
      refused: [{ accountId: "d", reason: "move_in_progress", move: move("d", 1) }],
    },
    {
      ids: ["a", "b", "c"],
      to: 3,
      create: [
        { accountId: "a", fromShard: 0 },
        { accountId: "b", fromShard: 1 },
      ],
      existing: [move("c", 3)],
      refused: [],
    },
  ])("$ids to shard $to", ({ ids, to, create, existing, refused }) => {
    expect(planMoveStarts(ids, recorded, active, to)).toEqual({ create, existing, refused });
  });
});
