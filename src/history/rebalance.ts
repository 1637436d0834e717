import { ledgerOf } from "../ledger-client/ledger-of";
import { movementInserts, OUTBOX_BATCH_ROWS } from "../ledger/outbox";
import { HISTORY_DELETE_ROWS_PER_STATEMENT } from "./archive";
import { MOVEMENT_COLUMNS, type MovementRow } from "./movement-row";
import { historyDatabase, recordedShardOf } from "./shards";

/**
 * The rebalancing job: moves an account's history from one shard to another while the
 * account keeps moving money. An operator starts it (POST /v1/history-moves, for one
 * account or a batch); the cron drives it a bounded amount per tick, its whole state in
 * the main database's `history_moves` (migration 0010):
 *
 * 1. clearing: whatever the target holds of the account (a stopped earlier move) is
 *    deleted, so the copy starts from nothing;
 * 2. copying: the source's rows in pages by (account_id, seq), INSERT OR IGNORE on that
 *    key, the cursor recorded after each page, so a page copied again writes nothing;
 * 3. switching: the account's ledger holds its outbox (no copy to D1 runs or starts),
 *    copies what reached the source since the last page, then holds the count, the sum
 *    and the last seq of the movements, and the archive records, of both shards against
 *    each other and, when equal, switches `accounts.history_shard`. The outbox is the
 *    only writer of the account's movements, so nothing can land on the source between
 *    the check and the switch, and the next copy goes to the target;
 * 4. deleting: after a grace period for readers that opened the source before the
 *    switch, the source's rows and archive records go, in bounded statements.
 *
 * Readers (listing, export, cron) read the recorded shard only, so they see the source
 * until the switch and the verified target after it: never a partial history. Archived
 * months in R2 are keyed by account and month (`history/<account>/<month>`), not by
 * shard: the objects stay, only their records in `history_archive` move with the rows.
 */

/** Rows one copy page reads from the source and writes to the target: one D1 batch, as the outbox's. */
export const MOVE_PAGE_ROWS = OUTBOX_BATCH_ROWS;
/**
 * Rows one cron tick copies or deletes, all moves together. A page is 86 INSERT
 * statements; 3 600 rows keep a tick near 500 statements, under D1's 1 000 queries per
 * invocation even if each statement of a batch counts as one.
 */
export const MOVE_ROWS_PER_TICK = 3_600;
/** Moves one tick looks at, oldest first. */
export const MOVES_PER_TICK = 20;
/**
 * The most rows the switch copies while the ledger holds its outbox. More means the copy
 * fell behind: the job goes back to copying and tries the switch again.
 */
export const MOVE_SWITCH_ROWS_MAX = 3 * MOVE_PAGE_ROWS;
/**
 * How long the source keeps its rows after the switch: a reader that resolved the shard
 * just before it (an export, which a queue consumer writes within its 15 minutes) still
 * reads a whole history from it.
 */
export const MOVE_DELETE_GRACE_MS = 20 * 60_000;
/** Verifications that may fail (then the copy starts over) before the move stops for an operator. */
export const MOVE_RESTARTS_MAX = 3;
/** Accounts one start request may name. */
export const MOVE_ACCOUNTS_PER_REQUEST = 100;

export type MoveState = "clearing" | "copying" | "switching" | "deleting" | "done" | "stopped";
/** A move under way: the condition of the index that allows one per account (migration 0010). */
const UNDER_WAY = "state NOT IN ('done', 'stopped')";

export interface HistoryMove {
  id: string;
  accountId: string;
  fromShard: number;
  toShard: number;
  state: MoveState;
  copiedThroughSeq: number;
  rowsCopied: number;
  rowsDeleted: number;
  /** What both shards held when the switch compared them. */
  verified: { rows: number; sumMicros: number; months: number } | null;
  restarts: number;
  failures: number;
  lastError: string | null;
  createdAtMs: number;
  updatedAtMs: number;
  switchedAtMs: number | null;
  finishedAtMs: number | null;
}

