import { DurableObject } from "cloudflare:workers";
import type { Micros } from "../money";
import { creditState, recommendedThreshold, SPEND_WINDOW_DAYS, type CreditState } from "./credit-state";
import { MonotonicUuidV7 } from "./ids";
import { copyMovementsToD1, OUTBOX_BATCH_ROWS, OUTBOX_FLUSH_DELAY_MS, outboxRetryDelayMs } from "./outbox";
import { availableMicros, post } from "./posting";
import { migrateLedgerSchema } from "./schema";
import { LedgerStore } from "./store";
import {
  ok,
  refuse,
  type AccountProfile,
  type LedgerResult,
  type Movement,
  type MovementDraft,
} from "./types";

const DAY_MS = 86_400_000;
/** Idempotency records outlive the 30 days a client may retry within. */
export const IDEMPOTENCY_RETENTION_MS = 35 * DAY_MS;
const IDEMPOTENCY_PRUNE_EVERY_MS = DAY_MS;
export const MOVEMENTS_PAGE_MAX = 500;

export interface IdempotentCommand {
  /** Scoped by the caller (route + client key); null when the request carries none. */
  idempotencyKey: string | null;
  /** SHA-256 of the validated request: the same key with another body is a conflict. */
  requestHash: string;
}

export interface AdjustCommand extends IdempotentCommand {
  amountMicros: Micros;
  reason: string;
}

export interface CreditView {
  currency: string;
  balanceMicros: Micros;
  reservedMicros: Micros;
  availableMicros: Micros;
  state: CreditState;
  lowLevelMicros: Micros;
  recommendedThresholdMicros: Micros;
}

export interface LedgerAudit {
  balanceMicros: Micros;
  reservedMicros: Micros;
  movementCount: number;
  movementSumMicros: Micros;
  outboxSize: number;
}

/**
 * The only writer of one account's money. Each command is one synchronous SQLite
 * transaction (read, decide with pure functions, write) so commands of the same account
 * run one at a time and a reply leaves only after its write is durable (output gate).
 * Movements reach D1 through the outbox, flushed by the alarm.
 */
