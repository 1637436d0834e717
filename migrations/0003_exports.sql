-- Finished credit-movement exports, written by the export consumer once the account's
-- ledger has recorded the outcome. The ledger (export_jobs in the account's Durable Object)
-- stays the record of each job; this copy exists because the download link carries only
-- the export id, so the download route finds the file and its account here, and because
-- the retention sweep needs every account's files in one query.

CREATE TABLE exports (
  id TEXT PRIMARY KEY,
  account_id TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('ready', 'failed')),
  period_start_ms INTEGER NOT NULL,
  period_end_ms INTEGER NOT NULL,
  time_zone TEXT NOT NULL,
  rows INTEGER,
  bytes INTEGER,
  -- R2 key of the CSV; null for a failed export.
  object_key TEXT,
  requested_at_ms INTEGER NOT NULL,
  finished_at_ms INTEGER NOT NULL,
  -- When the file is removed (finished + retention); null for a failed export.
  expires_at_ms INTEGER,
  -- Set by the retention sweep once the R2 object is deleted.
  deleted_at_ms INTEGER
);
CREATE INDEX exports_account ON exports (account_id, requested_at_ms);
CREATE INDEX exports_due_for_removal ON exports (expires_at_ms) WHERE expires_at_ms IS NOT NULL AND deleted_at_ms IS NULL;
