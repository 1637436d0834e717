-- The rebalancing job (src/history/rebalance.ts): one row per move of an account's history
-- from one shard to another, started by the operator (POST /v1/history-moves) and driven
-- by the cron a bounded amount per tick. The row is the job's whole state, so a tick that
-- fails anywhere leaves a state the next one resumes from.
--   clearing  → the target's leftovers of the account (an earlier stopped move) are deleted
--   copying   → movements copied in (account_id, seq) pages; copied_through_seq is the cursor
--   switching → the ledger, with its copies to D1 held, copies the rest, verifies, switches
--   deleting  → the account reads the target; the source's rows go after a grace period
--   done | stopped (verify failed too often, or the account was moved by other means)
CREATE TABLE history_moves (
  id TEXT PRIMARY KEY,
  account_id TEXT NOT NULL,
  from_shard INTEGER NOT NULL,
  to_shard INTEGER NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('clearing', 'copying', 'switching', 'deleting', 'done', 'stopped')),
  copied_through_seq INTEGER NOT NULL DEFAULT 0,
  rows_copied INTEGER NOT NULL DEFAULT 0,
  rows_deleted INTEGER NOT NULL DEFAULT 0,
  -- What both shards held when the switch verified them.
  verified_rows INTEGER,
  verified_sum_micros INTEGER,
  verified_months INTEGER,
  restarts INTEGER NOT NULL DEFAULT 0,
  failures INTEGER NOT NULL DEFAULT 0,
  last_error TEXT,
  created_at_ms INTEGER NOT NULL,
  updated_at_ms INTEGER NOT NULL,
  switched_at_ms INTEGER,
  finished_at_ms INTEGER
);
-- At most one move of an account under way: two would copy and delete against each other.
CREATE UNIQUE INDEX history_moves_one_active ON history_moves (account_id)
  WHERE state NOT IN ('done', 'stopped');
CREATE INDEX history_moves_by_account ON history_moves (account_id, created_at_ms);
