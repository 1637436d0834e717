import type { Context } from "hono";
import { activeDeckRefs, forgetActiveDecks } from "../rate-decks/cache";
import type { DeckRefs } from "../rate-decks/kinds";
import type { LedgerRefusal } from "../ledger/types";
import { waitUntilOf, type AppEnv } from "./context";
import { unwrap } from "../ledger-client/refusals";

type LedgerAnswer = { ok: true; value: unknown } | { ok: false; refusal: LedgerRefusal };

/**
 * Asks the ledger something that needs rate decks, naming the decks in force as this
 * isolate knows them (no D1 round trip on the hot path). If the ledger cannot find a deck
 * so named, this isolate's view is wrong: it is read again from D1 and the ledger asked once more.
 */
export async function askWithDecks<F extends (decks: DeckRefs) => PromiseLike<LedgerAnswer>>(
  c: Context<AppEnv>,
  ask: F,
): Promise<Extract<Awaited<ReturnType<F>>, { ok: true }>["value"]> {
  let result: LedgerAnswer = await ask(await activeDeckRefs(c.env.DB, waitUntilOf(c)));
  if (!result.ok && result.refusal.reason === "rate_deck_unavailable") {
    forgetActiveDecks();
    result = await ask(await activeDeckRefs(c.env.DB));
  }
  return unwrap(result) as Extract<Awaited<ReturnType<F>>, { ok: true }>["value"];
}
