import { movementFromRow, type MovementRow } from "../exports/d1-pages";
import type { JsonObject, Movement, MovementsQuery } from "../ledger/types";
import { ledgerOf, unwrap } from "./ledger-client";

/**
 * A page of the account's movements in commit order. The ledger answers first, so a
 * movement is listed as soon as it is committed; the movements it has pruned after D1
 * copied them (all up to one seq) come from D1. Those never change once pruned, so
 * reading the two apart cannot miss or repeat one.
 */
export async function movementsPage(
  env: Env,
  accountId: string,
  query: MovementsQuery,
): Promise<{ movements: Movement[]; nextAfterSeq: number | null }> {
  const kept = unwrap(await ledgerOf(env, accountId).movements(query));
  if (query.afterSeq >= kept.prunedThroughSeq)
    return { movements: kept.movements, nextAfterSeq: kept.nextAfterSeq };
  const older = await prunedMovementsFromD1(env.DB, accountId, {
    ...query,
    throughSeq: kept.prunedThroughSeq,
    limit: query.limit + 1,
  });
  const movements = [...older, ...kept.movements];
  const page = movements.slice(0, query.limit);
  const more = movements.length > query.limit || kept.nextAfterSeq !== null;
  return { movements: page, nextAfterSeq: more ? (page.at(-1)?.seq ?? null) : null };
}

// By (account_id, seq): the unique index the outbox's copies keep.
const PRUNED_PAGE_SQL = `SELECT id, seq, at_ms, description, interaction_id, units, units_charged, unit_price_micros,
  amount_micros, balance_after_micros, user_id, reason, details
FROM movements
WHERE account_id = ?1 AND seq > ?2 AND seq <= ?3 AND at_ms >= ?4 AND at_ms < ?5
ORDER BY seq
LIMIT ?6`;

async function prunedMovementsFromD1(
  db: D1Database,
  accountId: string,
  query: MovementsQuery & { throughSeq: number },
): Promise<Movement[]> {
  const { results } = await db
    .prepare(PRUNED_PAGE_SQL)
    .bind(
      accountId,
      query.afterSeq,
      query.throughSeq,
      query.fromMs ?? Number.MIN_SAFE_INTEGER,
      query.toMs ?? Number.MAX_SAFE_INTEGER,
      query.limit,
    )
    .all<MovementRow & { seq: number; details: string | null }>();
  return results.map((row) => ({
    ...movementFromRow(row),
    seq: row.seq,
    details: row.details === null ? null : (JSON.parse(row.details) as JsonObject),
  }));
}
