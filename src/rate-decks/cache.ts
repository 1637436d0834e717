import { readActiveDecks, readDeckRows } from "./d1-store";
import { deckCodecs, type DeckKind, type DeckOf, type DeckRef, type DeckRefs } from "./kinds";

/**
 * How long an isolate serves its view of the decks in force before it asks D1 again. A new
 * deck is in force everywhere within about this long (at once in the isolate that took the
 * upload); the authorization hot path reads D1 at most this often per isolate, and never
 * waits for it once the isolate has a view (a stale view is served while it refreshes).
 */
export const ACTIVE_DECKS_TTL_MS = 5_000;
/**
 * Parsed decks kept per isolate, by deck id: the three in force and the ones they just
 * replaced, which ledgers still ask for until every isolate has seen the new version.
 */
export const DECKS_CACHED_MAX = 6;

let active: { refs: DeckRefs; fetchedAtMs: number } | null = null;
let refreshing: Promise<DeckRefs> | null = null;

/** The decks in force as this isolate knows them; only the first call of an isolate waits for D1. */
export function activeDeckRefs(
  db: D1Database,
  waitUntil?: (promise: Promise<unknown>) => void,
): Promise<DeckRefs> | DeckRefs {
  const nowMs = Date.now();
  if (active && nowMs - active.fetchedAtMs < ACTIVE_DECKS_TTL_MS) return active.refs;
  if (!refreshing) {
    refreshing = readActiveDecks(db)
      .then((refs) => {
        active = { refs, fetchedAtMs: Date.now() };
        return refs;
      })
      .finally(() => {
        refreshing = null;
      });
    if (active) waitUntil?.(refreshing.catch(() => undefined));
  }
  return active ? active.refs : refreshing;
}

/** After an upload: this isolate uses the new deck at once instead of after its next refresh. */
export function rememberActiveDeck<K extends DeckKind>(
  kind: K,
  ref: DeckRef,
  deck: DeckOf[K],
): void {
  if (active) active = { refs: { ...active.refs, [kind]: ref }, fetchedAtMs: active.fetchedAtMs };
  remember(ref.deckId, Promise.resolve(deck));
}

/** A ledger could not find a deck this isolate named: its view is wrong, read it again. */
export function forgetActiveDecks(): void {
  active = null;
}

const decks = new Map<string, Promise<unknown>>();
const ready = new Map<string, unknown>();

/** The parsed deck if this isolate has it, without waiting: the usual case on the hot path. */
export function cachedDeck<K extends DeckKind>(_kind: K, ref: DeckRef): DeckOf[K] | undefined {
  return ready.get(ref.deckId) as DeckOf[K] | undefined;
}

/** The parsed deck, loaded from D1 once per isolate; null when D1 has no such deck. */
export function loadDeck<K extends DeckKind>(
  db: D1Database,
  kind: K,
  ref: DeckRef,
): Promise<DeckOf[K] | null> {
  let pending = decks.get(ref.deckId) as Promise<DeckOf[K] | null> | undefined;
  if (!pending) {
    pending = readDeckRows(db, ref.deckId).then((rows) =>
      rows === null ? null : deckCodecs[kind].fromRows(rows as never),
    );
    remember(ref.deckId, pending);
    // A failed or empty read is not kept: the next request tries again.
    pending.then(
      (deck) => deck === null && forget(ref.deckId),
      () => forget(ref.deckId),
    );
  }
  return pending;
}

function remember(deckId: string, deck: Promise<unknown>): void {
  decks.set(deckId, deck);
  void deck.then(
    (value) => {
      if (decks.get(deckId) === deck && value !== null) ready.set(deckId, value);
    },
    () => undefined,
  );
  while (decks.size > DECKS_CACHED_MAX) {
    const oldest = decks.keys().next().value as string;
    forget(oldest);
  }
}

function forget(deckId: string): void {
  decks.delete(deckId);
  ready.delete(deckId);
}