interface HistoryMoveRow {
  id: string;
  account_id: string;
  from_shard: number;
  to_shard: number;
  state: MoveState;
  copied_through_seq: number;
  rows_copied: number;
  rows_deleted: number;
  verified_rows: number | null;
  verified_sum_micros: number | null;
  verified_months: number | null;
  restarts: number;
  failures: number;
  last_error: string | null;
  created_at_ms: number;
  updated_at_ms: number;
  switched_at_ms: number | null;
  finished_at_ms: number | null;
}

function moveFromRow(row: HistoryMoveRow): HistoryMove {
  return {
    id: row.id,
    accountId: row.account_id,
    fromShard: row.from_shard,
    toShard: row.to_shard,
    state: row.state,
    copiedThroughSeq: row.copied_through_seq,
    rowsCopied: row.rows_copied,
    rowsDeleted: row.rows_deleted,
    verified:
      row.verified_rows === null
        ? null
        : {
            rows: row.verified_rows,
            sumMicros: row.verified_sum_micros ?? 0,
            months: row.verified_months ?? 0,
          },
    restarts: row.restarts,
    failures: row.failures,
    lastError: row.last_error,
    createdAtMs: row.created_at_ms,
    updatedAtMs: row.updated_at_ms,
    switchedAtMs: row.switched_at_ms,
    finishedAtMs: row.finished_at_ms,
  };
}

// Starting ---------------------------------------------------------------------------------

export type MoveStartRefusal =
  | { accountId: string; reason: "account_not_found" }
  | { accountId: string; reason: "already_on_shard"; shard: number }
  | { accountId: string; reason: "move_in_progress"; move: HistoryMove };

export interface MoveStartPlan {
  /** Moves to create: accounts on another shard with no move under way. */
  create: Array<{ accountId: string; fromShard: number }>;
  /** The same move asked again (a retry): answered as it stands. */
  existing: HistoryMove[];
  refused: MoveStartRefusal[];
}

/**
 * Which of the requested accounts get a new move to `toShard`: refused are the unknown
 * ones, the ones already there, and the ones with a move elsewhere under way; a move to
 * the same shard under way is the request repeated.
 */
export function planMoveStarts(
  accountIds: readonly string[],
  recordedShards: ReadonlyMap<string, number>,
  activeMoves: ReadonlyMap<string, HistoryMove>,
  toShard: number,
): MoveStartPlan {
  const plan: MoveStartPlan = { create: [], existing: [], refused: [] };
  for (const accountId of accountIds) {
    const recorded = recordedShards.get(accountId);
    const active = activeMoves.get(accountId);
    if (recorded === undefined) plan.refused.push({ accountId, reason: "account_not_found" });
    else if (active?.toShard === toShard) plan.existing.push(active);
    else if (active) plan.refused.push({ accountId, reason: "move_in_progress", move: active });
    else if (recorded === toShard)
      plan.refused.push({ accountId, reason: "already_on_shard", shard: toShard });
    else plan.create.push({ accountId, fromShard: recorded });
  }
  return plan;
}

async function activeMovesOf(db: D1Database, accountIds: readonly string[]) {
  const { results } = await db
    .prepare(
      `SELECT * FROM history_moves WHERE account_id IN (SELECT value FROM json_each(?)) AND ${UNDER_WAY}`,
    )
    .bind(JSON.stringify(accountIds))
    .all<HistoryMoveRow>();
  return new Map(results.map((row) => [row.account_id, moveFromRow(row)]));
}

/**
 * Starts a move of each account to `toShard` (a bound shard), all or none: when any is
 * refused nothing is started. Answers the accounts' moves in the order asked.
 */
