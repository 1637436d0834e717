import { cachedDeck, loadDeck } from "../rate-decks/cache";
import type { DeckKind, DeckOf, DeckRef, DeckRefs } from "../rate-decks/kinds";
import type { RatingTables } from "../rating/call-terms";
import type { MessageDeck } from "../rating/message-deck";
import type { ServiceRates } from "../rating/service-rates";
import { ok, refuse, type LedgerResult } from "./types";

/** Shown as the deck version on a decision made without any deck of that kind. */
export const NO_DECK_VERSION = "none";

/**
 * The decks a decision needs, as the Worker named them. They are parsed once per isolate
 * and kept by deck id, so a ledger reads D1 only the first time it meets a new deck; the
 * hot path finds them in memory. Loading happens before the transaction, never inside it.
 */
export class RateTables {
  constructor(private readonly db: D1Database) {}

  async forCalls(refs: DeckRefs): Promise<LedgerResult<RatingTables>> {
    const [calls, services] = await Promise.all([
      this.#deck("calls", refs.calls),
      this.#deck("services", refs.services),
    ]);
    if (!calls.ok) return calls;
    if (!services.ok) return services;
    return ok({
      callDeck: calls.value,
      callDeckVersion: refs.calls?.version ?? NO_DECK_VERSION,
      serviceRates: services.value,
      serviceRatesVersion: refs.services?.version ?? NO_DECK_VERSION,
    });
  }

  async forMessages(
    refs: DeckRefs,
  ): Promise<LedgerResult<{ messageDeck: MessageDeck | null; messageDeckVersion: string }>> {
    const messages = await this.#deck("messages", refs.messages);
    if (!messages.ok) return messages;
    return ok({
      messageDeck: messages.value,
      messageDeckVersion: refs.messages?.version ?? NO_DECK_VERSION,
    });
  }

  async forUsage(
    refs: DeckRefs,
  ): Promise<LedgerResult<{ serviceRates: ServiceRates | null; serviceRatesVersion: string }>> {
    const services = await this.#deck("services", refs.services);
    if (!services.ok) return services;
    return ok({
      serviceRates: services.value,
      serviceRatesVersion: refs.services?.version ?? NO_DECK_VERSION,
    });
  }

  async #deck<K extends DeckKind>(
    kind: K,
    ref: DeckRef | null,
  ): Promise<LedgerResult<DeckOf[K] | null>> {
    if (!ref) return ok(null);
    const deck = cachedDeck(kind, ref) ?? (await loadDeck(this.db, kind, ref));
    // The Worker named a deck D1 does not have: its view is stale; it re-reads and asks again.
    return deck ? ok(deck) : refuse({ reason: "rate_deck_unavailable", version: ref.version });
  }
}
