import { accountHistory, prunedMovementsPage } from "../history/read";
import type { Movement, MovementsQuery } from "../ledger/types";
import { ledgerOf } from "../ledger-client/ledger-of";
import { unwrap } from "../ledger-client/refusals";

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
  const older = await prunedMovementsPage(env, await accountHistory(env, accountId), {
    afterSeq: query.afterSeq,
    throughSeq: kept.prunedThroughSeq,
    fromMs: query.fromMs ?? Number.MIN_SAFE_INTEGER,
    toMs: query.toMs ?? Number.MAX_SAFE_INTEGER,
    limit: query.limit + 1,
  });
  const movements = [...older, ...kept.movements];
  const page = movements.slice(0, query.limit);
  const more = movements.length > query.limit || kept.nextAfterSeq !== null;
  return { movements: page, nextAfterSeq: more ? (page.at(-1)?.seq ?? null) : null };
}
