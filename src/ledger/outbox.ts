import {
  MOVEMENT_COLUMNS,
  movementToRow,
  rowValues,
  type MovementRow,
} from "../history/movement-row";
import { historyDatabaseOf } from "../history/shards";
import type { LedgerCore } from "./core";
import type { Movement } from "./types";

/** Movements copied to D1 per alarm run; the rest waits for the next run. */
export const OUTBOX_BATCH_ROWS = 600;
/**
 * Rows per INSERT: D1 takes at most 100 bound parameters per statement and a movement
 * has 14 columns, so 7 rows (98 parameters) is the most one statement can carry.
 */
export const OUTBOX_ROWS_PER_STATEMENT = 7;
const COLUMNS = MOVEMENT_COLUMNS.length;
/**
 * How long a movement may wait before its copy to D1 starts, so that the movements of a
 * while go in one batch: D1 is one database behind every ledger, and an account with a
 * call every few seconds would otherwise cost it a write each. Nothing reads movements
 * from D1 without first asking the ledger to copy what is pending (exports), so the delay
 * is never seen in an answer. A backlog, once copying, is copied without waiting.
 */
export const OUTBOX_FLUSH_DELAY_MS = 30_000;
export const OUTBOX_RETRY_BASE_MS = 1_000;
/** How long the ledger trusts the account's history shard it read from the main database. */
export const HISTORY_SHARD_REREAD_MS = 10 * 60_000;
export const OUTBOX_RETRY_MAX_MS = 5 * 60_000;

/** Delay before the next try after `failures` failed flushes in a row: 1 s, 2 s, 4 s … 5 min. */
export function outboxRetryDelayMs(failures: number): number {
  return Math.min(OUTBOX_RETRY_MAX_MS, OUTBOX_RETRY_BASE_MS * 2 ** Math.max(0, failures - 1));
}

/**
 * Statements inserting `rows` into a history shard, `OUTBOX_ROWS_PER_STATEMENT` a
 * statement. INSERT OR IGNORE on the movement's key makes a repeat write nothing: a row
 * already there stays.
 */
export function movementInserts(
  db: D1Database,
  rows: readonly MovementRow[],
): D1PreparedStatement[] {
  const statements: D1PreparedStatement[] = [];
  for (let i = 0; i < rows.length; i += OUTBOX_ROWS_PER_STATEMENT) {
    const chunk = rows.slice(i, i + OUTBOX_ROWS_PER_STATEMENT);
    const placeholders = chunk.map(() => `(${Array(COLUMNS).fill("?").join(", ")})`).join(", ");
    statements.push(
      db
        .prepare(
          `INSERT OR IGNORE INTO movements (${MOVEMENT_COLUMNS.join(", ")}) VALUES ${placeholders}`,
        )
        .bind(...chunk.flatMap((row) => rowValues(row))),
    );
  }
  return statements;
}

/**
 * Copies movements to the account's history shard in one batch (one implicit
 * transaction). INSERT OR IGNORE on the table's key, (account_id, seq), makes a retry after a
 * lost answer harmless. Returns the rows D1 reports reading and writing (index entries
 * included), which is what D1 bills.
 */
export async function copyMovementsToD1(
  db: D1Database,
  accountId: string,
  movements: Movement[],
): Promise<{ rowsRead: number; rowsWritten: number }> {
  const statements = movementInserts(
    db,
    movements.map((m) => movementToRow(accountId, m)),
  );
  const results = statements.length > 0 ? await db.batch(statements) : [];
  return {
    rowsRead: results.reduce((sum, result) => sum + (result.meta.rows_read ?? 0), 0),
    rowsWritten: results.reduce((sum, result) => sum + (result.meta.rows_written ?? 0), 0),
  };
}

/**
 * Relays committed movements from the ledger's outbox table to D1. It never blocks a
 * charge: a movement is committed first and copied later, in batches, by the alarm.
 */
export class OutboxRelay {
  /** The copy (or the rebalancing job's switch) under way; one at a time. */
  #flushing: Promise<unknown> | null = null;
  /** The account's history shard as last read from the main database, and when. */
  #history: { db: Promise<D1Database>; readAtMs: number } | null = null;

  constructor(private readonly core: LedgerCore) {}

