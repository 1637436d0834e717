import type { LedgerCore } from "./core";
import type { UsageCounters } from "./usage-counters";

const DAY_MS = 86_400_000;
/**
 * How long a movement stays in the ledger once D1 has its copy. The ledger reads its own
 * movements for the 30-day spend behind the recommended threshold and for the first pages
 * of the listing; everything older is D1's, which keeps the whole history. Without this a
 * busy account's object would grow by every call it ever made.
 */
export const MOVEMENTS_KEPT_IN_LEDGER_MS = 90 * DAY_MS;
export const MOVEMENT_PRUNE_EVERY_MS = DAY_MS;
/** Bounds one alarm's work; a full run is followed by the next one at once. */
export const MOVEMENTS_PRUNED_PER_RUN = 5_000;

/**
 * Removes old movements from the ledger, oldest first and only those D1 already has (at or
 * before the outbox mark), so what is pruned is always a prefix of the seq order: the
 * listing reads D1 up to it and the ledger after it.
 */
export class MovementRetention {
  constructor(
    private readonly core: LedgerCore,
    private readonly counters: UsageCounters,
  ) {}

  /** The alarm's part: prunes when due; returns when it is next due. */
  onAlarm(nowMs: number): number {
    return this.core.periodically(
      "movements_pruned_at_ms",
      MOVEMENT_PRUNE_EVERY_MS,
      nowMs,
      () => this.prune(nowMs) === MOVEMENTS_PRUNED_PER_RUN,
    );
  }

  /** Prunes up to one run's worth; returns how many movements left the ledger. */
  prune(nowMs: number): number {
    return this.core.transaction(() => {
      const store = this.core.store;
      const cutoffMs = nowMs - MOVEMENTS_KEPT_IN_LEDGER_MS;
      let throughSeq = 0;
      // Stops at the first young one, even if an older-stamped one follows (a clock step
      // back): the prefix rule matters more than a day's extra storage.
      for (const movement of store.oldestMovements(
        store.copiedThroughSeq(),
        MOVEMENTS_PRUNED_PER_RUN,
      )) {
        if (movement.atMs >= cutoffMs) break;
        throughSeq = movement.seq;
      }
      if (throughSeq === 0) return 0;
      // The usage report sums the month's charges from the movements: what leaves is counted first.
      this.counters.countBeforePruning(throughSeq);
      return store.pruneMovementsThrough(throughSeq);
    });
  }
}
