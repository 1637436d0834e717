-- The local mailbox: where emails go when no email API is configured (development).
CREATE TABLE mailbox (
  id TEXT PRIMARY KEY,
  idempotency_key TEXT NOT NULL UNIQUE,
  to_address TEXT NOT NULL,
  subject TEXT NOT NULL,
  text_body TEXT NOT NULL,
  html_body TEXT,
  created_at_ms INTEGER NOT NULL
);
CREATE INDEX mailbox_by_time ON mailbox (created_at_ms DESC);
CREATE INDEX mailbox_by_recipient ON mailbox (to_address, created_at_ms DESC);
