import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { loadDeck } from "../../src/rate-decks/cache";
import {
  RATE_DECK_CHUNK_ROWS,
  readActiveDecks,
  readDeckRows,
  saveDeck,
} from "../../src/rate-decks/d1-store";
import { deckCodecs } from "../../src/rate-decks/kinds";
import type { CallRateRow } from "../../src/rating/call-deck";

const rows = (n: number, price = 10_000): CallRateRow[] =>
  Array.from({ length: n }, (_, i) => [
    `77${String(i).padStart(6, "0")}`,
    `Range ${i}`,
    price + i,
    60,
    60,
  ]);

describe("rate decks in D1", () => {
  it("stores a deck in chunks and reads every row back in order; the same rows make no new version", async () => {
    const deck = rows(RATE_DECK_CHUNK_ROWS * 2 + 17);
    const saved = await saveDeck(env.DB, "calls", deck, Date.now());
    expect(saved).toMatchObject({
      created: true,
      rows: deck.length,
      previous: null,
      ref: { version: "calls-1" },
    });
    expect(await readDeckRows(env.DB, saved.ref.deckId)).toEqual(deck);
    expect(
      (
        await env.DB.prepare("SELECT count(*) AS n FROM rate_deck_chunks WHERE deck_id = ?")
          .bind(saved.ref.deckId)
          .first<{ n: number }>()
      )?.n,
    ).toBe(3);
    expect(await saveDeck(env.DB, "calls", deck, Date.now())).toMatchObject({
      created: false,
      ref: saved.ref,
    });

    const next = await saveDeck(env.DB, "calls", rows(3, 20_000), Date.now());
    expect(next).toMatchObject({ created: true, previous: saved.ref, ref: { version: "calls-2" } });
    expect((await readActiveDecks(env.DB)).calls).toEqual(next.ref);
    // The replaced deck stays readable: movements name it, and running legs were rated by it.
    expect(await readDeckRows(env.DB, saved.ref.deckId)).toHaveLength(deck.length);
  });

  it("a ledger's cache loads a deck by id from D1 and rebuilds the lookup; an unknown id is null", async () => {
    const saved = await saveDeck(env.DB, "calls", rows(RATE_DECK_CHUNK_ROWS + 1), Date.now());
    const deck = await loadDeck(env.DB, "calls", saved.ref);
    expect(deck?.size).toBe(RATE_DECK_CHUNK_ROWS + 1);
    expect(deck?.lookup(`77${String(RATE_DECK_CHUNK_ROWS).padStart(6, "0")}99`)).toMatchObject({
      destination: `Range ${RATE_DECK_CHUNK_ROWS}`,
    });
    expect(
      await loadDeck(env.DB, "calls", { deckId: "deck_missing", version: "calls-99" }),
    ).toBeNull();

    const services = await saveDeck(
      env.DB,
      "services",
      deckCodecs.services.toRows({
        stt: 1,
        "ai-voice-agents": 2,
        "conversation-intelligence": 3,
        "toll-free-inbound": 4,
      }),
      Date.now(),
    );
    expect(await loadDeck(env.DB, "services", services.ref)).toEqual({
      stt: 1,
      "ai-voice-agents": 2,
      "conversation-intelligence": 3,
      "toll-free-inbound": 4,
    });
  });
});
