-- Rate decks: call prices by prefix, message prices by country and channel, service prices.
-- An upload writes its rows under a new deck id first (rate_deck_chunks, possibly over
-- several batches), then one batch records the deck with the next version of its kind and
-- points rate_decks_active at it. Until that batch commits nothing reads the new rows, so a
-- deck is replaced atomically and a failed upload leaves the deck in force untouched.

CREATE TABLE rate_decks (
  -- Random and never reused: caches key decks by it, so a version number reused by another
  -- database (tests, a restored backup) can never be served from a stale cache.
  id TEXT PRIMARY KEY,
  kind TEXT NOT NULL CHECK (kind IN ('calls', 'messages', 'services')),
  -- 1, 2, 3 ... per kind; shown as "calls-3" on every movement priced by this deck.
  version INTEGER NOT NULL,
  rows INTEGER NOT NULL,
  chunks INTEGER NOT NULL,
  -- SHA-256 of the rows as stored: uploading the same deck again makes no new version.
  sha256 TEXT NOT NULL,
  created_at_ms INTEGER NOT NULL,
  UNIQUE (kind, version)
);

-- The parsed rows as JSON arrays, at most RATE_DECK_CHUNK_ROWS per chunk, so that no value
-- comes near D1's 2 MB row limit whatever the deck size.
CREATE TABLE rate_deck_chunks (
  deck_id TEXT NOT NULL,
  chunk INTEGER NOT NULL,
  data TEXT NOT NULL,
  PRIMARY KEY (deck_id, chunk)
);

CREATE TABLE rate_decks_active (
  kind TEXT PRIMARY KEY CHECK (kind IN ('calls', 'messages', 'services')),
  deck_id TEXT NOT NULL REFERENCES rate_decks (id),
  version INTEGER NOT NULL,
  activated_at_ms INTEGER NOT NULL
);
