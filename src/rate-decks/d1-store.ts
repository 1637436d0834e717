import { sha256Hex } from "../http/crypto";
import { randomId } from "../ledger/ids";
import { DECK_KINDS, versionLabel, type DeckKind, type DeckRef, type DeckRefs } from "./kinds";

/** Rows per stored chunk: about 300 KB of JSON for a call deck, far below D1's 2 MB per value. */
export const RATE_DECK_CHUNK_ROWS = 5_000;
/** Chunks per D1 batch while an upload writes its rows: a few MB per request. */
const CHUNKS_PER_BATCH = 8;

export interface SavedDeck {
  ref: DeckRef;
  rows: number;
  /** The deck in force before; null for the first deck of its kind. */
  previous: DeckRef | null;
  /** False when the upload equals the deck in force: no new version was made. */
  created: boolean;
}

interface ActiveRow {
  kind: DeckKind;
  deck_id: string;
  version: number;
  sha256: string;
}

/**
 * Stores a validated deck and makes it the one in force. Rows go under a fresh deck id
 * first; the final batch records the version and moves the pointer, and a batch is one
 * transaction, so readers see the old deck or the new one, never part of either.
 */
export async function saveDeck(
  db: D1Database,
  kind: DeckKind,
  rows: readonly unknown[],
  nowMs: number,
): Promise<SavedDeck> {
  const chunks: string[] = [];
  for (let start = 0; start < rows.length; start += RATE_DECK_CHUNK_ROWS) {
    chunks.push(JSON.stringify(rows.slice(start, start + RATE_DECK_CHUNK_ROWS)));
  }
  const sha256 = await sha256Hex(chunks.join("\n"));
  const active = await activeRow(db, kind);
  const previous = active ? refOf(active) : null;
  if (active?.sha256 === sha256)
    return { ref: refOf(active), rows: rows.length, previous, created: false };

  const deckId = randomId("deck");
  const insertChunk = db.prepare(
    "INSERT INTO rate_deck_chunks (deck_id, chunk, data) VALUES (?, ?, ?)",
  );
  for (let start = 0; start < chunks.length; start += CHUNKS_PER_BATCH) {
    await db.batch(
      chunks
        .slice(start, start + CHUNKS_PER_BATCH)
        .map((data, i) => insertChunk.bind(deckId, start + i, data)),
    );
  }
  const [, , version] = await db.batch([
    db
      .prepare(
        `INSERT INTO rate_decks (id, kind, version, rows, chunks, sha256, created_at_ms)
         SELECT ?, ?, coalesce(max(version), 0) + 1, ?, ?, ?, ? FROM rate_decks WHERE kind = ?`,
      )
      .bind(deckId, kind, rows.length, chunks.length, sha256, nowMs, kind),
    db
      .prepare(
        `INSERT INTO rate_decks_active (kind, deck_id, version, activated_at_ms)
         SELECT kind, id, version, ? FROM rate_decks WHERE id = ?
         ON CONFLICT (kind) DO UPDATE SET deck_id = excluded.deck_id, version = excluded.version, activated_at_ms = excluded.activated_at_ms`,
      )
      .bind(nowMs, deckId),
    db.prepare("SELECT version FROM rate_decks WHERE id = ?").bind(deckId),
  ]);
  const number = (version?.results[0] as { version: number } | undefined)?.version;
  if (number === undefined) throw new Error(`deck ${deckId} was not recorded`);
  return {
    ref: { deckId, version: versionLabel(kind, number) },
    rows: rows.length,
    previous,
    created: true,
  };
}

/**
 * Superseded decks kept per kind beside the one in force. Movements carry the version and
 * the rate they were priced at, so no answer needs an old deck; the few kept cover an
 * isolate that still names one of them for the seconds before it re-reads the decks.
 */
export const SUPERSEDED_DECKS_KEPT = 3;

/** Deletes the decks older than the kept ones, with their rows; returns how many went. */
export async function pruneSupersededDecks(db: D1Database): Promise<number> {
  const old = `SELECT d.id FROM rate_decks d JOIN rate_decks_active a ON a.kind = d.kind WHERE d.version < a.version - ?`;
  const [, decks] = await db.batch([
    db
      .prepare(`DELETE FROM rate_deck_chunks WHERE deck_id IN (${old})`)
      .bind(SUPERSEDED_DECKS_KEPT),
    db.prepare(`DELETE FROM rate_decks WHERE id IN (${old})`).bind(SUPERSEDED_DECKS_KEPT),
  ]);
  return decks?.meta.changes ?? 0;
}

/** The decks in force, one small query: what an isolate re-reads every few seconds. */
export async function readActiveDecks(db: D1Database): Promise<DeckRefs> {
  const { results } = await db
    .prepare("SELECT kind, deck_id, version FROM rate_decks_active")
    .all<Omit<ActiveRow, "sha256">>();
  const refs: DeckRefs = { calls: null, messages: null, services: null };
  for (const row of results) {
    if ((DECK_KINDS as readonly string[]).includes(row.kind)) refs[row.kind] = refOf(row);
  }
  return refs;
}

/** What an operator sees of the decks in force. */
export async function describeActiveDecks(
  db: D1Database,
): Promise<Array<{ kind: DeckKind; version: string; rows: number; activatedAtMs: number }>> {
  const { results } = await db
    .prepare(
      `SELECT a.kind, a.version, d.rows, a.activated_at_ms FROM rate_decks_active a JOIN rate_decks d ON d.id = a.deck_id ORDER BY a.kind`,
    )
    .all<{ kind: DeckKind; version: number; rows: number; activated_at_ms: number }>();
  return results.map((r) => ({
    kind: r.kind,
    version: versionLabel(r.kind, r.version),
    rows: r.rows,
    activatedAtMs: r.activated_at_ms,
  }));
}

/** The stored rows of a deck; null when there is no such deck (or it was never completed). */
export async function readDeckRows(db: D1Database, deckId: string): Promise<unknown[] | null> {
  const deck = await db
    .prepare("SELECT chunks FROM rate_decks WHERE id = ?")
    .bind(deckId)
    .first<{ chunks: number }>();
  if (!deck) return null;
  const rows: unknown[] = [];
  for (let chunk = 0; chunk < deck.chunks; chunk += CHUNKS_PER_BATCH) {
    const { results } = await db
      .prepare(
        "SELECT chunk, data FROM rate_deck_chunks WHERE deck_id = ? AND chunk >= ? ORDER BY chunk LIMIT ?",
      )
      .bind(deckId, chunk, CHUNKS_PER_BATCH)
      .all<{ chunk: number; data: string }>();
    results.forEach((row, i) => {
      if (row.chunk !== chunk + i) throw new Error(`deck ${deckId} is missing chunk ${chunk + i}`);
      for (const r of JSON.parse(row.data) as unknown[]) rows.push(r);
    });
  }
  return rows;
}

async function activeRow(db: D1Database, kind: DeckKind): Promise<ActiveRow | null> {
  return db
    .prepare(
      `SELECT a.kind, a.deck_id, a.version, d.sha256 FROM rate_decks_active a JOIN rate_decks d ON d.id = a.deck_id WHERE a.kind = ?`,
    )
    .bind(kind)
    .first<ActiveRow>();
}

function refOf(row: { kind: DeckKind; deck_id: string; version: number }): DeckRef {
  return { deckId: row.deck_id, version: versionLabel(row.kind, row.version) };
}
