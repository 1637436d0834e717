import type { Movement } from "./types";

/** Movements copied to D1 per alarm run; the rest waits for the next run. */
export const OUTBOX_BATCH_ROWS = 600;
/**
 * Rows per INSERT: D1 takes at most 100 bound parameters per statement and a movement
 * has 14 columns, so 7 rows (98 parameters) is the most one statement can carry.
 */
export const OUTBOX_ROWS_PER_STATEMENT = 7;
const COLUMNS = 14;
/** A short delay lets a burst of debits reach D1 in one batch instead of one each. */
export const OUTBOX_FLUSH_DELAY_MS = 250;
export const OUTBOX_RETRY_BASE_MS = 1_000;
export const OUTBOX_RETRY_MAX_MS = 5 * 60_000;

/** Delay before the next try after `failures` failed flushes in a row: 1 s, 2 s, 4 s … 5 min. */
export function outboxRetryDelayMs(failures: number): number {
  return Math.min(OUTBOX_RETRY_MAX_MS, OUTBOX_RETRY_BASE_MS * 2 ** Math.max(0, failures - 1));
}

/**
 * Copies movements to D1 in one batch (one implicit transaction). INSERT OR IGNORE by
 * movement id makes a retry after a lost answer harmless: a row already there stays.
 */
export async function copyMovementsToD1(db: D1Database, accountId: string, movements: Movement[]): Promise<void> {
  const statements: D1PreparedStatement[] = [];
  for (let i = 0; i < movements.length; i += OUTBOX_ROWS_PER_STATEMENT) {
    const chunk = movements.slice(i, i + OUTBOX_ROWS_PER_STATEMENT);
    const placeholders = chunk.map(() => `(${Array(COLUMNS).fill("?").join(", ")})`).join(", ");
    const values = chunk.flatMap((m) => [
      m.id,
      accountId,
      m.seq,
      m.atMs,
      m.description,
      m.interactionId,
      m.units,
      m.unitsCharged,
      m.unitPriceMicros,
      m.amountMicros,
      m.balanceAfterMicros,
      m.userId,
      m.reason,
      m.details === null ? null : JSON.stringify(m.details),
    ]);
    statements.push(
      db
        .prepare(
          `INSERT OR IGNORE INTO movements (id, account_id, seq, at_ms, description, interaction_id, units, units_charged,
             unit_price_micros, amount_micros, balance_after_micros, user_id, reason, details) VALUES ${placeholders}`,
        )
        .bind(...values),
    );
  }
  if (statements.length > 0) await db.batch(statements);
}
