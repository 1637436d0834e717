-- Movement history sharded by account (src/history/). Each account records the history
-- shard its movements live in: 0 is this database itself, k > 0 the D1 binding HISTORY_k.
-- Every account that exists when this runs is on shard 0, where its movements already
-- are, so an existing deployment moves nothing; new accounts are spread over the shards
-- open to them when they are created. A recorded shard changes only by the rebalancing job.
ALTER TABLE accounts ADD COLUMN history_shard INTEGER NOT NULL DEFAULT 0;

-- This database is shard 0, so it carries the shards' archive table too
-- (migrations-history/0001_movements.sql has the same table for the others).
-- One row per account and UTC month written to R2: 'verified' once the object was read
-- back and matched D1's count and sum (readers then take the month from R2 only),
-- 'deleted' once D1's rows of the month are gone.
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
