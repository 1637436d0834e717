import { EXPORT_PAGE_ROWS } from "../exports/limits";
import { ledgerOf } from "../ledger-client/ledger-of";
import {
  archiveObjectKey,
  tallyArchiveObject,
  writeArchiveObject,
  type ArchiveTally,
} from "./archive-object";
import { archiveCutoffMs, monthEndMs, monthOf, monthStartMs } from "./months";
import { MOVEMENT_COLUMNS, type MovementRow } from "./movement-row";
import { historyDatabaseOf } from "./shards";

/**
 * Rows one cron tick archives (written to R2) and deletes from D1, all accounts together.
 * A month is written whole once started, so a tick may pass this by one month's rows.
 */
export const HISTORY_ARCHIVE_ROWS_PER_TICK = 100_000;
/** Accounts one tick looks at; each look is two D1 reads on the account's shard. */
export const HISTORY_ARCHIVE_ACCOUNTS_PER_TICK = 200;
/** Rows one DELETE removes: keeps each D1 statement short. */
export const HISTORY_DELETE_ROWS_PER_STATEMENT = 5_000;

/** A month of one account written to R2 (`history_archive`). */
export interface ArchivedMonth {
  accountId: string;
  month: string;
  startMs: number;
  endMs: number;
  objectKey: string;
  rows: number;
  sumMicros: number;
  bytes: number;
  firstSeq: number | null;
  lastSeq: number | null;
  /** `verified`: R2 holds the month and readers take it from there; `deleted`: D1's rows are gone. */
  state: "verified" | "deleted";
}

interface ArchivedMonthRow {
  account_id: string;
  month: string;
  start_ms: number;
  end_ms: number;
  object_key: string;
  rows: number;
  sum_micros: number;
  bytes: number;
  first_seq: number | null;
  last_seq: number | null;
  state: "verified" | "deleted";
}

/** The account's archived months, oldest first. */
export async function archivedMonthsOf(
  db: D1Database,
  accountId: string,
): Promise<ArchivedMonth[]> {
  const { results } = await db
    .prepare("SELECT * FROM history_archive WHERE account_id = ? ORDER BY month")
    .bind(accountId)
    .all<ArchivedMonthRow>();
  return results.map((row) => ({
    accountId: row.account_id,
    month: row.month,
    startMs: row.start_ms,
    endMs: row.end_ms,
    objectKey: row.object_key,
    rows: row.rows,
    sumMicros: row.sum_micros,
    bytes: row.bytes,
    firstSeq: row.first_seq,
    lastSeq: row.last_seq,
    state: row.state,
  }));
}

/**
 * Where D1's part of the history starts: the end of the newest archived month. Months
 * are archived oldest first, so everything before it is in R2 and readers take nothing
 * older than it from D1, even while a verified month's rows are still being deleted.
 */
export function d1HistoryStartMs(months: readonly ArchivedMonth[]): number {
  return months.at(-1)?.endMs ?? Number.MIN_SAFE_INTEGER;
}

export type ArchiveStep =
  | { step: "nothing_due" }
  | { step: "archived"; month: string; rows: number; bytes: number }
  | { step: "deleted"; month: string; rows: number; done: boolean };

export interface ArchiveOptions {
  /** Tests use R2's minimum; production the export's part size. */
  partBytes?: number;
  pageRows?: number;
}

/**
 * Does the next piece of the account's archive work, within `budgetRows`:
 *
 * 1. a verified month whose D1 rows are not all deleted yet: delete up to the budget;
 * 2. otherwise, when its oldest month in D1 is past the window: have the ledger copy what
 *    it still holds, write the month to R2, read the object back and hold its row count
 *    and sum against D1's, and only then record it as verified (readers switch to R2).
 *
 * Every step is safe to repeat after a failure at any point: before the record the
 * month is simply written again (to the same key, from the same rows); after it, the
 * deletion goes on where it stopped, and a month recorded as deleted is never touched.
 */