export async function startMoves(
  env: Env,
  accountIds: readonly string[],
  toShard: number,
  nowMs: number,
): Promise<{ ok: true; moves: HistoryMove[] } | { ok: false; refused: MoveStartRefusal[] }> {
  const { results } = await env.DB.prepare(
    "SELECT id, history_shard FROM accounts WHERE id IN (SELECT value FROM json_each(?))",
  )
    .bind(JSON.stringify(accountIds))
    .all<{ id: string; history_shard: number }>();
  const recorded = new Map(results.map((row) => [row.id, row.history_shard]));
  const plan = planMoveStarts(
    accountIds,
    recorded,
    await activeMovesOf(env.DB, accountIds),
    toShard,
  );
  if (plan.refused.length > 0) return { ok: false, refused: plan.refused };
  if (plan.create.length > 0)
    // OR IGNORE: a start racing this one for the same account keeps its move (the index
    // allows one under way), and the answer below shows that one.
    await env.DB.batch(
      plan.create.map(({ accountId, fromShard }) =>
        env.DB.prepare(
          `INSERT OR IGNORE INTO history_moves (id, account_id, from_shard, to_shard, state, created_at_ms, updated_at_ms)
           VALUES (?, ?, ?, ?, 'clearing', ?, ?)`,
        ).bind(`mv_${crypto.randomUUID()}`, accountId, fromShard, toShard, nowMs, nowMs),
      ),
    );
  const active = await activeMovesOf(env.DB, accountIds);
  return { ok: true, moves: accountIds.flatMap((id) => active.get(id) ?? []) };
}

export async function historyMove(db: D1Database, moveId: string): Promise<HistoryMove | null> {
  const row = await db
    .prepare("SELECT * FROM history_moves WHERE id = ?")
    .bind(moveId)
    .first<HistoryMoveRow>();
  return row ? moveFromRow(row) : null;
}

/** Moves under way first (oldest first), then finished ones, newest first; of one account if named. */
export async function listMoves(
  db: D1Database,
  query: { accountId?: string; limit: number },
): Promise<HistoryMove[]> {
  const { results } = await db
    .prepare(
      `SELECT * FROM history_moves WHERE (?1 IS NULL OR account_id = ?1)
       ORDER BY ${UNDER_WAY} DESC,
         CASE WHEN ${UNDER_WAY} THEN created_at_ms ELSE -created_at_ms END, id
       LIMIT ?2`,
    )
    .bind(query.accountId ?? null, query.limit)
    .all<HistoryMoveRow>();
  return results.map(moveFromRow);
}

// Shard work ---------------------------------------------------------------------------

/** Copies the source's next page of the account after `afterSeq` to the target. */
async function copyPage(
  source: D1Database,
  target: D1Database,
  accountId: string,
  afterSeq: number,
  pageRows: number,
): Promise<{ rows: number; lastSeq: number }> {
  const { results } = await source
    .prepare(
      `SELECT ${MOVEMENT_COLUMNS.join(", ")} FROM movements WHERE account_id = ? AND seq > ? ORDER BY seq LIMIT ?`,
    )
    .bind(accountId, afterSeq, pageRows)
    .all<MovementRow>();
  if (results.length > 0) await target.batch(movementInserts(target, results));
  return { rows: results.length, lastSeq: results.at(-1)?.seq ?? afterSeq };
}

/**
 * Deletes up to `budgetRows` of the account's movements from `db`, by (account_id, seq),
 * and once none is left its archive records; `done` when the account has nothing there.
 */
async function deleteAccountHistory(
  db: D1Database,
  accountId: string,
  budgetRows: number,
): Promise<{ rows: number; done: boolean }> {
  let deleted = 0;
  while (deleted < budgetRows) {
    const limit = Math.min(HISTORY_DELETE_ROWS_PER_STATEMENT, budgetRows - deleted);
    const result = await db
      .prepare(
        `DELETE FROM movements WHERE account_id = ?1 AND seq IN (
           SELECT seq FROM movements WHERE account_id = ?1 ORDER BY seq LIMIT ?2)`,
      )
      .bind(accountId, limit)
      .run();
    deleted += result.meta.changes;
    if (result.meta.changes < limit) {
      await db.prepare("DELETE FROM history_archive WHERE account_id = ?").bind(accountId).run();
      return { rows: deleted, done: true };
    }
  }
  return { rows: deleted, done: false };
}

