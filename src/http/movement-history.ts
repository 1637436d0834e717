import { accountHistory, archivedMovementsAfter } from "../history/read";
import { MOVEMENT_COLUMNS, movementFromRow, type MovementRow } from "../history/movement-row";
import type { Movement, MovementsQuery } from "../ledger/types";
import { ledgerOf, unwrap } from "./ledger-client";

/**
 * A page of the account's movements in commit order. The ledger answers first, so a
 * movement is listed as soon as it is committed; the movements it has pruned after D1
 * copied them (all up to one seq) come from the account's history shard, and those of
 * months archived to R2 from there. Pruned movements never change, so reading the
 * sources apart and merging them by seq cannot miss or repeat one.
 */
export async function movementsPage(
  env: Env,
  accountId: string,
  query: MovementsQuery,
): Promise<{ movements: Movement[]; nextAfterSeq: number | null }> {
  const kept = unwrap(await ledgerOf(env, accountId).movements(query));
  if (query.afterSeq >= kept.prunedThroughSeq)
    return { movements: kept.movements, nextAfterSeq: kept.nextAfterSeq };
  const history = await accountHistory(env, accountId);
  const window = {
    afterSeq: query.afterSeq,
    throughSeq: kept.prunedThroughSeq,
    fromMs: query.fromMs ?? Number.MIN_SAFE_INTEGER,
    toMs: query.toMs ?? Number.MAX_SAFE_INTEGER,
    limit: query.limit + 1,
  };
  const [inD1, archived] = await Promise.all([
    prunedMovementsFromD1(history.db, accountId, {
      ...window,
      fromMs: Math.max(window.fromMs, history.d1StartMs),
    }),
    archivedMovementsAfter(env, history, window),
  ]);
  const older = [...archived, ...inD1].sort((a, b) => a.seq - b.seq).slice(0, window.limit);
  const movements = [...older, ...kept.movements];
  const page = movements.slice(0, query.limit);
  const more = movements.length > query.limit || kept.nextAfterSeq !== null;
  return { movements: page, nextAfterSeq: more ? (page.at(-1)?.seq ?? null) : null };
}

// By (account_id, seq): the unique index the outbox's copies keep.
const PRUNED_PAGE_SQL = `SELECT ${MOVEMENT_COLUMNS.join(", ")}
FROM movements
WHERE account_id = ?1 AND seq > ?2 AND seq <= ?3 AND at_ms >= ?4 AND at_ms < ?5
ORDER BY seq
LIMIT ?6`;

async function prunedMovementsFromD1(
  db: D1Database,
  accountId: string,
  query: { afterSeq: number; throughSeq: number; fromMs: number; toMs: number; limit: number },
): Promise<Movement[]> {
  const { results } = await db
    .prepare(PRUNED_PAGE_SQL)
    .bind(accountId, query.afterSeq, query.throughSeq, query.fromMs, query.toMs, query.limit)
    .all<MovementRow>();
  return results.map(movementFromRow);
}
