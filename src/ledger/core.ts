import { MonotonicUuidV7 } from "./ids";
import { LedgerMemory } from "./memory";
import { migrateLedgerSchema } from "./schema";
import type { HousekeepingKey } from "./settings";
import { SqlMeter } from "./sql-meter";
import { LedgerStore, type LedgerAccount } from "./store";

/**
 * What every part of the ledger shares: the tables, the one in-memory copy of them, the
 * transaction and the single alarm. Commands that change money run through
 * unit-of-work.ts; the Durable Object class only routes RPC calls to the parts.
 */
export class LedgerCore {
  readonly store: LedgerStore;
  /** Every statement of the ledger's parts goes through store.sql, so the meter sees them all. */
  readonly sqlMeter = new SqlMeter();
  readonly ids = new MonotonicUuidV7();
  #memory = new LedgerMemory();
  /**
   * The alarm as last set by this instance; undefined until read from storage. Not part of
   * the memory a rollback throws away: it mirrors the platform's alarm, which is read only
   * asynchronously, so a rollback restores it instead.
   */
  #alarmAtMs: number | null | undefined;

  constructor(
    readonly storage: DurableObjectStorage,
    readonly env: Env,
  ) {
    this.store = new LedgerStore(this.sqlMeter.wrap(storage.sql), () => this.#memory);
  }

  /** The ledger's in-memory copy of its tables (memory.ts), for the stores that keep one. */
  memory(): LedgerMemory {
    return this.#memory;
  }

  /** Runs in blockConcurrencyWhile: nothing else sees the ledger before its schema is current. */
  async start(): Promise<void> {
    migrateLedgerSchema(this.storage);
    this.#alarmAtMs = await this.storage.getAlarm();
  }

  transaction<T>(run: () => T): T {
    const alarmBefore = this.#alarmAtMs;
    try {
      return this.storage.transactionSync(run);
    } catch (error) {
      // Storage dropped the writes; what memory copied of them goes with them, whole.
      this.#memory = new LedgerMemory();
      // If the rollback undid an alarm set inside, the old one stands; if it did not, an
      // earlier alarm than remembered only wakes the ledger early, which is harmless.
      this.#alarmAtMs = alarmBefore;
      throw error;
    }
  }

  account(): LedgerAccount | null {
    return this.store.readAccount();
  }

  /**
   * Housekeeping for the alarm: runs `work` at most once per `everyMs`, the last run kept
   * in a setting so an evicted ledger keeps the pace. `work` returns true when it stopped
   * with more to do, which makes the next run due at once. Returns when that is.
   */
  periodically(
    settingKey: HousekeepingKey,
    everyMs: number,
    nowMs: number,
    work: () => boolean,
  ): number {
    const lastRunMs = this.store.readSetting(settingKey) ?? 0;
    if (nowMs - lastRunMs < everyMs) return lastRunMs + everyMs;
    if (work()) return nowMs;
    this.store.writeSetting(settingKey, nowMs);
    return nowMs + everyMs;
  }

  /** Makes sure the alarm fires no later than `atMs`; one alarm serves all due work. */
  wakeAt(atMs: number): void {
    if (this.#alarmAtMs !== null && this.#alarmAtMs !== undefined && this.#alarmAtMs <= atMs)
      return;
    this.#alarmAtMs = atMs;
    void this.storage.setAlarm(atMs);
  }

  /** The platform removes an alarm when it fires; forget ours so the next wakeAt sets one. */
  alarmFired(): void {
    this.#alarmAtMs = null;
  }
}