const ARCHIVE_COLUMNS = [
  "account_id",
  "month",
  "start_ms",
  "end_ms",
  "object_key",
  "rows",
  "sum_micros",
  "bytes",
  "first_seq",
  "last_seq",
  "state",
  "verified_at_ms",
  "deleted_at_ms",
] as const;

/** The account's archive records as the source has them, written over the target's. */
async function copyArchiveRecords(source: D1Database, target: D1Database, accountId: string) {
  const { results } = await source
    .prepare(`SELECT ${ARCHIVE_COLUMNS.join(", ")} FROM history_archive WHERE account_id = ?`)
    .bind(accountId)
    .all<Record<(typeof ARCHIVE_COLUMNS)[number], string | number | null>>();
  if (results.length === 0) return;
  await target.batch(
    results.map((row) =>
      target
        .prepare(
          `INSERT OR REPLACE INTO history_archive (${ARCHIVE_COLUMNS.join(", ")}) VALUES (${ARCHIVE_COLUMNS.map(() => "?").join(", ")})`,
        )
        .bind(...ARCHIVE_COLUMNS.map((column) => row[column])),
    ),
  );
}

/** What one shard holds of an account, compared between source and target before the switch. */
export interface ShardTally {
  rows: number;
  sumMicros: number;
  lastSeq: number;
  /** The archive records, month by month, as text to compare whole. */
  archive: string;
  months: number;
}

async function tallyOf(db: D1Database, accountId: string): Promise<ShardTally> {
  const [movements, archive] = await Promise.all([
    db
      .prepare(
        "SELECT count(*) AS n, coalesce(sum(amount_micros), 0) AS total, coalesce(max(seq), 0) AS last FROM movements WHERE account_id = ?",
      )
      .bind(accountId)
      .first<{ n: number; total: number; last: number }>(),
    db
      .prepare(
        "SELECT month, start_ms, end_ms, object_key, rows, sum_micros, first_seq, last_seq, state FROM history_archive WHERE account_id = ? ORDER BY month",
      )
      .bind(accountId)
      .all(),
  ]);
  return {
    rows: movements?.n ?? 0,
    sumMicros: movements?.total ?? 0,
    lastSeq: movements?.last ?? 0,
    archive: JSON.stringify(archive.results),
    months: archive.results.length,
  };
}

const sameTally = (a: ShardTally, b: ShardTally) =>
  a.rows === b.rows &&
  a.sumMicros === b.sumMicros &&
  a.lastSeq === b.lastSeq &&
  a.archive === b.archive;

// The switch, inside the ledger --------------------------------------------------------

export interface ShardSwitch {
  fromShard: number;
  toShard: number;
  /** Where the job's copy stopped. */
  afterSeq: number;
  pageRows?: number;
}

export type ShardSwitchOutcome =
  | { outcome: "switched"; copiedThroughSeq: number; rowsCopied: number; tally: ShardTally }
  | { outcome: "behind"; copiedThroughSeq: number; rowsCopied: number }
  | {
      outcome: "mismatch";
      copiedThroughSeq: number;
      rowsCopied: number;
      source: ShardTally;
      target: ShardTally;
    }
  | { outcome: "recorded_elsewhere"; recordedShard: number | null };

/**
 * Runs in the account's ledger while its outbox copies nothing (`OutboxRelay.exclusive`):
 * copies the rest, compares both shards and switches the recorded shard only when they
 * hold the same. Asked again after a switch whose answer was lost, it finds the account on
 * the target and answers `switched` again.
 */
