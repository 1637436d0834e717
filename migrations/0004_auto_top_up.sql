-- The cron sweep visits only accounts with auto top-up on; the ledger is the source of
-- truth, this flag only narrows the sweep.
ALTER TABLE accounts ADD COLUMN auto_top_up_enabled INTEGER NOT NULL DEFAULT 0;
CREATE INDEX accounts_auto_top_up ON accounts (auto_top_up_enabled, id);

-- Where the cron sweep resumes when a tick stopped at its limit.
CREATE TABLE cron_state (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL
);
