/**
 * The number directory in D1: each phone number belongs to at most one account. Writes are
 * operator actions and rare; the call path reads through the isolate cache (./cache.ts).
 */

/**
 * Numbers one account may hold. Lists travel as one JSON parameter (json_each), so the 100
 * bound parameters of a D1 statement do not limit them; this bounds the body and the batch.
 */
export const NUMBERS_PER_ACCOUNT_MAX = 1_000;

export interface NumberOwner {
  accountId: string;
  /** The account's location hint, for the ledger's placement and the decision metrics. */
  region: string | null;
}

export interface NumbersAssigned {
  numbers: string[];
  /** Numbers taken from another account by this assignment. */
  moved: Array<{ number: string; fromAccountId: string }>;
  /** Numbers the account held before and no longer does. */
  released: string[];
}

export async function numbersOf(db: D1Database, accountId: string): Promise<string[]> {
  const { results } = await db
    .prepare("SELECT number FROM numbers WHERE account_id = ? ORDER BY number")
    .bind(accountId)
    .all<{ number: string }>();
  return results.map((row) => row.number);
}

/**
 * Makes `numbers` the account's whole set: numbers it no longer lists are released, and a
 * number another account holds moves to this one (the operator's move), reported in `moved`.
 * One batch, so a reader sees the old set or the new one.
 */
export async function assignNumbers(
  db: D1Database,
  accountId: string,
  numbers: readonly string[],
  nowMs: number,
): Promise<NumbersAssigned> {
  const list = JSON.stringify(numbers);
  const [{ results: owners }, previous] = await Promise.all([
    db
      .prepare(
        "SELECT number, account_id FROM numbers WHERE number IN (SELECT value FROM json_each(?)) AND account_id <> ?",
      )
      .bind(list, accountId)
      .all<{ number: string; account_id: string }>(),
    numbersOf(db, accountId),
  ]);
  await db.batch([
    db
      .prepare(
        "DELETE FROM numbers WHERE account_id = ? AND number NOT IN (SELECT value FROM json_each(?))",
      )
      .bind(accountId, list),
    // Numbers the account already holds keep their assignment time.
    db
      .prepare(
        `INSERT INTO numbers (number, account_id, assigned_at_ms)
         SELECT value, ?, ? FROM json_each(?) WHERE true
         ON CONFLICT (number) DO UPDATE SET account_id = excluded.account_id,
           assigned_at_ms = excluded.assigned_at_ms
         WHERE numbers.account_id <> excluded.account_id`,
      )
      .bind(accountId, nowMs, list),
  ]);
  const kept = new Set(numbers);
  return {
    numbers: [...numbers].sort(),
    moved: owners
      .map((row) => ({ number: row.number, fromAccountId: row.account_id }))
      .sort((a, b) => a.number.localeCompare(b.number)),
    released: previous.filter((number) => !kept.has(number)),
  };
}

/** The account holding `number`, with its region; null when no account does. */
export async function readNumberOwner(db: D1Database, number: string): Promise<NumberOwner | null> {
  const row = await db
    .prepare(
      "SELECT n.account_id, a.region FROM numbers n JOIN accounts a ON a.id = n.account_id WHERE n.number = ?",
    )
    .bind(number)
    .first<{ account_id: string; region: string | null }>();
  return row ? { accountId: row.account_id, region: row.region } : null;
}