export async function switchHistoryShard(
  env: Env,
  accountId: string,
  move: ShardSwitch,
): Promise<ShardSwitchOutcome> {
  const recorded = await recordedShardOf(env, accountId);
  const target = historyDatabase(env, move.toShard);
  if (recorded === move.toShard)
    return {
      outcome: "switched",
      copiedThroughSeq: move.afterSeq,
      rowsCopied: 0,
      tally: await tallyOf(target, accountId),
    };
  if (recorded !== move.fromShard)
    return { outcome: "recorded_elsewhere", recordedShard: recorded };
  const source = historyDatabase(env, move.fromShard);
  const pageRows = move.pageRows ?? MOVE_PAGE_ROWS;
  let cursor = move.afterSeq;
  let copied = 0;
  for (;;) {
    if (copied >= MOVE_SWITCH_ROWS_MAX)
      return { outcome: "behind", copiedThroughSeq: cursor, rowsCopied: copied };
    const page = await copyPage(source, target, accountId, cursor, pageRows);
    copied += page.rows;
    cursor = page.lastSeq;
    if (page.rows < pageRows) break;
  }
  await copyArchiveRecords(source, target, accountId);
  const [sourceTally, targetTally] = await Promise.all([
    tallyOf(source, accountId),
    tallyOf(target, accountId),
  ]);
  if (!sameTally(sourceTally, targetTally))
    return {
      outcome: "mismatch",
      copiedThroughSeq: cursor,
      rowsCopied: copied,
      source: sourceTally,
      target: targetTally,
    };
  const switched = await env.DB.prepare(
    "UPDATE accounts SET history_shard = ? WHERE id = ? AND history_shard = ?",
  )
    .bind(move.toShard, accountId, move.fromShard)
    .run();
  if (switched.meta.changes !== 1)
    return { outcome: "recorded_elsewhere", recordedShard: await recordedShardOf(env, accountId) };
  return { outcome: "switched", copiedThroughSeq: cursor, rowsCopied: copied, tally: targetTally };
}

// The job ------------------------------------------------------------------------------

type MoveChanges = Partial<Omit<HistoryMoveRow, "id" | "account_id" | "from_shard" | "to_shard">>;

/**
 * Records `changes` if the move is still in state `from`, the compare-and-set that keeps
 * two overlapping ticks from taking the same step twice; the move as it now stands.
 */
async function updateMove(
  db: D1Database,
  move: HistoryMove,
  changes: MoveChanges & { updated_at_ms: number },
): Promise<{ move: HistoryMove; applied: boolean }> {
  const columns = Object.keys(changes) as (keyof MoveChanges)[];
  const result = await db
    .prepare(
      `UPDATE history_moves SET ${columns.map((column) => `${column} = ?`).join(", ")} WHERE id = ? AND state = ?`,
    )
    .bind(...columns.map((column) => changes[column] ?? null), move.id, move.state)
    .run();
  const now = await historyMove(db, move.id);
  if (!now) throw new Error(`history move ${move.id} is gone`);
  return { move: now, applied: result.meta.changes === 1 };
}

export interface MoveOptions {
  /** Tests use small pages to stop a copy mid way. */
  pageRows?: number;
}

interface StepResult {
  move: HistoryMove;
  rows: number;
  /** Nothing more for this move in this tick: it waits, is finished, or another tick has it. */
  pause: boolean;
}

