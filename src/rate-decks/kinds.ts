import { CallDeck, type CallRateRow } from "../rating/call-deck";
import { MessageDeck, type MessagePriceRow } from "../rating/message-deck";
import { REQUIRED_SERVICES, type PricedService, type ServiceRates } from "../rating/service-rates";

export const DECK_KINDS = ["calls", "messages", "services"] as const;
export type DeckKind = (typeof DECK_KINDS)[number];

/**
 * Which deck of a kind is meant: its id keys every cache (never reused), its version is
 * what movements and answers show ("calls-3").
 */
export interface DeckRef {
  deckId: string;
  version: string;
}

/** The decks in force as a Worker last saw them; null where none was ever uploaded. */
export type DeckRefs = Record<DeckKind, DeckRef | null>;

export const NO_DECKS: DeckRefs = { calls: null, messages: null, services: null };

export const versionLabel = (kind: DeckKind, version: number): string => `${kind}-${version}`;

export interface DeckOf {
  calls: CallDeck;
  messages: MessageDeck;
  services: ServiceRates;
}

interface RowsOf {
  calls: CallRateRow;
  messages: MessagePriceRow;
  services: [PricedService, number];
}

/**
 * Every deck is stored as a list of plain rows (the decks' own toData form), so storage
 * can chunk any deck the same way and a cache can rebuild it without parsing text again.
 */
export const deckCodecs: {
  [K in DeckKind]: { toRows(deck: DeckOf[K]): RowsOf[K][]; fromRows(rows: RowsOf[K][]): DeckOf[K] };
} = {
  calls: {
    toRows: (deck) => deck.toData().rows,
    fromRows: (rows) => CallDeck.fromData({ format: 1, rows }),
  },
  messages: {
    toRows: (deck) => deck.toData().rows,
    fromRows: (rows) => MessageDeck.fromData({ format: 1, rows }),
  },
  services: {
    toRows: (rates) =>
      Object.entries(rates).filter((row): row is [PricedService, number] => row[1] !== undefined),
    fromRows: (rows) => {
      const rates = Object.fromEntries(rows) as Partial<ServiceRates>;
      for (const service of REQUIRED_SERVICES) {
        if (rates[service] === undefined) throw new Error(`stored service rates lack ${service}`);
      }
      return rates as ServiceRates;
    },
  },
};
