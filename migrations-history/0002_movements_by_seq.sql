-- D1 bills every row and index entry written: a movement's copy wrote four (the table's
-- rowid row, the UNIQUE id, the time index and the UNIQUE (account_id, seq)). The table
-- is now keyed by (account_id, seq) alone (WITHOUT ROWID: the key is the row), which is
-- what the outbox's INSERT OR IGNORE deduplicates on and what the listing's pruned part,
-- the archive's deletion and the rebalancing job read by; one index stays, by time, for
-- the export's and the archive's keyset pages in (at_ms, id) order. Two rows per movement.
-- Every row moves as it is: (account_id, seq) was already unique.
-- The same change as migrations/0011_movements_by_seq.sql (the main database is shard 0).

CREATE TABLE movements_by_seq (
  account_id TEXT NOT NULL,
  seq INTEGER NOT NULL,
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
  details TEXT,
  PRIMARY KEY (account_id, seq)
) WITHOUT ROWID;
INSERT INTO movements_by_seq (account_id, seq, id, at_ms, description, interaction_id, units,
    units_charged, unit_price_micros, amount_micros, balance_after_micros, user_id, reason, details)
  SELECT account_id, seq, id, at_ms, description, interaction_id, units,
    units_charged, unit_price_micros, amount_micros, balance_after_micros, user_id, reason, details
  FROM movements;
DROP TABLE movements;
ALTER TABLE movements_by_seq RENAME TO movements;
CREATE INDEX movements_account_time ON movements (account_id, at_ms, id);
