import { Hono, type Context } from "hono";
import { rememberActiveDeck } from "../../rate-decks/cache";
import { describeActiveDecks, readActiveDecks, saveDeck } from "../../rate-decks/d1-store";
import { deckCodecs, type DeckKind, type DeckOf } from "../../rate-decks/kinds";
import { parseCallDeck } from "../../rating/call-deck";
import type { DeckError } from "../../rating/csv";
import { parseMessageDeck } from "../../rating/message-deck";
import { serviceRatesSchema } from "../../rating/service-rates";
import { requireOperator } from "../auth";
import type { AppEnv } from "../context";
import { ApiError, badRequest } from "../errors";
import { jsonBody } from "../validate";

/** A 200 000-prefix deck is about 6 MB of CSV; the rates routes accept up to this much. */
export const RATE_DECK_BODY_MAX_BYTES = 8 * 1024 * 1024;

async function csvBody(c: Context<AppEnv>): Promise<string> {
  if (!/^text\/csv\b/i.test(c.req.header("Content-Type") ?? "")) {
    throw badRequest("unsupported_content_type", "Content-Type: send the deck as text/csv.", [
      { field: "Content-Type", issue: "must be text/csv" },
    ]);
  }
  return c.req.text();
}

/** Every row error with its line and field, and which deck is still in force. */
async function rejected(
  db: D1Database,
  kind: DeckKind,
  errors: DeckError[],
  errorCount: number,
): Promise<ApiError> {
  const inForce = (await readActiveDecks(db))[kind];
  const [first] = errors;
  const where = first
    ? `Line ${first.line}, ${first.field}: ${first.message}`
    : "The deck is not valid";
  const more = errorCount > 1 ? ` (and ${errorCount - 1} more)` : "";
  const still = inForce ? `${inForce.version} is still in force` : `no ${kind} deck is in force`;
  return new ApiError(
    400,
    "invalid_rate_deck",
    `${where}${more}. Nothing was replaced; ${still}.`,
    errors.map((e) => ({ line: e.line, field: e.field, issue: e.message })),
  );
}

async function install<K extends DeckKind>(c: Context<AppEnv>, kind: K, deck: DeckOf[K]) {
  const saved = await saveDeck(c.env.DB, kind, deckCodecs[kind].toRows(deck), Date.now());
  rememberActiveDeck(kind, saved.ref, deck);
  return c.json({
    kind,
    version: saved.ref.version,
    rows: saved.rows,
    replaced: saved.previous?.version ?? null,
    changed: saved.created,
  });
}

/**
 * Rate decks (operator). Each upload is validated whole before anything is stored; a valid
 * one becomes the next version of its kind in one step, an identical one changes nothing.
 */
export const rates = new Hono<AppEnv>()
  .use(async (c, next) => {
    requireOperator(c);
    await next();
  })

  .get("/", async (c) => {
    const decks = await describeActiveDecks(c.env.DB);
    return c.json({
      decks: decks.map((d) => ({
        kind: d.kind,
        version: d.version,
        rows: d.rows,
        activatedAt: new Date(d.activatedAtMs).toISOString(),
      })),
    });
  })

  /** `prefix,destination,rate_per_minute[,initial_increment,subsequent_increment]` */
  .put("/calls", async (c) => {
    const parsed = parseCallDeck(await csvBody(c));
    if (!parsed.ok) throw await rejected(c.env.DB, "calls", parsed.errors, parsed.errorCount);
    return install(c, "calls", parsed.deck);
  })

  /** `country,channel,price_per_fragment` */
  .put("/messages", async (c) => {
    const parsed = parseMessageDeck(await csvBody(c));
    if (!parsed.ok) throw await rejected(c.env.DB, "messages", parsed.errors, parsed.errorCount);
    return install(c, "messages", parsed.deck);
  })

  /** Per-minute prices of stt, ai-voice-agents, conversation-intelligence and toll-free-inbound. */
  .put("/services", async (c) => install(c, "services", await jsonBody(c, serviceRatesSchema)));
