import {
  LEDGER_MOVEMENT_COLUMNS,
  type LedgerMovementRow,
  movementFromRow,
  movementToLedgerRow,
  rowValues,
} from "../history/movement-row";
import type { Micros } from "../money";
import { calendarAt, calendarSpanMs } from "./calendar";
import type { LedgerMemory } from "./memory";
import { decodeSetting, type SettingKey, type SettingValues } from "./settings";
import type { AccountMoney, AccountProfile, Movement, MovementKind, MovementsQuery } from "./types";
import { CHARGE_SQL, spentBy } from "./usage-counters";

/**
 * Typed access to the ledger's SQLite tables. No rules live here: callers decide, this
 * reads and writes. Every write is meant to run inside the caller's transactionSync.
 */
export class LedgerStore {
  constructor(
    readonly sql: SqlStorage,
    /** The ledger's one in-memory copy (memory.ts); replaced whole after a rollback. */
    private readonly memory: () => LedgerMemory,
  ) {}

  /**
   * The account as every command reads it, from memory (memory.ts). Its money is stored
   * nowhere else than where it comes from (schema step 6): the balance is the last
   * movement's balance_after, the holds are the running legs' reservations, so a change of
   * money writes no account row; after a rollback it is summed again from storage.
   */
  readAccount(): LedgerAccount | null {
    const account = this.#loaded();
    if (!account) return null;
    const { lastSeq: _lastSeq, ...copy } = account;
    return copy;
  }

