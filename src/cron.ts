import { sweepExpiredExports } from "./exports/retention";
import { archiveHistoryTick, type ArchiveTickResult } from "./history/archive";
import { rebalanceTick, type RebalanceTickResult } from "./history/rebalance";
import { ledgerOf } from "./ledger-client/ledger-of";
import { pruneSupersededDecks } from "./rate-decks/d1-store";

/**
 * Accounts visited per cron tick. Each visit is one RPC (a subrequest); the tick keeps
 * well under the platform's per-invocation subrequest limit and resumes where it stopped.
 */
export const ACCOUNTS_PER_CRON_TICK = 500;
const PAGE = 100;

/**
 * The safety net behind the ledgers' own alarms: cron has no delivery guarantee and an
 * alarm is the first line, so everything here is safe to run twice or not at all.
 */
export async function runCron(
  env: Env,
  nowMs: number,
): Promise<{
  accountsSwept: number;
  exportFilesDeleted: number;
  rateDecksPruned: number;
  historyArchive: ArchiveTickResult;
  historyMoves: RebalanceTickResult;
}> {
  const [accountsSwept, exports, rateDecksPruned, historyArchive, historyMoves] = await Promise.all(
    [
      sweepAutoTopUps(env),
      sweepExpiredExports(env, nowMs),
      pruneSupersededDecks(env.DB),
      // Months past D1's window go to R2, a bounded amount per tick (src/history/archive.ts).
      archiveHistoryTick(env, nowMs),
      // Moves of accounts between shards the operator started (src/history/rebalance.ts).
      rebalanceTick(env, nowMs),
    ],
  );
  const result = {
    accountsSwept,
    exportFilesDeleted: exports.deletedFiles,
    rateDecksPruned,
    historyArchive,
    historyMoves,
  };
  console.log(JSON.stringify({ event: "cron", ...result }));
  return result;
}

/** Asks every account with auto top-up on to check its threshold; a ledger starts at most one payment. */
export async function sweepAutoTopUps(env: Env): Promise<number> {
  const cursorRow = await env.DB.prepare(
    "SELECT value FROM cron_state WHERE key = 'auto_top_up_cursor'",
  ).first<{ value: string }>();
  let cursor = cursorRow?.value ?? "";
  let visited = 0;
  while (visited < ACCOUNTS_PER_CRON_TICK) {
    const page = await env.DB.prepare(
      "SELECT id FROM accounts WHERE auto_top_up_enabled = 1 AND id > ? ORDER BY id LIMIT ?",
    )
      .bind(cursor, PAGE)
      .all<{ id: string }>();
    const ids = page.results.map((r) => r.id);
    await Promise.all(ids.map((id) => ledgerOf(env, id).sweep()));
    visited += ids.length;
    cursor = ids.length === PAGE ? (ids.at(-1) as string) : "";
    if (cursor === "") break;
  }
  await env.DB.prepare(
    "INSERT INTO cron_state (key, value) VALUES ('auto_top_up_cursor', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
  )
    .bind(cursor)
    .run();
  return visited;
}
