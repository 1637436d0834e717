import { ApiError } from "../http/errors";
import {
  COMMANDS_PER_BATCH_MAX,
  type CommandAnswers,
  type CommandKind,
  type CommandOutcome,
  type LedgerCommand,
} from "../ledger/commands";
import type { LedgerResult } from "../ledger/types";
import { ledgerOf } from "./ledger-of";

/**
 * Group commit for the switch's commands. Every authorize, extend, end and charge is one
 * durable write in its account's ledger, and the ledger runs them one at a time anyway;
 * what costs is the RPC and the commit around each. So an isolate keeps one lane per
 * account. A command for an idle account leaves at once; commands that arrive while a
 * batch is in flight wait and leave together in the next one. Each gets its own answer,
 * after its batch has committed.
 *
 * The Workers runtime ties I/O to the request that started it, so no request is woken
 * by another: the request that starts a lane's pump sends every batch (kept alive past
 * its own response by waitUntil) and learns its own answer from the pump it owns; the
 * others find theirs by checking on their own short timers, which also let them start a
 * new pump when the last one retired or stalled. Waking them from the pump is not safe
 * even where the runtime is meant to run a promise's reactions in the request that
 * created it (handle_cross_request_promise_resolution, on since 2024-10-14): on local
 * workerd with it on, a pump that resolved its waiters' promises answered about one
 * request in ten thousand with a 500 ("Cannot perform I/O on behalf of a different
 * request"), and the vitest runner turns the flag off altogether.
 * Between requests only plain data passes.
 */
interface Waiter {
  item: LedgerCommand;
  outcome: { ok: true; result: LedgerResult<unknown> } | { ok: false; error: unknown } | null;
  /** When the batch carrying this command was sent; null while it waits. */
  sentAtMs: number | null;
}

interface Lane {
  waiting: Waiter[];
  pumping: boolean;
  /** When the batch in flight was sent; null when none is. */
  sentAtMs: number | null;
}

/** A pump hands over after this long, well inside the runtime's limits on work after a response. */
export const PUMP_RUN_MAX_MS = 5_000;
/** How often a waiting request looks for its answer: the latency a batch adds, at most. */
export const WAITER_CHECK_EVERY_MS = 1;
/**
 * A batch not answered within this is presumed lost (the request pumping it was cancelled
 * mid-RPC): its commands are answered 503, to be retried under the same ids, and another
 * request pumps the lane.
 */
export const BATCH_ANSWER_WAIT_MAX_MS = 10_000;

/** The request a command arrives in: its bindings, and how its background work outlives it. */
export interface RequestScope {
  env: Env;
  /** Absent where nothing outlives the response (app.request in tests). */
  waitUntil?: (promise: Promise<unknown>) => void;
}

/** Time as the batching sees it; injected so the stall and hand-over paths can be tested. */
export interface BatchClock {
  nowMs(): number;
  /** A timer: `elapsed` settles after `ms`; after `cancel` it never settles. */
  after(ms: number): { elapsed: Promise<void>; cancel(): void };
}

/** One RPC carrying a batch to the account's ledger. */
export type SendBatch = (
  env: Env,
  accountId: string,
  items: LedgerCommand[],
) => Promise<CommandOutcome[]>;

export const systemClock: BatchClock = {
  nowMs: () => Date.now(),
  after(ms) {
    const { promise, resolve } = Promise.withResolvers<void>();
    const timer = setTimeout(resolve, ms);
    return { elapsed: promise, cancel: () => clearTimeout(timer) };
  },
};

export const sendToLedger: SendBatch = (env, accountId, items) =>
  ledgerOf(env, accountId).run(items);

/** The lanes of one isolate, one per account with commands in flight. */
export class CommandBatches {
  readonly #lanes = new Map<string, Lane>();

  constructor(
    private readonly clock: BatchClock,
    private readonly send: SendBatch,
  ) {}