export async function archiveAccountStep(
  env: Env,
  accountId: string,
  nowMs: number,
  budgetRows: number,
  options: ArchiveOptions = {},
): Promise<ArchiveStep> {
  const db = await historyDatabaseOf(env, accountId);
  const months = await archivedMonthsOf(db, accountId);
  const deleting = months.find((m) => m.state === "verified");
  if (deleting) return deleteArchivedRows(db, deleting, budgetRows, nowMs);

  const oldest = await db
    .prepare("SELECT min(at_ms) AS at_ms FROM movements WHERE account_id = ? AND at_ms >= ?")
    .bind(accountId, d1HistoryStartMs(months))
    .first<{ at_ms: number | null }>();
  if (oldest?.at_ms == null || monthEndMs(monthOf(oldest.at_ms)) > archiveCutoffMs(nowMs))
    return { step: "nothing_due" };
  const month = monthOf(oldest.at_ms);

  // The month is months past; still, a movement the ledger has not copied yet would be
  // left out of the object and then hidden by the D1 start moving past it.
  const flushed = await ledgerOf(env, accountId).flushOutbox();
  if (!flushed.ok || flushed.value.remaining > 0)
    throw new Error(`archive of ${accountId} ${month}: the ledger's outbox did not drain`);

  const startMs = monthStartMs(month);
  const endMs = monthEndMs(month);
  const key = archiveObjectKey(accountId, month);
  const written = await writeArchiveObject(
    env.EXPORTS,
    key,
    monthRowsFromD1(db, accountId, startMs, endMs, options.pageRows ?? EXPORT_PAGE_ROWS),
    { accountId, month, ...(options.partBytes ? { partBytes: options.partBytes } : {}) },
  );
  await verifyArchivedMonth(env.EXPORTS, db, { accountId, key, startMs, endMs }, written);
  await db
    .prepare(
      `INSERT OR IGNORE INTO history_archive (account_id, month, start_ms, end_ms, object_key, rows, sum_micros, bytes,
         first_seq, last_seq, state, verified_at_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'verified', ?)`,
    )
    .bind(
      accountId,
      month,
      startMs,
      endMs,
      key,
      written.rows,
      written.sumMicros,
      written.bytes,
      written.firstSeq,
      written.lastSeq,
      nowMs,
    )
    .run();
  return { step: "archived", month, rows: written.rows, bytes: written.bytes };
}

async function verifyArchivedMonth(
  bucket: R2Bucket,
  db: D1Database,
  month: { accountId: string; key: string; startMs: number; endMs: number },
  written: ArchiveTally,
): Promise<void> {
  const inD1 = await db
    .prepare(
      "SELECT count(*) AS n, coalesce(sum(amount_micros), 0) AS total FROM movements WHERE account_id = ? AND at_ms >= ? AND at_ms < ?",
    )
    .bind(month.accountId, month.startMs, month.endMs)
    .first<{ n: number; total: number }>();
  const stored = await tallyArchiveObject(bucket, month.key);
  const same = (a: ArchiveTally) => a.rows === inD1?.n && a.sumMicros === inD1.total;
  if (!same(written) || !same(stored))
    throw new Error(
      `archive ${month.key} does not match D1: D1 ${inD1?.n} rows / ${inD1?.total}, written ${written.rows} / ${written.sumMicros}, stored ${stored.rows} / ${stored.sumMicros}`,
    );
}

/** The month's rows in (at_ms, id) order, by keyset pages (the export's index). */
async function* monthRowsFromD1(
  db: D1Database,
  accountId: string,
  startMs: number,
  endMs: number,
  pageRows: number,
): AsyncGenerator<MovementRow[], void, undefined> {
  const statement = db.prepare(
    `SELECT ${MOVEMENT_COLUMNS.join(", ")} FROM movements
     WHERE account_id = ?1 AND (at_ms, id) > (?2, ?3) AND at_ms < ?4 ORDER BY at_ms, id LIMIT ?5`,
  );
  let cursorAtMs = startMs;
  let cursorId = "";
  for (;;) {
    const { results } = await statement
      .bind(accountId, cursorAtMs, cursorId, endMs, pageRows)
      .all<MovementRow>();
    if (results.length > 0) yield results;
    if (results.length < pageRows) return;
    const last = results[results.length - 1] as MovementRow;
    cursorAtMs = last.at_ms;
    cursorId = last.id;
  }
}

