// Writes an account's movement history straight into D1, as the ledger's outbox would have
// copied it, so a benchmark can have a million movements in seconds instead of posting a
// million charges. Rows are generated inside SQLite (a recursive CTE), so nothing but a
// few numbers crosses from node to workerd per chunk.
//
// Seeded rows get seq -N … -1: below every seq the account's ledger will ever give, so an
// export's pin (seq <= the ledger's last seq at the request) includes all of them, as it
// would include history committed before the request.

/** Rows per INSERT … SELECT: one statement per chunk keeps each D1 call short. */
export const SEED_CHUNK_ROWS = 100_000;

// Every 1 000th row is a top-up, every 10th an SMS, the rest calls of 1 to 5 minutes;
// every 97th interaction id needs CSV quoting. Balance after is the running sum.
const SEED_SQL = `WITH RECURSIVE
  n(i) AS (SELECT ?1 UNION ALL SELECT i + 1 FROM n WHERE i < ?2),
  timed AS (
    SELECT i, ?4 + (i * ?5) / ?6 AS at_ms,
      CASE WHEN i % 1000 = 0 THEN 'top-up' WHEN i % 10 = 3 THEN 'sms' ELSE 'call' END AS description
    FROM n
  ),
  priced AS (
    SELECT i, at_ms, description,
      CASE description WHEN 'top-up' THEN NULL WHEN 'sms' THEN 'fragments' ELSE 'seconds' END AS units,
      CASE description WHEN 'top-up' THEN NULL WHEN 'sms' THEN 1 + i % 3 ELSE 60 * (1 + i % 5) END AS units_charged,
      CASE description WHEN 'top-up' THEN NULL WHEN 'sms' THEN 50000 ELSE 12300 END AS unit_price_micros,
      CASE description WHEN 'top-up' THEN 100000000 WHEN 'sms' THEN -50000 * (1 + i % 3) ELSE -12300 * (1 + i % 5) END
        AS amount_micros
    FROM timed
  )
INSERT INTO movements (id, account_id, seq, at_ms, description, interaction_id, units, units_charged,
  unit_price_micros, amount_micros, balance_after_micros, user_id, reason, details)
SELECT printf('%08x-%04x-7%03x-8000-%012x', at_ms / 65536, at_ms % 65536, ?9, i), ?3, i - ?7, at_ms, description,
  CASE WHEN i % 97 = 0 THEN 'call "' || i || '", transferred' ELSE description || '-' || i END,
  units, units_charged, unit_price_micros, amount_micros,
  ?8 + sum(amount_micros) OVER (ORDER BY i ROWS UNBOUNDED PRECEDING),
  'user-' || (i % 50), CASE description WHEN 'top-up' THEN 'auto top-up' END, NULL
FROM priced`;

/**
 * Seeds `count` movements for `accountId`, spread evenly from `fromMs` to `toMs`, opening
 * at `openingMicros`. Returns the balance after the last one and the sum of all amounts.
 * Ids are made from the time and the row number, plus `idSalt` (0 to 4 095): accounts
 * seeded into one database with the same times need different salts.
 */
export async function seedMovements(
  db,
  { accountId, count, fromMs, toMs, openingMicros = 1_000_000_000, idSalt = 0 },
) {
  const spanMs = toMs - fromMs;
  let balanceMicros = openingMicros;
  for (let first = 1; first <= count; first += SEED_CHUNK_ROWS) {
    const last = Math.min(count, first + SEED_CHUNK_ROWS - 1);
    await db
      .prepare(SEED_SQL)
      .bind(first, last, accountId, fromMs, spanMs, count, count + 1, balanceMicros, idSalt)
      .run();
    const row = await db
      .prepare("SELECT balance_after_micros AS b FROM movements WHERE account_id = ? AND seq = ?")
      .bind(accountId, last - (count + 1))
      .first();
    balanceMicros = row.b;
  }
  return { balanceMicros, sumMicros: balanceMicros - openingMicros };
}
