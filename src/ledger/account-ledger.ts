import { DurableObject } from "cloudflare:workers";
import type { Micros } from "../money";
import { LedgerCore, type IdempotentCommand } from "./core";
import { creditState, recommendedThreshold, SPEND_WINDOW_DAYS, type CreditState } from "./credit-state";
import { ExportJobs, type ExportJob } from "./export-jobs";
import { OutboxRelay } from "./outbox";
import { availableMicros } from "./posting";
import { ok, refuse, type AccountProfile, type LedgerResult, type Movement } from "./types";

const DAY_MS = 86_400_000;
/** Idempotency records outlive the 30 days a client may retry within. */
export const IDEMPOTENCY_RETENTION_MS = 35 * DAY_MS;
const IDEMPOTENCY_PRUNE_EVERY_MS = DAY_MS;
export const MOVEMENTS_PAGE_MAX = 500;

export type { IdempotentCommand };

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
 * This class only routes RPC calls and the alarm to the ledger's parts.
 */
export class AccountLedger extends DurableObject<Env> {
  readonly #core: LedgerCore;
  readonly #outbox: OutboxRelay;
  readonly #exports: ExportJobs;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.#core = new LedgerCore(ctx.storage, env);
    this.#outbox = new OutboxRelay(this.#core);
    this.#exports = new ExportJobs(this.#core);
    void ctx.blockConcurrencyWhile(async () => {
      await this.#core.start();
      this.#outbox.start();
    });
  }

  // Account -----------------------------------------------------------------------------

  /** Creates the ledger of a new account; opening it again with the same profile is a no-op. */
  open(profile: AccountProfile): LedgerResult<AccountProfile> {
    const core = this.#core;
    return core.transaction(() => {
      const existing = core.account();
      if (!existing) {
        core.store.insertAccount(profile, Date.now());
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
    return this.#core.idempotent(command, () =>
      ok({
        movement: this.#core.post({
          description: "adjustment",
          interactionId: command.idempotencyKey ?? "",
          units: null,
          unitsCharged: null,
          unitPriceMicros: null,
          amountMicros: command.amountMicros,
          userId: null,
          reason: command.reason,
          details: null,
        }),
      }),
    );
  }

  credit(): LedgerResult<CreditView> {
    const store = this.#core.store;
    const account = store.readAccount();
    if (!account) return refuse({ reason: "account_not_found" });
    const recommendedThresholdMicros = recommendedThreshold(store.spendSince(Date.now() - SPEND_WINDOW_DAYS * DAY_MS));
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
    const store = this.#core.store;
    if (!store.readAccount()) return refuse({ reason: "account_not_found" });
    const limit = Math.min(Math.max(1, query.limit), MOVEMENTS_PAGE_MAX);
    const page = store.listMovements({ ...query, limit: limit + 1 });
    const movements = page.slice(0, limit);
    const last = movements.at(-1);
    return ok({ movements, nextAfterSeq: page.length > limit && last ? last.seq : null });
  }

  /** Balance against the sum of movements: the invariant tests and operators check. */
  audit(): LedgerAudit {
    const store = this.#core.store;
    const account = store.readAccount();
    const { count, sumMicros } = store.sumMovements();
    return {
      balanceMicros: account?.balanceMicros ?? 0,
      reservedMicros: account?.reservedMicros ?? 0,
      movementCount: count,
      movementSumMicros: sumMicros,
      outboxSize: store.outboxSize(),
    };
  }

  // Exports -----------------------------------------------------------------------------

  requestExport(): Promise<LedgerResult<{ job: ExportJob; created: boolean }>> {
    return this.#exports.request();
  }

  exportJob(id: string): LedgerResult<ExportJob> {
    return this.#exports.get(id);
  }

  finishExport(
    id: string,
    outcome: { status: "ready"; rows: number; sumMicros: number; objectKey: string } | { status: "failed"; failure: string },
  ): LedgerResult<{ job: ExportJob; changed: boolean }> {
    return this.#exports.finish(id, outcome);
  }

  // Outbox and alarm ----------------------------------------------------------------------

  /** Copies every pending movement to D1 now; exports call this before they read D1. */
  async flushOutbox(): Promise<LedgerResult<{ remaining: number }>> {
    const account = this.#core.account();
    if (!account) return refuse({ reason: "account_not_found" });
    await this.#outbox.drain(account.accountId, Number.MAX_SAFE_INTEGER);
    return ok({ remaining: this.#core.store.outboxSize() });
  }

  /** One alarm drives every kind of due work; each part says when it next needs it. */
  override async alarm(): Promise<void> {
    const core = this.#core;
    core.alarmFired();
    const account = core.account();
    if (!account) return;
    const now = Date.now();
    const due = [
      await this.#outbox.onAlarm(account.accountId, now),
      await this.#exports.onAlarm(now),
      this.#pruneIdempotency(now),
    ];
    const next = Math.min(...due.filter((t): t is number => t !== null));
    if (Number.isFinite(next)) core.wakeAt(next);
  }

  #pruneIdempotency(now: number): number {
    const store = this.#core.store;
    const lastPruneMs = store.readSetting<number>("idempotency_pruned_at_ms") ?? 0;
    if (now - lastPruneMs >= IDEMPOTENCY_PRUNE_EVERY_MS) {
      store.pruneIdempotency(now - IDEMPOTENCY_RETENTION_MS);
      store.writeSetting("idempotency_pruned_at_ms", now);
      return now + IDEMPOTENCY_PRUNE_EVERY_MS;
    }
    return lastPruneMs + IDEMPOTENCY_PRUNE_EVERY_MS;
  }
}