/** Does the next piece of the move's work within `budgetRows`. */
export async function advanceMove(
  env: Env,
  move: HistoryMove,
  nowMs: number,
  budgetRows: number,
  options: MoveOptions = {},
): Promise<StepResult> {
  const pageRows = options.pageRows ?? MOVE_PAGE_ROWS;
  const touched = { updated_at_ms: nowMs };
  if (move.state === "deleting" && nowMs < (move.switchedAtMs ?? 0) + MOVE_DELETE_GRACE_MS)
    return { move, rows: 0, pause: true };
  if (move.state === "done" || move.state === "stopped") return { move, rows: 0, pause: true };

  // Never clear, copy or delete on the shard the account reads: only a move that sees the
  // account where it expects it goes on.
  const recorded = await recordedShardOf(env, move.accountId);
  const expected = move.state === "deleting" ? move.toShard : move.fromShard;
  if (recorded !== expected && move.state !== "switching") return stop(env, move, recorded, nowMs);

  switch (move.state) {
    case "clearing": {
      const target = historyDatabase(env, move.toShard);
      const cleared = await deleteAccountHistory(target, move.accountId, budgetRows);
      if (!cleared.done) return { move, rows: cleared.rows, pause: false };
      const next = await updateMove(env.DB, move, {
        ...touched,
        state: "copying",
        copied_through_seq: 0,
      });
      return { move: next.move, rows: cleared.rows, pause: !next.applied };
    }
    case "copying": {
      const source = historyDatabase(env, move.fromShard);
      const target = historyDatabase(env, move.toShard);
      let cursor = move.copiedThroughSeq;
      let copied = 0;
      let caughtUp = false;
      while (copied < budgetRows && !caughtUp) {
        const page = await copyPage(source, target, move.accountId, cursor, pageRows);
        copied += page.rows;
        cursor = page.lastSeq;
        caughtUp = page.rows < pageRows;
        // The cursor after each page: a failure later costs one page copied again.
        const recordedCursor = await updateMove(env.DB, move, {
          ...touched,
          copied_through_seq: cursor,
          rows_copied: move.rowsCopied + copied,
          ...(caughtUp ? { state: "switching" as const } : {}),
        });
        if (!recordedCursor.applied)
          return { move: recordedCursor.move, rows: copied, pause: true };
        if (caughtUp) return { move: recordedCursor.move, rows: copied, pause: false };
      }
      return { move: (await historyMove(env.DB, move.id)) ?? move, rows: copied, pause: false };
    }
    case "switching":
      return switchStep(env, move, nowMs, pageRows);
    case "deleting": {
      const source = historyDatabase(env, move.fromShard);
      const deleted = await deleteAccountHistory(source, move.accountId, budgetRows);
      const next = await updateMove(env.DB, move, {
        ...touched,
        rows_deleted: move.rowsDeleted + deleted.rows,
        ...(deleted.done ? { state: "done" as const, finished_at_ms: nowMs } : {}),
      });
      return { move: next.move, rows: deleted.rows, pause: deleted.done || !next.applied };
    }
  }
}

async function switchStep(
  env: Env,
  move: HistoryMove,
  nowMs: number,
  pageRows: number,
): Promise<StepResult> {
  const answer = await ledgerOf(env, move.accountId).switchHistoryShard({
    fromShard: move.fromShard,
    toShard: move.toShard,
    afterSeq: move.copiedThroughSeq,
    pageRows,
  });
  if (!answer.ok) throw new Error(`the ledger of ${move.accountId}: ${answer.refusal.reason}`);
  const result = answer.value;
  const touched = { updated_at_ms: nowMs };
  switch (result.outcome) {
    case "switched": {
      const next = await updateMove(env.DB, move, {
        ...touched,
        state: "deleting",
        copied_through_seq: result.copiedThroughSeq,
        rows_copied: move.rowsCopied + result.rowsCopied,
        verified_rows: result.tally.rows,
        verified_sum_micros: result.tally.sumMicros,
        verified_months: result.tally.months,
        switched_at_ms: nowMs,
      });
      log("history_move_switched", next.move);
      return { move: next.move, rows: result.rowsCopied, pause: true };
    }
    case "behind": {
      const next = await updateMove(env.DB, move, {
        ...touched,
        state: "copying",
        copied_through_seq: result.copiedThroughSeq,
        rows_copied: move.rowsCopied + result.rowsCopied,
      });
      return { move: next.move, rows: result.rowsCopied, pause: !next.applied };
    }
    case "mismatch": {
      const error = `verify failed: source ${describe(result.source)}, target ${describe(result.target)}`;
      const restarts = move.restarts + 1;
      // The target holds what the source does not (rows the source lost after their copy,
      // or leftovers): only a copy from nothing converges, so the move starts over.
      const next = await updateMove(env.DB, move, {
        ...touched,
        state: restarts > MOVE_RESTARTS_MAX ? "stopped" : "clearing",
        copied_through_seq: 0,
        restarts,
        last_error: error,
        ...(restarts > MOVE_RESTARTS_MAX ? { finished_at_ms: nowMs } : {}),
      });
      log("history_move_verify_failed", next.move);
      return { move: next.move, rows: result.rowsCopied, pause: true };
    }
    case "recorded_elsewhere":
      return stop(env, move, result.recordedShard, nowMs);
  }
}