async function deleteArchivedRows(
  db: D1Database,
  month: ArchivedMonth,
  budgetRows: number,
  nowMs: number,
): Promise<ArchiveStep> {
  let deleted = 0;
  while (deleted < budgetRows) {
    const limit = Math.min(HISTORY_DELETE_ROWS_PER_STATEMENT, budgetRows - deleted);
    const result = await db
      .prepare(
        `DELETE FROM movements WHERE account_id = ?1 AND seq IN (
           SELECT seq FROM movements WHERE account_id = ?1 AND at_ms >= ?2 AND at_ms < ?3 LIMIT ?4)`,
      )
      .bind(month.accountId, month.startMs, month.endMs, limit)
      .run();
    deleted += result.meta.changes;
    if (result.meta.changes < limit) {
      await db
        .prepare(
          "UPDATE history_archive SET state = 'deleted', deleted_at_ms = ? WHERE account_id = ? AND month = ? AND state = 'verified'",
        )
        .bind(nowMs, month.accountId, month.month)
        .run();
      return { step: "deleted", month: month.month, rows: deleted, done: true };
    }
  }
  return { step: "deleted", month: month.month, rows: deleted, done: false };
}

export interface ArchiveTickResult {
  accountsVisited: number;
  monthsArchived: number;
  rowsArchived: number;
  rowsDeleted: number;
  failures: number;
}

/**
 * The cron's archive tick: visits accounts in id order from where the last tick stopped,
 * at most `HISTORY_ARCHIVE_ACCOUNTS_PER_TICK` of them and `HISTORY_ARCHIVE_ROWS_PER_TICK`
 * rows of work. An account that fails (R2 or D1 down) is logged and retried on the next
 * round; an account whose work outlasts the budget is where the next tick resumes.
 */
export async function archiveHistoryTick(
  env: Env,
  nowMs: number,
  options: ArchiveOptions & { budgetRows?: number; accounts?: number } = {},
): Promise<ArchiveTickResult> {
  const budgetRows = options.budgetRows ?? HISTORY_ARCHIVE_ROWS_PER_TICK;
  const maxAccounts = options.accounts ?? HISTORY_ARCHIVE_ACCOUNTS_PER_TICK;
  const cursorRow = await env.DB.prepare(
    "SELECT value FROM cron_state WHERE key = 'history_archive_cursor'",
  ).first<{ value: string }>();
  let cursor = cursorRow?.value ?? "";
  const result: ArchiveTickResult = {
    accountsVisited: 0,
    monthsArchived: 0,
    rowsArchived: 0,
    rowsDeleted: 0,
    failures: 0,
  };
  let spent = 0;
  // An account being moved is left alone: deleting archived rows from the source after the
  // move copied them would fail the move's verification (src/history/rebalance.ts). The
  // condition is the one of the index of moves under way (migration 0010).
  const { results } = await env.DB.prepare(
    `SELECT id FROM accounts WHERE id > ? AND id NOT IN (
       SELECT account_id FROM history_moves WHERE state NOT IN ('done', 'stopped'))
     ORDER BY id LIMIT ?`,
  )
    .bind(cursor, maxAccounts)
    .all<{ id: string }>();
  let reachedEnd = results.length < maxAccounts;
  for (const { id } of results) {
    if (spent >= budgetRows) {
      reachedEnd = false;
      break;
    }
    result.accountsVisited += 1;
    try {
      let done = false;
      while (!done && spent < budgetRows) {
        const step = await archiveAccountStep(env, id, nowMs, budgetRows - spent, options);
        if (step.step === "nothing_due") done = true;
        else if (step.step === "archived") {
          result.monthsArchived += 1;
          result.rowsArchived += step.rows;
          spent += step.rows;
        } else {
          result.rowsDeleted += step.rows;
          spent += step.rows;
        }
      }
      if (!done) {
        reachedEnd = false;
        break;
      }
    } catch (error) {
      result.failures += 1;
      console.warn(
        JSON.stringify({ event: "history_archive_failed", accountId: id, error: String(error) }),
      );
    }
    cursor = id;
  }
  await env.DB.prepare(
    "INSERT INTO cron_state (key, value) VALUES ('history_archive_cursor', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
  )
    .bind(reachedEnd ? "" : cursor)
    .run();
  return result;
}