export class AccountLedger extends DurableObject<Env> {
  readonly #store: LedgerStore;
  readonly #ids = new MonotonicUuidV7();
  /** The alarm as last set by this instance; undefined until read from storage. */
  #alarmAtMs: number | null | undefined;
  #flushing: Promise<number> | null = null;
  /** While D1 is failing, no flush is tried before this instant (backoff). */
  #outboxNotBeforeMs = 0;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.#store = new LedgerStore(ctx.storage.sql);
    void ctx.blockConcurrencyWhile(async () => {
      migrateLedgerSchema(ctx.storage);
      this.#alarmAtMs = await ctx.storage.getAlarm();
      this.#outboxNotBeforeMs = this.#store.readSetting<number>("outbox_not_before_ms") ?? 0;
    });
  }

  // Account -----------------------------------------------------------------------------

  /** Creates the ledger of a new account; opening it again with the same profile is a no-op. */
  open(profile: AccountProfile): LedgerResult<AccountProfile> {
    return this.ctx.storage.transactionSync(() => {
      const existing = this.#store.readAccount();
      if (!existing) {
        this.#store.insertAccount(profile, Date.now());
        return ok(profile);
      }
      const current = { accountId: existing.accountId, currency: existing.currency, timeZone: existing.timeZone };
      if (current.accountId !== profile.accountId || current.currency !== profile.currency) {
        return refuse({ reason: "account_conflict", existing: current });
      }
      return ok(current);
    });
  }

  // Money -------------------------------------------------------------------------------

  /** An operator's signed correction with its reason. It may take the balance below zero. */
  adjust(command: AdjustCommand): LedgerResult<{ movement: Movement }> {
    return this.#idempotent(command, () => {
      const movement = this.#post({
        description: "adjustment",
        interactionId: command.idempotencyKey ?? "",
        units: null,
        unitsCharged: null,
        unitPriceMicros: null,
        amountMicros: command.amountMicros,
        userId: null,
        reason: command.reason,
        details: null,
      });
      return ok({ movement });
    });
  }

  credit(): LedgerResult<CreditView> {
    const account = this.#store.readAccount();
    if (!account) return refuse({ reason: "account_not_found" });
    const now = Date.now();
    const recommendedThresholdMicros = recommendedThreshold(this.#store.spendSince(now - SPEND_WINDOW_DAYS * DAY_MS));
    const lowLevelMicros = recommendedThresholdMicros;
    return ok({
      currency: account.currency,
      balanceMicros: account.balanceMicros,
      reservedMicros: account.reservedMicros,
      availableMicros: availableMicros(account),
      state: creditState(account.balanceMicros, lowLevelMicros),
      lowLevelMicros,
      recommendedThresholdMicros,
    });
  }

  /** Committed movements, whether or not D1 has its copy yet. */
  movements(query: { afterSeq: number; fromMs?: number; toMs?: number; limit: number }): LedgerResult<{
    movements: Movement[];
    nextAfterSeq: number | null;
  }> {
    if (!this.#store.readAccount()) return refuse({ reason: "account_not_found" });
    const limit = Math.min(Math.max(1, query.limit), MOVEMENTS_PAGE_MAX);
    const page = this.#store.listMovements({ ...query, limit: limit + 1 });
    const movements = page.slice(0, limit);
    const last = movements.at(-1);
    return ok({ movements, nextAfterSeq: page.length > limit && last ? last.seq : null });
  }

  /** Balance against the sum of movements: the invariant tests and operators check. */
  audit(): LedgerAudit {
    const account = this.#store.readAccount();
    const { count, sumMicros } = this.#store.sumMovements();
    return {
      balanceMicros: account?.balanceMicros ?? 0,
      reservedMicros: account?.reservedMicros ?? 0,
      movementCount: count,
      movementSumMicros: sumMicros,
      outboxSize: this.#store.outboxSize(),
    };
  }

  // Outbox and alarm ----------------------------------------------------------------------

  /** Copies every pending movement to D1 now; exports call this before they read D1. */
  async flushOutbox(): Promise<LedgerResult<{ remaining: number }>> {
    const account = this.#store.readAccount();
    if (!account) return refuse({ reason: "account_not_found" });
    await this.#drainOutbox(account.accountId, Number.MAX_SAFE_INTEGER);
    return ok({ remaining: this.#store.outboxSize() });
  }

  override async alarm(): Promise<void> {
    this.#alarmAtMs = null;
    const account = this.#store.readAccount();
    if (!account) return;
    const now = Date.now();
    let nextMs = now + IDEMPOTENCY_PRUNE_EVERY_MS;
    if (now >= this.#outboxNotBeforeMs) {
      try {
        await this.#drainOutbox(account.accountId, OUTBOX_BATCH_ROWS);
        this.#setOutboxFailures(0, now);
      } catch (error) {
        // D1 is down or slow: keep the rows and try again later, backing off. The alarm
        // itself succeeds so the runtime does not retry on top of our own schedule.
        const failures = (this.#store.readSetting<number>("outbox_failures") ?? 0) + 1;
        this.#setOutboxFailures(failures, now);
        console.warn(JSON.stringify({ event: "outbox_flush_failed", accountId: account.accountId, failures, error: String(error) }));
      }
    }
    if (this.#store.outboxSize() > 0) nextMs = Math.min(nextMs, Math.max(now + OUTBOX_FLUSH_DELAY_MS, this.#outboxNotBeforeMs));
    const lastPruneMs = this.#store.readSetting<number>("idempotency_pruned_at_ms") ?? 0;
    if (now - lastPruneMs >= IDEMPOTENCY_PRUNE_EVERY_MS) {
      this.#store.pruneIdempotency(now - IDEMPOTENCY_RETENTION_MS);
      this.#store.writeSetting("idempotency_pruned_at_ms", now);
    }
    this.#wakeAt(nextMs);
  }

  #setOutboxFailures(failures: number, now: number): void {
    this.#store.writeSetting("outbox_failures", failures);
    this.#outboxNotBeforeMs = failures === 0 ? 0 : now + outboxRetryDelayMs(failures);
    this.#store.writeSetting("outbox_not_before_ms", this.#outboxNotBeforeMs);
  }

  async #drainOutbox(accountId: string, maxRows: number): Promise<number> {
    // One flush at a time; a caller arriving meanwhile waits for it and then drains the rest.
    while (this.#flushing) await this.#flushing;
    const run = (async () => {
      let copied = 0;
      while (copied < maxRows) {
        const batch = this.#store.pendingOutbox(Math.min(OUTBOX_BATCH_ROWS, maxRows - copied));
        const last = batch.at(-1);
        if (!last) break;
        await copyMovementsToD1(this.env.DB, accountId, batch);
        this.#store.removeFromOutbox(last.seq);
        copied += batch.length;
      }
      return copied;
    })();
    this.#flushing = run;
    try {
      return await run;
    } finally {
      this.#flushing = null;
    }
  }

  // Internals ---------------------------------------------------------------------------

  /**
   * Runs a command at most once per idempotency key: a retry with the same request gets
   * the stored answer, another request under the same key is refused. The answer, the
   * movement and the balance commit in one transaction, so none exists without the rest.
   */
  #idempotent<T>(command: IdempotentCommand, run: () => LedgerResult<T>): LedgerResult<T> {
    return this.ctx.storage.transactionSync(() => {
      if (!this.#store.readAccount()) return refuse<T>({ reason: "account_not_found" });
      const key = command.idempotencyKey;
      if (key !== null) {
        const prior = this.#store.readIdempotency(key);
        if (prior) {
          return prior.requestHash === command.requestHash
            ? (JSON.parse(prior.response) as LedgerResult<T>)
            : refuse<T>({ reason: "idempotency_conflict", key });
        }
      }
      const result = run();
      if (key !== null) this.#store.writeIdempotency(key, command.requestHash, JSON.stringify(result), Date.now());
      return result;
    });
  }

  /** Posts a movement against the balance; must run inside a transaction. */
  #post(draft: MovementDraft): Movement {
    const account = this.#store.readAccount();
    if (!account) throw new Error("posting to a ledger that was never opened");
    const { money, balanceAfterMicros } = post(account, draft);
    const now = Date.now();
    const movement = { ...draft, id: this.#ids.next(now), atMs: now, balanceAfterMicros };
    const seq = this.#store.appendMovement(movement);
    this.#store.writeMoney(money);
    this.#wakeAt(Math.max(now + OUTBOX_FLUSH_DELAY_MS, this.#outboxNotBeforeMs));
    return { ...movement, seq };
  }

  /** Makes sure the alarm fires no later than `atMs`; one alarm serves all due work. */
  #wakeAt(atMs: number): void {
    if (this.#alarmAtMs !== null && this.#alarmAtMs !== undefined && this.#alarmAtMs <= atMs) return;
    this.#alarmAtMs = atMs;
    void this.ctx.storage.setAlarm(atMs);
  }
}
