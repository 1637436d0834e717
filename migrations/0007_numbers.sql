-- The number directory: which account each phone number belongs to, so a switch that knows
-- only numbers can ask for a call without an account id. One account per number (the
-- primary key); an operator moves a number by assigning it to another account.

CREATE TABLE numbers (
  -- E.164, e.g. +4930123456.
  number TEXT PRIMARY KEY,
  account_id TEXT NOT NULL REFERENCES accounts (id),
  assigned_at_ms INTEGER NOT NULL
);
CREATE INDEX numbers_account ON numbers (account_id, number);
