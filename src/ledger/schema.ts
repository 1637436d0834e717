/**
 * The ledger's own SQLite schema, versioned by a row in `schema_version`. Each step runs
 * once, in order, inside one synchronous transaction with the version bump, so a DO that
 * dies half-way through an upgrade starts the same step again on its next start.
 * A step is never edited once shipped: a change is a new step. Documented in
 * migrations/SCHEMA.md.
 */
export const LEDGER_SCHEMA_STEPS: readonly string[] = [
  // 1: balance, movements, idempotency records, outbox, reservations, scheduled work.
  `
  CREATE TABLE account (
    singleton INTEGER PRIMARY KEY CHECK (singleton = 1),
    account_id TEXT NOT NULL,
    currency TEXT NOT NULL,
    time_zone TEXT NOT NULL,
    balance_micros INTEGER NOT NULL,
    reserved_micros INTEGER NOT NULL,
    created_at_ms INTEGER NOT NULL
  );
  CREATE TABLE movements (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    at_ms INTEGER NOT NULL,
    description TEXT NOT NULL,
    interaction_id TEXT NOT NULL,
    units TEXT,
    units_charged INTEGER,
    unit_price_micros INTEGER,
    amount_micros INTEGER NOT NULL,
    balance_after_micros INTEGER NOT NULL,
    user_id TEXT,
    reason TEXT,
    details TEXT
  );
  CREATE INDEX movements_at ON movements (at_ms, seq);
  CREATE TABLE outbox (
    movement_seq INTEGER PRIMARY KEY
  );
  CREATE TABLE idempotency (
    key TEXT PRIMARY KEY,
    request_hash TEXT NOT NULL,
    response TEXT NOT NULL,
    created_at_ms INTEGER NOT NULL
  );
  CREATE INDEX idempotency_age ON idempotency (created_at_ms);
  CREATE TABLE reservations (
    call_id TEXT NOT NULL,
    leg TEXT NOT NULL,
    state TEXT NOT NULL,
    reserved_micros INTEGER NOT NULL,
    expires_at_ms INTEGER NOT NULL,
    decision TEXT NOT NULL,
    created_at_ms INTEGER NOT NULL,
    PRIMARY KEY (call_id, leg)
  );
  CREATE INDEX reservations_expiry ON reservations (state, expires_at_ms);
  CREATE TABLE settings (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
  );
  `,
  // 2: export jobs, one in flight per account, pinned to the ledger as it stood.
  `
  CREATE TABLE export_jobs (
    id TEXT PRIMARY KEY,
    status TEXT NOT NULL CHECK (status IN ('processing', 'ready', 'failed')),
    period_start_ms INTEGER NOT NULL,
    period_end_ms INTEGER NOT NULL,
    through_seq INTEGER NOT NULL,
    requested_at_ms INTEGER NOT NULL,
    queued_at_ms INTEGER,
    finished_at_ms INTEGER,
    rows INTEGER,
    sum_micros INTEGER,
    object_key TEXT,
    failure TEXT
  );
  CREATE INDEX export_jobs_status ON export_jobs (status, requested_at_ms);
  `,
  // 3: top-up payments, the gateway events already applied, notifications to send.
  `
  ALTER TABLE account ADD COLUMN email TEXT;
  CREATE TABLE payments (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('one-time', 'auto')),
    amount_micros INTEGER NOT NULL,
    payment_method TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('pending', 'succeeded', 'failed')),
    gateway_ref TEXT,
    failure_reason TEXT,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at_ms INTEGER,
    created_at_ms INTEGER NOT NULL,
    settled_at_ms INTEGER,
    movement_id TEXT
  );
  CREATE INDEX payments_due ON payments (status, next_attempt_at_ms);
  CREATE INDEX payments_kind ON payments (kind, created_at_ms);
  CREATE TABLE payment_events (
    event_id TEXT PRIMARY KEY,
    payment_id TEXT NOT NULL,
    received_at_ms INTEGER NOT NULL
  );
  CREATE TABLE sandbox_webhooks (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    deliver_at_ms INTEGER NOT NULL,
    body TEXT NOT NULL
  );
  CREATE TABLE notices (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    payload TEXT NOT NULL,
    created_at_ms INTEGER NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at_ms INTEGER NOT NULL
  );
  `,
  // 4: rated usage. call_legs supersedes step 1's unused reservations table: a leg keeps
  // its terms, grant and hold from authorize to settle. The usage_* tables are the month's
  // counters (fair use per user, allowances, spend per category) in the account's time
  // zone, updated in the same transaction as the movement they count.
  `
  DROP TABLE reservations;
  CREATE TABLE call_legs (
    call_id TEXT NOT NULL,
    leg TEXT NOT NULL CHECK (leg IN ('primary', 'forward')),
    state TEXT NOT NULL CHECK (state IN ('running', 'ended', 'refused')),
    user_id TEXT NOT NULL,
    request TEXT NOT NULL,
    answer TEXT NOT NULL,
    terms TEXT NOT NULL,
    month TEXT NOT NULL,
    granted_seconds INTEGER NOT NULL,
    included_hold_seconds INTEGER NOT NULL,
    reserved_micros INTEGER NOT NULL,
    expires_at_ms INTEGER NOT NULL,
    extend_used_seconds INTEGER,
    extend_answer TEXT,
    end_answer TEXT,
    created_at_ms INTEGER NOT NULL,
    ended_at_ms INTEGER,
    PRIMARY KEY (call_id, leg)
  );
  CREATE INDEX call_legs_due ON call_legs (state, expires_at_ms);
  CREATE INDEX call_legs_user ON call_legs (user_id, state, month);
  CREATE INDEX call_legs_ended ON call_legs (ended_at_ms) WHERE ended_at_ms IS NOT NULL;
  CREATE TABLE usage_users (
    month TEXT NOT NULL,
    user_id TEXT NOT NULL,
    included_seconds INTEGER NOT NULL DEFAULT 0,
    credit_seconds INTEGER NOT NULL DEFAULT 0,
    credit_billed_seconds INTEGER NOT NULL DEFAULT 0,
    credit_micros INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (month, user_id)
  );
  CREATE TABLE usage_allowances (
    month TEXT NOT NULL,
    service TEXT NOT NULL,
    used_minutes INTEGER NOT NULL,
    PRIMARY KEY (month, service)
  );
  CREATE TABLE usage_spend (
    month TEXT NOT NULL,
    category TEXT NOT NULL,
    charges INTEGER NOT NULL,
    units INTEGER NOT NULL,
    amount_micros INTEGER NOT NULL,
    PRIMARY KEY (month, category)
  );
  CREATE TABLE spend_days (
    day TEXT PRIMARY KEY,
    amount_micros INTEGER NOT NULL
  );
  `,
  // 5: the outbox becomes a mark in settings (movements after it are not yet in D1), so
  // a movement is one write, not two. Rows were always removed oldest first, so what
  // was pending is exactly the movements after the first pending one's predecessor.
  `
  INSERT INTO settings (key, value) VALUES ('outbox_copied_through_seq',
    coalesce((SELECT min(movement_seq) - 1 FROM outbox), (SELECT max(seq) FROM movements), 0));
  DROP TABLE outbox;
  `,
  // 6: fewer rows written per command (DO SQLite bills every row and index entry written).
  // The balance is the last movement's balance_after and the holds are the running legs'
  // reservations, so the account row no longer changes with money. Movements lose
  // AUTOINCREMENT (the ledger numbers them, pruned ones included), the UNIQUE on ids it
  // makes itself and the index by time (only the dashboard's listing filters by time).
  // Call legs and idempotency records are keyed by their natural key alone (WITHOUT ROWID);
  // of the legs' three indexes one partial index stays, over the running legs only (the
  // alarm's expiry, the holds, fair use in flight); the daily pruning of old rows scans.
  `
  ALTER TABLE account DROP COLUMN balance_micros;
  ALTER TABLE account DROP COLUMN reserved_micros;
  CREATE TABLE movements_v6 (
    seq INTEGER PRIMARY KEY,
    id TEXT NOT NULL,
    at_ms INTEGER NOT NULL,
    description TEXT NOT NULL,
    interaction_id TEXT NOT NULL,
    units TEXT,
    units_charged INTEGER,
    unit_price_micros INTEGER,
    amount_micros INTEGER NOT NULL,
    balance_after_micros INTEGER NOT NULL,
    user_id TEXT,
    reason TEXT,
    details TEXT
  );
  INSERT INTO movements_v6 (seq, id, at_ms, description, interaction_id, units, units_charged,
      unit_price_micros, amount_micros, balance_after_micros, user_id, reason, details)
    SELECT seq, id, at_ms, description, interaction_id, units, units_charged,
      unit_price_micros, amount_micros, balance_after_micros, user_id, reason, details
    FROM movements;
  DROP TABLE movements;
  ALTER TABLE movements_v6 RENAME TO movements;
  CREATE TABLE call_legs_v6 (
    call_id TEXT NOT NULL,
    leg TEXT NOT NULL CHECK (leg IN ('primary', 'forward')),
    state TEXT NOT NULL CHECK (state IN ('running', 'ended', 'refused')),
    user_id TEXT NOT NULL,
    request TEXT NOT NULL,
    answer TEXT NOT NULL,
    terms TEXT NOT NULL,
    month TEXT NOT NULL,
    granted_seconds INTEGER NOT NULL,
    included_hold_seconds INTEGER NOT NULL,
    reserved_micros INTEGER NOT NULL,
    expires_at_ms INTEGER NOT NULL,
    extend_used_seconds INTEGER,
    extend_answer TEXT,
    end_answer TEXT,
    created_at_ms INTEGER NOT NULL,
    ended_at_ms INTEGER,
    PRIMARY KEY (call_id, leg)
  ) WITHOUT ROWID;
  INSERT INTO call_legs_v6 (call_id, leg, state, user_id, request, answer, terms, month,
      granted_seconds, included_hold_seconds, reserved_micros, expires_at_ms,
      extend_used_seconds, extend_answer, end_answer, created_at_ms, ended_at_ms)
    SELECT call_id, leg, state, user_id, request, answer, terms, month,
      granted_seconds, included_hold_seconds, reserved_micros, expires_at_ms,
      extend_used_seconds, extend_answer, end_answer, created_at_ms, ended_at_ms
    FROM call_legs;
  DROP TABLE call_legs;
  ALTER TABLE call_legs_v6 RENAME TO call_legs;
  CREATE INDEX call_legs_running ON call_legs (expires_at_ms) WHERE state = 'running';
  CREATE TABLE idempotency_v6 (
    key TEXT PRIMARY KEY,
    request_hash TEXT NOT NULL,
    response TEXT NOT NULL,
    created_at_ms INTEGER NOT NULL
  ) WITHOUT ROWID;
  INSERT INTO idempotency_v6 SELECT key, request_hash, response, created_at_ms FROM idempotency;
  DROP TABLE idempotency;
  ALTER TABLE idempotency_v6 RENAME TO idempotency;
  `,
  // 7: AI usage the plan bills by invoice: recorded with its amount, never a movement, listed
  // by month for the operator's invoice (src/ledger/invoice-usage.ts).
  `
  CREATE TABLE invoice_usage (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    usage_id TEXT NOT NULL UNIQUE,
    at_ms INTEGER NOT NULL,
    month TEXT NOT NULL,
    service TEXT NOT NULL,
    user_id TEXT,
    call_id TEXT,
    seconds INTEGER NOT NULL,
    billed_minutes INTEGER NOT NULL,
    included_minutes INTEGER NOT NULL,
    invoiced_minutes INTEGER NOT NULL,
    rate_per_minute_micros INTEGER NOT NULL,
    amount_micros INTEGER NOT NULL,
    deck_version TEXT NOT NULL
  );
  CREATE INDEX invoice_usage_month ON invoice_usage (month, seq);
  CREATE INDEX invoice_usage_age ON invoice_usage (at_ms);
  `,
  // 8: real card payments. A one-time top-up may wait for the bank's authentication
  // (next_action_url); refunds and disputes reverse credit (reversed_micros), refunds up to what was refunded so far; each
  // dispute reverses its amount once and gives it back once if won.
  `
  ALTER TABLE payments ADD COLUMN next_action_url TEXT;
  ALTER TABLE payments ADD COLUMN reversed_micros INTEGER NOT NULL DEFAULT 0;
  CREATE TABLE payment_disputes (
    dispute_ref TEXT PRIMARY KEY,
    payment_id TEXT NOT NULL,
    amount_micros INTEGER NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('open', 'won', 'lost')),
    created_at_ms INTEGER NOT NULL
  );
  `,
  // 9: fewer rows per charge again. A message wrote four rows (its movement, its
  // idempotency record, the month's spend per category and the day's spend), a
  // credit-billed call seven. Spend is summed from the movements now: the daily cap's from
  // the day's own, the report's from the month's plus `usage_spend`, which keeps counting
  // the movements up to a mark (those before this step, and from now on those pruned);
  // `spend_days` goes. The running legs are held in memory (loaded with one scan on
  // start), so the partial index over them goes too. The IF EXISTS / OR IGNORE make a
  // repeated step harmless.
  `
  DROP INDEX IF EXISTS call_legs_running;
  DROP TABLE IF EXISTS spend_days;
  INSERT OR IGNORE INTO settings (key, value) VALUES ('usage_counted_through_seq',
    coalesce((SELECT max(seq) FROM movements),
      (SELECT json_extract(value, '$.throughSeq') FROM settings WHERE key = 'pruned_movements'), 0));
  `,
];

/** Applies the steps not yet applied; returns the version the schema is at. */
export function migrateLedgerSchema(storage: DurableObjectStorage): number {
  const sql = storage.sql;
  sql.exec("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)");
  const row = sql.exec<{ version: number }>("SELECT version FROM schema_version").toArray()[0];
  let version = row?.version ?? 0;
  if (!row) sql.exec("INSERT INTO schema_version (version) VALUES (0)");
  while (version < LEDGER_SCHEMA_STEPS.length) {
    const step = LEDGER_SCHEMA_STEPS[version] as string;
    storage.transactionSync(() => {
      sql.exec(step);
      sql.exec("UPDATE schema_version SET version = ?", version + 1);
    });
    version += 1;
  }
  return version;
}