  #loaded(): (LedgerAccount & { lastSeq: number }) | null {
    const memory = this.memory();
    if (memory.account === undefined) memory.account = this.#loadAccount();
    return memory.account;
  }

  #loadAccount(): (LedgerAccount & { lastSeq: number }) | null {
    const row = this.sql
      .exec<AccountRow>("SELECT account_id, currency, time_zone, email FROM account")
      .toArray()[0];
    if (!row) return null;
    const last = this.sql
      .exec<{ seq: number; balance: number }>(
        "SELECT seq, balance_after_micros AS balance FROM movements ORDER BY seq DESC LIMIT 1",
      )
      .toArray()[0];
    const pruned = this.prunedMovements();
    const reserved = this.sql
      .exec<{ s: number | null }>(
        "SELECT sum(reserved_micros) AS s FROM call_legs WHERE state = 'running'",
      )
      .one().s;
    return {
      accountId: row.account_id,
      currency: row.currency,
      timeZone: row.time_zone,
      email: row.email,
      // Balance = the sum of every movement, those pruned from this table included.
      balanceMicros: last ? last.balance : pruned.sumMicros,
      reservedMicros: reserved ?? 0,
      lastSeq: Math.max(last?.seq ?? 0, pruned.throughSeq),
    };
  }

  insertAccount(profile: AccountProfile, nowMs: number): void {
    this.sql.exec(
      "INSERT INTO account (singleton, account_id, currency, time_zone, email, created_at_ms) VALUES (1, ?, ?, ?, ?, ?)",
      profile.accountId,
      profile.currency,
      profile.timeZone,
      profile.email ?? null,
      nowMs,
    );
    this.memory().account = undefined;
  }

  /**
   * Keeps the in-memory money in step with what the caller just wrote: the movement that
   * changed the balance, or the legs whose reservations make up the holds.
   */
  rememberMoney(money: AccountMoney): void {
    const account = this.#loaded();
    if (!account) throw new Error("money of a ledger that was never opened");
    this.memory().account = {
      ...account,
      balanceMicros: money.balanceMicros,
      reservedMicros: money.reservedMicros,
    };
  }

  /**
   * Appends a movement (the outbox is every movement past the copied mark); returns its
   * sequence number. The ledger numbers movements itself, after the last one ever posted
   * (pruned ones included), so a number is never given twice.
   */
  appendMovement(movement: Omit<Movement, "seq">): number {
    const account = this.#loaded();
    if (!account) throw new Error("a movement on a ledger that was never opened");
    const seq = account.lastSeq + 1;
    this.sql.exec(
      INSERT_MOVEMENT_SQL,
      ...rowValues(movementToLedgerRow({ ...movement, seq }), LEDGER_MOVEMENT_COLUMNS),
    );
    const memory = this.memory();
    memory.account = { ...account, lastSeq: seq };
    const spent = spentBy(movement);
    if (spent > 0 && memory.spentToday) {
      const { day } = calendarAt(movement.atMs, account.timeZone);
      memory.spentToday =
        day === memory.spentToday.day
          ? { day, micros: memory.spentToday.micros + spent }
          : undefined;
    }
    return seq;
  }

  /**
   * The day's charges, summed from its movements (schema step 9: no counter is written per
   * charge). Kept in memory (memory.ts) for the day last asked, in step with every
   * movement appended.
   */
  /** Charges of a local day ("YYYY-MM-DD" in the account's zone). */
  spentOn(day: string): Micros {
    const memory = this.memory();
    if (memory.spentToday?.day === day) return memory.spentToday.micros;
    const account = this.#loaded();
    if (!account) return 0;
    const { startMs, endMs } = calendarSpanMs(day, account.timeZone);
    let micros = 0;
    // Newest first, stopping at the day's start: movements are in time order (one clock,
    // one writer), so only the day's own are read.
    for (const row of this.sql.exec<{ at_ms: number; description: string; amount_micros: number }>(
      "SELECT at_ms, description, amount_micros FROM movements ORDER BY seq DESC",
    )) {
      if (row.at_ms < startMs) break;
      if (row.at_ms < endMs)
        micros += spentBy({
          description: row.description as MovementKind,
          amountMicros: row.amount_micros,
        });
    }
    memory.spentToday = { day, micros };
    return micros;
  }

  /** Movements in commit order after `afterSeq`, optionally within [fromMs, toMs). */
  listMovements(query: MovementsQuery): Movement[] {
    return this.sql
      .exec<LedgerMovementRow>(
        `SELECT * FROM movements WHERE seq > ? AND at_ms >= ? AND at_ms < ? ORDER BY seq LIMIT ?`,
        query.afterSeq,
        query.fromMs ?? Number.MIN_SAFE_INTEGER,
        query.toMs ?? Number.MAX_SAFE_INTEGER,
        query.limit,
      )
      .toArray()
      .map(movementFromRow);
  }

  /** Every movement ever posted, those pruned from this table included. */
  sumMovements(): { count: number; sumMicros: Micros } {
    const row = this.sql
      .exec<{ n: number; total: number | null }>(
        "SELECT count(*) AS n, sum(amount_micros) AS total FROM movements",
      )
      .one();
    const pruned = this.prunedMovements();
    return { count: pruned.count + row.n, sumMicros: pruned.sumMicros + (row.total ?? 0) };
  }

  /** The seq of the last movement posted, pruned or not; 0 before the first. */
  lastMovementSeq(): number {
    return this.#loaded()?.lastSeq ?? 0;
  }

  // Pruning: movements D1 has copied may leave this table (movement-retention.ts). What
  // they added up to is kept, so the balance still equals the sum of every movement. ---

  prunedMovements(): PrunedMovements {
    return (
      this.readSetting(PRUNED_MOVEMENTS) ?? {
        throughSeq: 0,
        count: 0,
        sumMicros: 0,
      }
    );
  }

  /** Seq and time of the oldest movements still here, in seq order, up to `throughSeq`. */
  oldestMovements(throughSeq: number, limit: number): Array<{ seq: number; atMs: number }> {
    return this.sql
      .exec<{ seq: number; at_ms: number }>(
        "SELECT seq, at_ms FROM movements WHERE seq <= ? ORDER BY seq LIMIT ?",
        throughSeq,
        limit,
      )
      .toArray()
      .map((row) => ({ seq: row.seq, atMs: row.at_ms }));
  }

  /** Deletes the movements up to `throughSeq`, adding them to the pruned totals. */
  pruneMovementsThrough(throughSeq: number): number {
    const before = this.prunedMovements();
    if (throughSeq <= before.throughSeq) return 0;
    const gone = this.sql
      .exec<{ n: number; total: number | null }>(
        "SELECT count(*) AS n, sum(amount_micros) AS total FROM movements WHERE seq <= ?",
        throughSeq,
      )
      .one();
    this.sql.exec("DELETE FROM movements WHERE seq <= ?", throughSeq);
    this.writeSetting(PRUNED_MOVEMENTS, {
      throughSeq,
      count: before.count + gone.n,
      sumMicros: before.sumMicros + (gone.total ?? 0),
    } satisfies PrunedMovements);
    return gone.n;
  }

  /** Total charged (what `spentBy` counts) since `sinceMs`, as a positive amount. */
  spendSince(sinceMs: number): Micros {
    const row = this.sql
      .exec<{ total: number | null }>(
        `SELECT -sum(amount_micros) AS total FROM movements WHERE at_ms >= ? AND ${CHARGE_SQL}`,
        sinceMs,
      )
      .one();
    return row.total ?? 0;
  }

  // Outbox: movements are copied to D1 in seq order, so the ones not yet copied are
  // those after one mark; appending a movement needs no second write. ----------------

  copiedThroughSeq(): number {
    return this.readSetting(OUTBOX_MARK) ?? 0;
  }

  pendingOutbox(limit: number): Movement[] {
    return this.sql
      .exec<LedgerMovementRow>(
        "SELECT * FROM movements WHERE seq > ? ORDER BY seq LIMIT ?",
        this.copiedThroughSeq(),
        limit,
      )
      .toArray()
      .map(movementFromRow);
  }

  outboxSize(): number {
    return this.sql
      .exec<{ n: number }>(
        "SELECT count(*) AS n FROM movements WHERE seq > ?",
        this.copiedThroughSeq(),
      )
      .one().n;
  }

  markCopiedThrough(seq: number): void {
    this.writeSetting(OUTBOX_MARK, seq);
  }

  // Idempotency -------------------------------------------------------------------------

  readIdempotency(key: string): { requestHash: string; response: string } | null {
    const row = this.sql
      .exec<{ request_hash: string; response: string }>(
        "SELECT request_hash, response FROM idempotency WHERE key = ?",
        key,
      )
      .toArray()[0];
    return row ? { requestHash: row.request_hash, response: row.response } : null;
  }

  writeIdempotency(key: string, requestHash: string, response: string, nowMs: number): void {
    this.sql.exec(
      "INSERT INTO idempotency (key, request_hash, response, created_at_ms) VALUES (?, ?, ?, ?)",
      key,
      requestHash,
      response,
      nowMs,
    );
  }

  pruneIdempotency(olderThanMs: number): number {
    return this.sql.exec("DELETE FROM idempotency WHERE created_at_ms < ?", olderThanMs)
      .rowsWritten;
  }

  // Settings: small typed values that survive eviction (settings.ts lists them). ------

  /** Read on every change of money (alert state, auto top-up): decoded once, from memory. */
  readSetting<K extends SettingKey>(key: K): SettingValues[K] | undefined {
    const settings = this.memory().settings;
    if (settings.has(key)) return settings.get(key) as SettingValues[K] | undefined;
    const raw = this.sql
      .exec<{ value: string }>("SELECT value FROM settings WHERE key = ?", key)
      .toArray()[0]?.value;
    const value = raw === undefined ? undefined : decodeSetting(key, raw);
    settings.set(key, value);
    return value;
  }

  deleteSetting(key: SettingKey): void {
    this.sql.exec("DELETE FROM settings WHERE key = ?", key);
    this.memory().settings.set(key, undefined);
  }

  writeSetting<K extends SettingKey>(key: K, value: SettingValues[K]): void {
    const raw = JSON.stringify(value);
    this.sql.exec(
      "INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
      key,
      raw,
    );
    // What a read from storage would give, not the caller's object, which it may change.
    this.memory().settings.set(key, decodeSetting(key, raw));
  }
}

/** Charges count as spend; adjustments and top-ups do not. spendSince's query says the same. */
/** The settings key of the outbox mark; schema step 5 sets it from the outbox table it replaced. */
export const OUTBOX_MARK = "outbox_copied_through_seq" satisfies SettingKey;
const PRUNED_MOVEMENTS = "pruned_movements" satisfies SettingKey;

/** The movements removed from the ledger, all with seq ≤ throughSeq; D1 keeps them. */
export interface PrunedMovements {
  throughSeq: number;
  count: number;
  sumMicros: Micros;
}

export type LedgerAccount = Omit<AccountProfile, "email"> & AccountMoney & { email: string | null };

interface AccountRow extends Record<string, SqlStorageValue> {
  account_id: string;
  email: string | null;
  currency: string;
  time_zone: string;
}

const INSERT_MOVEMENT_SQL = `INSERT INTO movements (${LEDGER_MOVEMENT_COLUMNS.join(", ")})
  VALUES (${LEDGER_MOVEMENT_COLUMNS.map(() => "?").join(", ")})`;
