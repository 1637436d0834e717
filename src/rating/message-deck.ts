import { parseMoney, type Micros } from "../money";
import { isRatingCountry } from "./classify";
import { deckDataRows, DeckErrors, type DeckParseResult } from "./csv";

export const MESSAGE_CHANNELS = ["sms", "mms", "whatsapp"] as const;
export type MessageChannel = (typeof MESSAGE_CHANNELS)[number];

/** 250 countries × 3 channels with room to spare; more is a wrong file. */
export const MESSAGE_DECK_ROWS_MAX = 2_000;

/**
 * The country of a fallback row. A `*` row prices a channel for every country the deck
 * does not list, so an operator can sell "SMS anywhere 0.09" without 250 rows. It never
 * prices a number whose country is unknown (short codes, invalid numbers): premium SMS
 * short codes can cost far more than any default.
 */
export const ANY_COUNTRY = "*";

export interface MessagePrice {
  /** The row that priced it: an ISO alpha-2 code or ANY_COUNTRY. */
  country: string;
  channel: MessageChannel;
  pricePerFragmentMicros: Micros;
}

/** [country, channel, pricePerFragmentMicros] */
export type MessagePriceRow = [string, MessageChannel, Micros];

export interface MessageDeckData {
  format: 1;
  rows: MessagePriceRow[];
}

export class MessageDeck {
  readonly #byKey: Map<string, MessagePrice>;

  private constructor(prices: Iterable<MessagePrice>) {
    this.#byKey = new Map();
    for (const price of prices) {
      const key = keyOf(price.country, price.channel);
      if (this.#byKey.has(key)) throw new Error(`duplicate message price in a parsed deck: ${key}`);
      this.#byKey.set(key, price);
    }
  }

  static fromData(data: MessageDeckData): MessageDeck {
    if (data.format !== 1) throw new Error(`unknown message deck format: ${String(data.format)}`);
    return new MessageDeck(
      data.rows.map(([country, channel, pricePerFragmentMicros]) => ({
        country,
        channel,
        pricePerFragmentMicros,
      })),
    );
  }

  static fromPrices(prices: Iterable<MessagePrice>): MessageDeck {
    return new MessageDeck(prices);
  }

  get size(): number {
    return this.#byKey.size;
  }

  /** The country's own price, else the channel's `*` price; none when the country is unknown. */
  lookup(country: string | undefined, channel: MessageChannel): MessagePrice | undefined {
    if (country === undefined) return undefined;
    return this.#byKey.get(keyOf(country, channel)) ?? this.#byKey.get(keyOf(ANY_COUNTRY, channel));
  }

  toData(): MessageDeckData {
    return {
      format: 1,
      rows: [...this.#byKey.values()].map((p) => [p.country, p.channel, p.pricePerFragmentMicros]),
    };
  }
}

function keyOf(country: string, channel: MessageChannel): string {
  return `${country}:${channel}`;
}

function isChannel(text: string): text is MessageChannel {
  return (MESSAGE_CHANNELS as readonly string[]).includes(text);
}

/** Parses `country,channel,price_per_fragment` (header allowed), reporting every bad row. */
export function parseMessageDeck(text: string): DeckParseResult<MessageDeck> {
  const errors = new DeckErrors();
  const prices: MessagePrice[] = [];
  const lineOfKey = new Map<string, number>();
  const rows = deckDataRows(text, errors, {
    rowsMax: MESSAGE_DECK_ROWS_MAX,
    what: "prices",
    headerField: "country",
  });
  if (!rows) return errors.failure();
  for (const { line, fields } of rows) {
    if (fields.length !== 3) {
      errors.add(
        line,
        "line",
        `expected 3 fields (country,channel,price_per_fragment), got ${fields.length}`,
      );
      continue;
    }
    const [countryText, channelText, priceText] = fields as [string, string, string];
    let valid = true;
    // Upper-cased because spreadsheets and people write "de"; the stored code is canonical.
    const country = countryText === ANY_COUNTRY ? ANY_COUNTRY : countryText.toUpperCase();
    if (country !== ANY_COUNTRY && !isRatingCountry(country)) {
      errors.add(
        line,
        "country",
        `must be an ISO 3166 alpha-2 code or "${ANY_COUNTRY}", got "${countryText}"`,
      );
      valid = false;
    }
    const channel = channelText.toLowerCase();
    if (!isChannel(channel)) {
      errors.add(
        line,
        "channel",
        `must be one of ${MESSAGE_CHANNELS.join(", ")}, got "${channelText}"`,
      );
      valid = false;
    }
    const price = parseMoney(priceText);
    if (!price.ok || price.micros < 0) {
      const why =
        !price.ok && price.error === "too_many_decimals"
          ? "at most 6 decimals"
          : "a non-negative decimal";
      errors.add(line, "price_per_fragment", `must be ${why}, got "${priceText}"`);
      valid = false;
    }
    if (!valid || !price.ok || !isChannel(channel)) continue;
    const key = keyOf(country, channel);
    const firstLine = lineOfKey.get(key);
    if (firstLine !== undefined) {
      errors.add(
        line,
        "country",
        `duplicate price for ${country} ${channel}, first on line ${firstLine}`,
      );
      continue;
    }
    lineOfKey.set(key, line);
    prices.push({ country, channel, pricePerFragmentMicros: price.micros });
  }
  if (prices.length + errors.count === 0) errors.add(1, "file", "the deck has no prices");
  if (errors.count > 0) return errors.failure();
  return { ok: true, deck: MessageDeck.fromPrices(prices) };
}