  /** Runs one command in the account's ledger, in a batch with whatever else is waiting. */
  async run<K extends CommandKind>(
    scope: RequestScope,
    accountId: string,
    item: Extract<LedgerCommand, { kind: K }>,
  ): Promise<LedgerResult<CommandAnswers[K]>> {
    const waiter: Waiter = { item, outcome: null, sentAtMs: null };
    this.#laneOf(accountId).waiting.push(waiter);
    const pumped = this.#startPumpIfIdle(scope, accountId);
    if (pumped) {
      // Its own pump resolves these in this request, so this request goes on here; a batch
      // that never returns is left to the checks below.
      const giveUp = this.clock.after(BATCH_ANSWER_WAIT_MAX_MS);
      await Promise.race([pumped.firstBatch, pumped.done, giveUp.elapsed]);
      giveUp.cancel();
    }
    while (!waiter.outcome) {
      await this.clock.after(WAITER_CHECK_EVERY_MS).elapsed;
      if (waiter.outcome) break;
      const lane = this.#laneOf(accountId);
      const nowMs = this.clock.nowMs();
      if (waiter.sentAtMs !== null && nowMs - waiter.sentAtMs >= BATCH_ANSWER_WAIT_MAX_MS) {
        throw new ApiError(
          503,
          "ledger_unavailable",
          "The account's ledger did not answer in time; retry with the same id.",
        );
      }
      if (lane.sentAtMs !== null && nowMs - lane.sentAtMs >= BATCH_ANSWER_WAIT_MAX_MS) {
        // The pump is stuck on a lost batch: a fresh lane takes the queue, pumped from here.
        this.#lanes.set(accountId, { waiting: lane.waiting, pumping: false, sentAtMs: null });
      }
      this.#startPumpIfIdle(scope, accountId);
    }
    if (!waiter.outcome.ok) throw waiter.outcome.error;
    return waiter.outcome.result as LedgerResult<CommandAnswers[K]>;
  }

  #laneOf(accountId: string): Lane {
    let lane = this.#lanes.get(accountId);
    if (!lane) {
      lane = { waiting: [], pumping: false, sentAtMs: null };
      this.#lanes.set(accountId, lane);
    }
    return lane;
  }

  /**
   * Starts a pump in the current request (its I/O is this request's) unless one runs.
   * `firstBatch` settles when the batch holding this request's own command has its answers.
   */
  #startPumpIfIdle(
    scope: RequestScope,
    accountId: string,
  ): { firstBatch: Promise<void>; done: Promise<void> } | null {
    const lane = this.#laneOf(accountId);
    if (lane.pumping || lane.waiting.length === 0) return null;
    lane.pumping = true;
    const firstBatch = Promise.withResolvers<void>();
    const done = this.#pump(scope.env, accountId, lane, firstBatch.resolve);
    scope.waitUntil?.(done);
    return { firstBatch: firstBatch.promise, done };
  }

  async #pump(env: Env, accountId: string, lane: Lane, onFirstBatch: () => void): Promise<void> {
    const startedMs = this.clock.nowMs();
    try {
      while (
        lane.waiting.length > 0 &&
        this.clock.nowMs() - startedMs < PUMP_RUN_MAX_MS &&
        this.#lanes.get(accountId) === lane
      ) {
        const batch = lane.waiting.splice(0, COMMANDS_PER_BATCH_MAX);
        const sentAtMs = this.clock.nowMs();
        lane.sentAtMs = sentAtMs;
        for (const waiter of batch) waiter.sentAtMs = sentAtMs;
        try {
          const outcomes = await this.send(
            env,
            accountId,
            batch.map((w) => w.item),
          );
          batch.forEach((waiter, i) => {
            const outcome = outcomes[i];
            waiter.outcome =
              outcome && !("failed" in outcome)
                ? { ok: true, result: outcome }
                : {
                    ok: false,
                    error: new Error(
                      `ledger command ${waiter.item.kind} failed: ${outcome ? outcome.failed : "no outcome"}`,
                    ),
                  };
          });
        } catch (error) {
          for (const waiter of batch) waiter.outcome = { ok: false, error };
        }
        lane.sentAtMs = null;
        onFirstBatch();
      }
    } finally {
      lane.pumping = false;
      // Commands still waiting (the pump retired) leave with the next arrival or a waiter's check.
      if (lane.waiting.length === 0 && this.#lanes.get(accountId) === lane)
        this.#lanes.delete(accountId);
    }
  }
}

const isolateBatches = new CommandBatches(systemClock, sendToLedger);

/** The switch's commands from routes: batched per account in this isolate. */
export function runCommand<K extends CommandKind>(
  scope: RequestScope,
  accountId: string,
  item: Extract<LedgerCommand, { kind: K }>,
): Promise<LedgerResult<CommandAnswers[K]>> {
  return isolateBatches.run(scope, accountId, item);
}
