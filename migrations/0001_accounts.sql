-- Accounts, their API keys and the history copy of every ledger movement.
-- The ledger of record is each account's Durable Object; `movements` here is filled by
-- its outbox (INSERT OR IGNORE by id) and serves history queries and exports.

CREATE TABLE accounts (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  currency TEXT NOT NULL,
  email TEXT NOT NULL,
  time_zone TEXT NOT NULL,
  region TEXT,
  created_at_ms INTEGER NOT NULL
);

-- Keys are stored as the SHA-256 of the secret: a leaked table grants nothing.
CREATE TABLE api_keys (
  id TEXT PRIMARY KEY,
  account_id TEXT NOT NULL REFERENCES accounts (id),
  role TEXT NOT NULL CHECK (role IN ('admin', 'agent')),
  key_hash TEXT NOT NULL UNIQUE,
  key_prefix TEXT NOT NULL,
  created_at_ms INTEGER NOT NULL,
  revoked_at_ms INTEGER,
  -- "<account>:<Idempotency-Key>" of the request that created it, so a retry is recognised.
  idempotency_key TEXT UNIQUE
);
CREATE INDEX api_keys_account ON api_keys (account_id);

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