  /** After a command that posted movements (unit-of-work.ts): their copy is due after the delay. */
  movementsPosted(nowMs: number): void {
    this.core.wakeAt(Math.max(nowMs + OUTBOX_FLUSH_DELAY_MS, this.#notBeforeMs()));
  }

  /** While D1 is failing, no flush is tried before this instant (backoff). */
  #notBeforeMs(): number {
    return this.core.store.readSetting("outbox_not_before_ms") ?? 0;
  }

  /** Runs due work; returns when it next needs the alarm, or null. */
  async onAlarm(accountId: string, nowMs: number): Promise<number | null> {
    let backlog = false;
    if (nowMs >= this.#notBeforeMs()) {
      try {
        backlog = (await this.drain(accountId, OUTBOX_BATCH_ROWS)) === OUTBOX_BATCH_ROWS;
        this.#recordFailures(0, nowMs);
      } catch (error) {
        // D1 is down or slow: keep the rows and try again later, backing off. The alarm
        // itself succeeds so the runtime does not retry on top of this schedule.
        const failures = (this.core.store.readSetting("outbox_failures") ?? 0) + 1;
        this.#recordFailures(failures, nowMs);
        console.warn(
          JSON.stringify({
            event: "outbox_flush_failed",
            accountId,
            failures,
            error: String(error),
          }),
        );
      }
    }
    if (this.core.store.outboxSize() === 0) return null;
    // A full batch means more were waiting: go on at once. Otherwise what came in during
    // the copy waits for the next window like any new movement.
    return Math.max(backlog ? nowMs : nowMs + OUTBOX_FLUSH_DELAY_MS, this.#notBeforeMs());
  }

  /** Copies up to `maxRows` pending movements; one flush runs at a time. */
  async drain(accountId: string, maxRows: number): Promise<number> {
    while (this.#flushing) await this.#flushing;
    const run = (async () => {
      let copied = 0;
      while (copied < maxRows) {
        const batch = this.core.store.pendingOutbox(Math.min(OUTBOX_BATCH_ROWS, maxRows - copied));
        const last = batch.at(-1);
        if (!last) break;
        const d1 = await copyMovementsToD1(
          await this.#historyDatabase(accountId),
          accountId,
          batch,
        );
        this.core.sqlMeter.countD1(d1);
        this.core.store.markCopiedThrough(last.seq);
        copied += batch.length;
      }
      return copied;
    })();
    this.#flushing = run;
    try {
      return await run;
    } finally {
      this.#flushing = null;
    }
  }

  /**
   * Runs `work` while no copy to D1 is under way and none starts: the rebalancing job's
   * switch (src/history/rebalance.ts) copies the last movements to the new shard, verifies
   * and switches in it, so no copy lands on the old shard after its catch-up. Movements
   * committed meanwhile wait in the outbox. The shard is read again afterwards, whatever
   * `work` did, so the next copy goes where the account is recorded.
   */
  async exclusive<T>(work: () => Promise<T>): Promise<T> {
    while (this.#flushing) await this.#flushing;
    const run = work();
    this.#flushing = run.catch(() => undefined);
    try {
      return await run;
    } finally {
      this.#flushing = null;
      this.#history = null;
    }
  }

  /**
   * Read again after `HISTORY_SHARD_REREAD_MS`: the rebalancing job switches inside
   * `exclusive`, which forgets the shard at once; this bounds any other change.
   */
  #historyDatabase(accountId: string): Promise<D1Database> {
    const nowMs = Date.now();
    if (this.#history && nowMs - this.#history.readAtMs < HISTORY_SHARD_REREAD_MS)
      return this.#history.db;
    const db = historyDatabaseOf(this.core.env, accountId);
    const entry = { db, readAtMs: nowMs };
    this.#history = entry;
    // A failed read is not kept: the next flush (after backoff) asks again.
    db.catch(() => {
      if (this.#history === entry) this.#history = null;
    });
    return db;
  }

  #recordFailures(failures: number, nowMs: number): void {
    this.core.store.writeSetting("outbox_failures", failures);
    const notBeforeMs = failures === 0 ? 0 : nowMs + outboxRetryDelayMs(failures);
    this.core.store.writeSetting("outbox_not_before_ms", notBeforeMs);
  }
}
