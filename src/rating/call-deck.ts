import { parseMoney, type Micros } from "../money";
import { deckDataRows, DeckErrors, parseIncrementSeconds, type DeckParseResult } from "./csv";

/** A deck beyond this is a wrong file, not a price list (real decks have ~50 000 prefixes). */
export const CALL_DECK_ROWS_MAX = 200_000;
/** E.164 numbers have at most 15 digits, so a longer prefix could never match. */
export const PREFIX_DIGITS_MAX = 15;
/** An hour-long block is the coarsest billing any carrier uses; more is a typo. */
export const INCREMENT_SECONDS_MAX = 3_600;
/** The seeds' "billed per started minute" when a row does not say otherwise. */
export const DEFAULT_INCREMENT_SECONDS = 60;
export const DESTINATION_CHARS_MAX = 100;

export interface CallRate {
  prefix: string;
  destination: string;
  ratePerMinuteMicros: Micros;
  initialSeconds: number;
  subsequentSeconds: number;
}

/** One rate as a tuple: [prefix, destination, ratePerMinuteMicros, initialSeconds, subsequentSeconds]. */
export type CallRateRow = [string, string, Micros, number, number];

/**
 * The plain-JSON form of a deck, for caching in storage and sending over RPC. Tuples rather
 * than objects keep a 50 000-prefix deck at a couple of megabytes.
 */
export interface CallDeckData {
  format: 1;
  rows: CallRateRow[];
}

/**
 * A parsed call deck with longest-prefix lookup. Rates live in one Map keyed by prefix;
 * a lookup probes only the prefix lengths the deck actually has, longest first, so it
 * costs at most 15 hash lookups whatever the deck size, and a rebuild is one linear pass.
 */
export class CallDeck {
  readonly #byPrefix: Map<string, CallRate>;
  readonly #lengthsDescending: number[];

  private constructor(rates: Iterable<CallRate>) {
    this.#byPrefix = new Map();
    const lengths = new Set<number>();
    for (const rate of rates) {
      if (this.#byPrefix.has(rate.prefix))
        throw new Error(`duplicate prefix in a parsed deck: ${rate.prefix}`);
      this.#byPrefix.set(rate.prefix, rate);
      lengths.add(rate.prefix.length);
    }
    this.#lengthsDescending = [...lengths].sort((a, b) => b - a);
  }

  /** Rebuilds the lookup from data produced by `toData` (trusted: it was validated on upload). */
  static fromData(data: CallDeckData): CallDeck {
    if (data.format !== 1) throw new Error(`unknown call deck format: ${String(data.format)}`);
    return new CallDeck(
      data.rows.map(
        ([prefix, destination, ratePerMinuteMicros, initialSeconds, subsequentSeconds]) => ({
          prefix,
          destination,
          ratePerMinuteMicros,
          initialSeconds,
          subsequentSeconds,
        }),
      ),
    );
  }

  static fromRates(rates: Iterable<CallRate>): CallDeck {
    return new CallDeck(rates);
  }

  get size(): number {
    return this.#byPrefix.size;
  }

  /** The rate of the longest prefix of `digits` (E.164 digits without "+"). */
  lookup(digits: string): CallRate | undefined {
    for (const length of this.#lengthsDescending) {
      if (length > digits.length) continue;
      const rate = this.#byPrefix.get(digits.slice(0, length));
      if (rate) return rate;
    }
    return undefined;
  }

  toData(): CallDeckData {
    const rows: CallRateRow[] = [];
    for (const r of this.#byPrefix.values()) {
      rows.push([
        r.prefix,
        r.destination,
        r.ratePerMinuteMicros,
        r.initialSeconds,
        r.subsequentSeconds,
      ]);
    }
    return { format: 1, rows };
  }
}

/**
 * Parses `prefix,destination,rate_per_minute[,initial_increment,subsequent_increment]`.
 * A header line is allowed. Every row is checked and every error reported with its line
 * and field, so an operator fixes a file in one round; nothing is returned unless all pass.
 */
export function parseCallDeck(text: string): DeckParseResult<CallDeck> {
  const errors = new DeckErrors();
  const rates: CallRate[] = [];
  const lineOfPrefix = new Map<string, number>();
  const rows = deckDataRows(text, errors, {
    rowsMax: CALL_DECK_ROWS_MAX,
    what: "rates",
    headerField: "prefix",
  });
  if (!rows) return errors.failure();
  for (const { line, fields } of rows) {
    if (fields.length !== 3 && fields.length !== 5) {
      errors.add(
        line,
        "line",
        `expected 3 or 5 fields (prefix,destination,rate_per_minute[,initial_increment,subsequent_increment]), got ${fields.length}`,
      );
      continue;
    }
    const [prefix, destination, rateText, initialText, subsequentText] = fields as [
      string,
      string,
      string,
      string?,
      string?,
    ];

    let valid = true;
    if (!/^\d+$/.test(prefix) || prefix.length > PREFIX_DIGITS_MAX) {
      errors.add(
        line,
        "prefix",
        `must be 1-${PREFIX_DIGITS_MAX} digits without "+", got "${prefix}"`,
      );
      valid = false;
    } else if (lineOfPrefix.has(prefix)) {
      errors.add(
        line,
        "prefix",
        `duplicate prefix ${prefix}, first on line ${lineOfPrefix.get(prefix)}`,
      );
      valid = false;
    } else {
      lineOfPrefix.set(prefix, line);
    }
    if (destination === "" || destination.length > DESTINATION_CHARS_MAX) {
      errors.add(line, "destination", `must be 1-${DESTINATION_CHARS_MAX} characters`);
      valid = false;
    }
    const rate = parseMoney(rateText);
    if (!rate.ok || rate.micros < 0) {
      const why =
        !rate.ok && rate.error === "too_many_decimals"
          ? "at most 6 decimals"
          : "a non-negative decimal";
      errors.add(line, "rate_per_minute", `must be ${why}, got "${rateText}"`);
      valid = false;
    }
    let initialSeconds = DEFAULT_INCREMENT_SECONDS;
    let subsequentSeconds = DEFAULT_INCREMENT_SECONDS;
    if (initialText !== undefined && subsequentText !== undefined) {
      const initial = parseIncrementSeconds(initialText, INCREMENT_SECONDS_MAX);
      const subsequent = parseIncrementSeconds(subsequentText, INCREMENT_SECONDS_MAX);
      if (initial === undefined) {
        errors.add(
          line,
          "initial_increment",
          `must be whole seconds 1-${INCREMENT_SECONDS_MAX}, got "${initialText}"`,
        );
        valid = false;
      }
      if (subsequent === undefined) {
        errors.add(
          line,
          "subsequent_increment",
          `must be whole seconds 1-${INCREMENT_SECONDS_MAX}, got "${subsequentText}"`,
        );
        valid = false;
      }
      initialSeconds = initial ?? 0;
      subsequentSeconds = subsequent ?? 0;
    }
    if (valid && rate.ok) {
      rates.push({
        prefix,
        destination,
        ratePerMinuteMicros: rate.micros,
        initialSeconds,
        subsequentSeconds,
      });
    }
  }
  if (rates.length + errors.count === 0) errors.add(1, "file", "the deck has no rates");
  if (rates.length > CALL_DECK_ROWS_MAX)
    errors.add(1, "file", `the deck has ${rates.length} rates, at most ${CALL_DECK_ROWS_MAX}`);
  if (errors.count > 0) return errors.failure();
  return { ok: true, deck: CallDeck.fromRates(rates) };
}
