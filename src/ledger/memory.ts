import type { Micros } from "../money";
import type { RunningLeg } from "./call-legs";
import type { SettingKey } from "./settings";
import type { LedgerAccount } from "./store";

/**
 * Everything the ledger keeps in memory of its own tables, in one object. The Durable
 * Object is the only writer of those tables, so each copy stays true as long as every
 * write updates it; when a transaction rolls back, LedgerCore throws this object away
 * whole and the next reads go to storage again. Each copy is read on the hot path of
 * every call command:
 * - the account and its money (a charge reads the balance and the holds it then changes);
 * - the settings, decoded (plan, spend controls, alert state, auto top-up on every debit);
 * - every running call leg (the holds, fair use in flight, the alarm's expiry; extend and
 *   end find theirs without a query), loaded by one scan on first use;
 * - the charges of the day last asked (the daily spend cap), in step with every movement;
 * - the last 30 days' spend for the recommended low level (summed at most every TTL).
 */
export class LedgerMemory {
  /** undefined until read; null when the ledger was never opened. */
  account: (LedgerAccount & { lastSeq: number }) | null | undefined = undefined;
  /** Decoded values by key; undefined for a key read and found absent. */
  readonly settings = new Map<SettingKey, unknown>();
  runningLegs: Map<string, RunningLeg> | null = null;
  spentToday: { day: string; micros: Micros } | undefined = undefined;
  spend: { atMs: number; micros: number } | null = null;
}
