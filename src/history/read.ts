import { movementPagesFromD1, type MovementPagesQuery } from "../exports/d1-pages";
import { EXPORT_PAGE_ROWS } from "../exports/limits";
import type { ExportMovement } from "../exports/types";
import type { Movement } from "../ledger/types";
import { archivedMonthsOf, d1HistoryStartMs, type ArchivedMonth } from "./archive";
import { readArchiveObject } from "./archive-object";
import {
  exportMovementFromRow,
  MOVEMENT_COLUMNS,
  movementFromRow,
  type MovementRow,
} from "./movement-row";
import { historyDatabaseOf } from "./shards";

/** Where one account's history is: its shard, and the months of it in R2. */
export interface AccountHistory {
  accountId: string;
  db: D1Database;
  archived: ArchivedMonth[];
  /** D1 serves movements at or after this instant, R2 the ones before. */
  d1StartMs: number;
}

export async function accountHistory(env: Env, accountId: string): Promise<AccountHistory> {
  const db = await historyDatabaseOf(env, accountId);
  const archived = await archivedMonthsOf(db, accountId);
  return { accountId, db, archived, d1StartMs: d1HistoryStartMs(archived) };
}

/**
 * The export's pages over the whole history: the archived months the period touches,
 * read back from R2, then D1 from where its part starts, all in (at_ms, id) order as
 * the CSV writer requires. Memory is one page plus one decompressed chunk.
 */
export async function* historyPages(
  env: Env,
  history: AccountHistory,
  query: Omit<MovementPagesQuery, "accountId">,
): AsyncGenerator<ExportMovement[], void, undefined> {
  const pageRows = query.pageRows ?? EXPORT_PAGE_ROWS;
  for (const month of history.archived) {
    if (month.endMs <= query.fromMs || month.startMs > query.toMs) continue;
    let page: ExportMovement[] = [];
    for await (const rows of readArchiveObject(env.EXPORTS, month.objectKey)) {
      for (const row of rows) {
        if (row.at_ms < query.fromMs || row.at_ms > query.toMs) continue;
        if (query.throughSeq !== undefined && row.seq > query.throughSeq) continue;
        page.push(exportMovementFromRow(row));
        if (page.length === pageRows) {
          yield page;
          page = [];
        }
      }
    }
    if (page.length > 0) yield page;
  }
  yield* movementPagesFromD1(history.db, {
    ...query,
    accountId: history.accountId,
    fromMs: Math.max(query.fromMs, history.d1StartMs),
  });
}

/** A page of the listing's history part: which movements, after a seq, up to a seq, in a window. */
export interface PrunedPageQuery {
  afterSeq: number;
  throughSeq: number;
  /** [fromMs, toMs), as the listing's window is. */
  fromMs: number;
  toMs: number;
  limit: number;
}

/**
 * Up to `limit` movements after `afterSeq` and at most `throughSeq` (what the ledger
 * pruned), smallest seq first, from the account's shard and its archived months merged.
 */
export async function prunedMovementsPage(
  env: Env,
  history: AccountHistory,
  query: PrunedPageQuery,
): Promise<Movement[]> {
  const [inD1, archived] = await Promise.all([
    prunedMovementsFromD1(history, { ...query, fromMs: Math.max(query.fromMs, history.d1StartMs) }),
    archivedMovementsAfter(env, history, query),
  ]);
  return [...archived, ...inD1].sort((a, b) => a.seq - b.seq).slice(0, query.limit);
}

// By (account_id, seq): the table's key (migration 0011).
const PRUNED_PAGE_SQL = `SELECT ${MOVEMENT_COLUMNS.join(", ")}
FROM movements
WHERE account_id = ?1 AND seq > ?2 AND seq <= ?3 AND at_ms >= ?4 AND at_ms < ?5
ORDER BY seq
LIMIT ?6`;

async function prunedMovementsFromD1(
  history: AccountHistory,
  query: PrunedPageQuery,
): Promise<Movement[]> {
  const { results } = await history.db
    .prepare(PRUNED_PAGE_SQL)
    .bind(
      history.accountId,
      query.afterSeq,
      query.throughSeq,
      query.fromMs,
      query.toMs,
      query.limit,
    )
    .all<MovementRow>();
  return results.map(movementFromRow);
}

/**
 * Up to `limit` archived movements after `afterSeq` (and at most `throughSeq`) within
 * [fromMs, toMs), smallest seq first. Months are visited in order of their first seq and
 * the visit stops once a month can only hold larger seqs than the ones already kept, so
 * a listing page reads the months it needs, not the whole archive; inside a month the
 * rows are in time order, so that month is read whole (memory: `limit` movements kept
 * plus one decompressed chunk).
 */
async function archivedMovementsAfter(
  env: Env,
  history: AccountHistory,
  query: PrunedPageQuery,
): Promise<Movement[]> {
  const months = history.archived
    .filter(
      (m) =>
        (m.lastSeq ?? 0) > query.afterSeq &&
        (m.firstSeq ?? 0) <= query.throughSeq &&
        m.endMs > query.fromMs &&
        m.startMs < query.toMs,
    )
    .sort((a, b) => (a.firstSeq ?? 0) - (b.firstSeq ?? 0));
  let kept: Movement[] = [];
  for (const month of months) {
    const bound = kept.length >= query.limit ? (kept[query.limit - 1] as Movement).seq : null;
    if (bound !== null && (month.firstSeq ?? 0) > bound) break;
    for await (const rows of readArchiveObject(env.EXPORTS, month.objectKey)) {
      for (const row of rows) {
        if (row.seq <= query.afterSeq || row.seq > query.throughSeq) continue;
        if (row.at_ms < query.fromMs || row.at_ms >= query.toMs) continue;
        kept.push(movementFromRow(row));
      }
      if (kept.length > query.limit) kept = smallestSeqs(kept, query.limit);
    }
    kept = smallestSeqs(kept, query.limit);
  }
  return kept;
}

function smallestSeqs(movements: Movement[], limit: number): Movement[] {
  return movements.sort((a, b) => a.seq - b.seq).slice(0, limit);
}