function describe(tally: ShardTally): string {
  return `${tally.rows} rows, sum ${tally.sumMicros}, last seq ${tally.lastSeq}, ${tally.months} archived months`;
}

/** The account is not where the move expects it (moved by other means): touch nothing more. */
async function stop(
  env: Env,
  move: HistoryMove,
  recorded: number | null,
  nowMs: number,
): Promise<StepResult> {
  const next = await updateMove(env.DB, move, {
    updated_at_ms: nowMs,
    state: "stopped",
    finished_at_ms: nowMs,
    last_error: `the account is recorded on shard ${recorded}, not where the move expects it in state ${move.state}`,
  });
  log("history_move_stopped", next.move);
  return { move: next.move, rows: 0, pause: true };
}

function log(event: string, move: HistoryMove): void {
  console.log(JSON.stringify({ event, ...move }));
}

export interface RebalanceTickResult {
  movesVisited: number;
  rowsCopied: number;
  rowsDeleted: number;
  switched: number;
  finished: number;
  failures: number;
}

/**
 * The cron's rebalancing tick: the moves under way, oldest first, at most
 * `MOVES_PER_TICK` of them and `MOVE_ROWS_PER_TICK` rows of work. A move that fails (a
 * shard or the ledger unreachable) keeps its state, counts the failure and is taken up
 * again on the next tick.
 */
export async function rebalanceTick(
  env: Env,
  nowMs: number,
  options: MoveOptions & { budgetRows?: number } = {},
): Promise<RebalanceTickResult> {
  const budgetRows = options.budgetRows ?? MOVE_ROWS_PER_TICK;
  const result: RebalanceTickResult = {
    movesVisited: 0,
    rowsCopied: 0,
    rowsDeleted: 0,
    switched: 0,
    finished: 0,
    failures: 0,
  };
  const { results } = await env.DB.prepare(
    `SELECT * FROM history_moves WHERE ${UNDER_WAY} ORDER BY created_at_ms, id LIMIT ?`,
  )
    .bind(MOVES_PER_TICK)
    .all<HistoryMoveRow>();
  let spent = 0;
  for (const row of results) {
    if (spent >= budgetRows) break;
    result.movesVisited += 1;
    let move = moveFromRow(row);
    try {
      let pause = false;
      while (!pause && spent < budgetRows) {
        const before = move.state;
        const step = await advanceMove(env, move, nowMs, budgetRows - spent, options);
        spent += step.rows;
        if (before === "deleting") result.rowsDeleted += step.rows;
        else if (before !== "clearing") result.rowsCopied += step.rows;
        if (before === "switching" && step.move.state === "deleting") result.switched += 1;
        if (step.move.state === "done") result.finished += 1;
        move = step.move;
        pause = step.pause;
      }
    } catch (error) {
      result.failures += 1;
      // The main database may be what failed: the move is taken up again either way.
      await env.DB.prepare(
        "UPDATE history_moves SET failures = failures + 1, last_error = ?, updated_at_ms = ? WHERE id = ?",
      )
        .bind(String(error), nowMs, move.id)
        .run()
        .catch(() => undefined);
      console.warn(
        JSON.stringify({ event: "history_move_failed", moveId: move.id, error: String(error) }),
      );
    }
  }
  return result;
}
