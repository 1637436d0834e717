-- A history shard: the D1 copy of the movements of the accounts recorded on it
-- (accounts.history_shard in the main database), and the months of theirs archived to R2.
-- The same tables as the main database's (0001_accounts.sql, 0009_history_shards.sql),
-- which is shard 0.

CREATE TABLE movements (
  id TEXT PRIMARY KEY,
  account_id TEXT NOT NULL,
  seq INTEGER NOT NULL,
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
CREATE INDEX movements_account_time ON movements (account_id, at_ms, id);
CREATE UNIQUE INDEX movements_account_seq ON movements (account_id, seq);

CREATE TABLE history_archive (
  account_id TEXT NOT NULL,
  month TEXT NOT NULL,
  start_ms INTEGER NOT NULL,
  end_ms INTEGER NOT NULL,
  object_key TEXT NOT NULL,
  rows INTEGER NOT NULL,
  sum_micros INTEGER NOT NULL,
  bytes INTEGER NOT NULL,
  first_seq INTEGER,
  last_seq INTEGER,
  state TEXT NOT NULL CHECK (state IN ('verified', 'deleted')),
  verified_at_ms INTEGER NOT NULL,
  deleted_at_ms INTEGER,
  PRIMARY KEY (account_id, month)
);
