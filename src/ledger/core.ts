import { MonotonicUuidV7 } from "./ids";
import { post } from "./posting";
import { migrateLedgerSchema } from "./schema";
import { SqlMeter } from "./sql-meter";
import { LedgerStore, type LedgerAccount } from "./store";
import { refuse, type LedgerResult, type Movement, type MovementDraft } from "./types";

export interface IdempotentCommand {
  /** Scoped by the caller (route + client key); null when the request carries none. */
  idempotencyKey: string | null;
  /** SHA-256 of the validated request: the same key with another body is a conflict. */
  requestHash: string;
}

/**
 * What every part of the ledger shares: the tables, the one posting rule, idempotency and
 * the single alarm. The Durable Object class only routes RPC calls to the parts.
 */
export class LedgerCore {
  readonly store: LedgerStore;
  /** Every statement of the ledger's parts goes through store.sql, so the meter sees them all. */
  readonly sqlMeter = new SqlMeter();
  readonly #ids = new MonotonicUuidV7();
  /** The alarm as last set by this instance; undefined until read from storage. */
  #alarmAtMs: number | null | undefined;

  constructor(
    readonly storage: DurableObjectStorage,
    readonly env: Env,
  ) {
    this.store = new LedgerStore(this.sqlMeter.wrap(storage.sql));
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
      // If the rollback undid an alarm set inside, the old one stands; if it did not, an
      // earlier alarm than remembered only wakes the ledger early, which is harmless.
      this.#alarmAtMs = alarmBefore;
      this.store.forgetCache();
      for (const listener of this.#rollbackListeners) listener();
      throw error;
    }
  }

  #rollbackListeners: Array<() => void> = [];

  /** Parts that keep rows in memory subscribe here: a rolled-back write must not linger there. */
  onRollback(listener: () => void): void {
    this.#rollbackListeners.push(listener);
  }

  account(): LedgerAccount | null {
    return this.store.readAccount();
  }

  /**
   * Runs a command at most once per idempotency key: a retry with the same request gets
   * the stored answer, another request under the same key is refused. The answer, the
   * movement and the balance commit in one transaction, so none exists without the rest.
   */
  idempotent<T>(
    command: IdempotentCommand,
    run: (account: LedgerAccount) => LedgerResult<T>,
  ): LedgerResult<T> {
    return this.transaction(() => {
      const account = this.store.readAccount();
      if (!account) return refuse<T>({ reason: "account_not_found" });
      const key = command.idempotencyKey;
      if (key !== null) {
        const prior = this.store.readIdempotency(key);
        if (prior) {
          return prior.requestHash === command.requestHash
            ? (JSON.parse(prior.response) as LedgerResult<T>)
            : refuse<T>({ reason: "idempotency_conflict", key });
        }
      }
      const result = run(account);
      if (key !== null)
        this.store.writeIdempotency(key, command.requestHash, JSON.stringify(result), Date.now());
      return result;
    });
  }

  /**
   * Posts a movement against the balance, inside the caller's transaction. Reservations
   * released by the same command are passed so both change in the one write.
   */
  post(draft: MovementDraft, reservedMicros?: number): Movement {
    const account = this.store.readAccount();
    if (!account) throw new Error("posting to a ledger that was never opened");
    const { money, balanceAfterMicros } = post(account, draft);
    const now = Date.now();
    const movement = { ...draft, id: this.#ids.next(now), atMs: now, balanceAfterMicros };
    const seq = this.store.appendMovement(movement);
    this.store.rememberMoney({ ...money, reservedMicros: reservedMicros ?? money.reservedMicros });
    for (const listener of this.#movementListeners) listener(movement, now);
    for (const listener of this.#moneyListeners) listener(now);
    return { ...movement, seq };
  }

  /**
   * Sets the credit held for running calls, inside the caller's transaction. Holds change
   * the available credit, so auto top-up and alerts hear about it as about a movement.
   */
  setReserved(reservedMicros: number): void {
    const account = this.store.readAccount();
    if (!account) throw new Error("reserving on a ledger that was never opened");
    if (!Number.isSafeInteger(reservedMicros) || reservedMicros < 0)
      throw new RangeError(`bad reservation total ${reservedMicros}`);
    this.store.rememberMoney({ balanceMicros: account.balanceMicros, reservedMicros });
    const now = Date.now();
    for (const listener of this.#moneyListeners) listener(now);
  }

  #movementListeners: Array<(movement: Omit<Movement, "seq">, nowMs: number) => void> = [];
  #moneyListeners: Array<(nowMs: number) => void> = [];

  /** The outbox relays every movement; it subscribes here. */
  onMovement(listener: (movement: Omit<Movement, "seq">, nowMs: number) => void): void {
    this.#movementListeners.push(listener);
  }

  /** Parts that watch the balance or the available credit (alerts, auto top-up) subscribe here. */
  onMoneyChanged(listener: (nowMs: number) => void): void {
    this.#moneyListeners.push(listener);
  }

  /**
   * Housekeeping for the alarm: runs `work` at most once per `everyMs`, the last run kept
   * in a setting so an evicted ledger keeps the pace. `work` returns true when it stopped
   * with more to do, which makes the next run due at once. Returns when that is.
   */
  periodically(settingKey: string, everyMs: number, nowMs: number, work: () => boolean): number {
    const lastRunMs = this.store.readSetting<number>(settingKey) ?? 0;
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
