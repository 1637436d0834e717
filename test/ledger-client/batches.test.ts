import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { ApiError } from "../../src/http/errors";
import {
  BATCH_ANSWER_WAIT_MAX_MS,
  type BatchClock,
  CommandBatches,
  PUMP_RUN_MAX_MS,
  type RequestScope,
  type SendBatch,
  sendToLedger,
} from "../../src/ledger-client/batches";
import type { LedgerCommand } from "../../src/ledger/commands";
import { COMMANDS_PER_BATCH_MAX } from "../../src/ledger/commands";
import { activeDeckRefs } from "../../src/rate-decks/cache";
import { ledger, newAccount } from "../helpers";
import { movementsOf, N, uploadSampleDecks } from "../calls/helpers";

beforeAll(uploadSampleDecks);

/**
 * Time for the batching, moved by the test: a stall of ten seconds takes no ten seconds,
 * and the moment each check runs is the one the test chose.
 */
class ManualClock implements BatchClock {
  #nowMs = 0;
  #timers: Array<{ atMs: number; fire: () => void }> = [];

  nowMs(): number {
    return this.#nowMs;
  }

  after(ms: number) {
    const { promise, resolve } = Promise.withResolvers<void>();
    const timer = { atMs: this.#nowMs + ms, fire: () => resolve() };
    this.#timers.push(timer);
    return {
      elapsed: promise,
      cancel: () => {
        this.#timers = this.#timers.filter((t) => t !== timer);
      },
    };
  }

  /** Moves time on by `ms` and fires every timer due by then. */
  advance(ms: number): void {
    this.#nowMs += ms;
    const due = this.#timers.filter((t) => t.atMs <= this.#nowMs);
    this.#timers = this.#timers.filter((t) => t.atMs > this.#nowMs);
    for (const timer of due) timer.fire();
  }
}

/** Lets every promise chain that is not waiting on the clock or on a hung RPC run to its end. */
async function settle(inFlight: () => number): Promise<void> {
  for (let i = 0; i < 5 || inFlight() > 0; i++) await new Promise((r) => setTimeout(r, 0));
}

/**
 * The real ledger behind a transport the test controls: the RPCs it lets through reach
 * the account's Durable Object; the one it drops never answers, as when the request that
 * sent it was cancelled mid-RPC.
 */
function transport(options: { dropFirst: boolean; onAnswered?: () => void }) {
  let sent = 0;
  let inFlight = 0;
  const send: SendBatch = async (batchEnv, accountId, items) => {
    sent += 1;
    if (options.dropFirst && sent === 1) return new Promise(() => {});
    inFlight += 1;
    try {
      return await sendToLedger(batchEnv, accountId, items);
    } finally {
      inFlight -= 1;
      options.onAnswered?.();
    }
  };
  return { send, inFlight: () => inFlight, sent: () => sent };
}

/** A request's scope that records whether it started a pump (its waitUntil was asked). */
function scope(): RequestScope & { pumped: number } {
  const s = {
    env,
    pumped: 0,
    waitUntil: () => {
      s.pumped += 1;
    },
  };
  return s;
}

async function message(messageId: string): Promise<LedgerCommand> {
  return {
    kind: "message",
    command: {
      messageId,
      channel: "sms",
      to: N.deMobile,
      fragments: 1,
      userId: null,
      requestHash: `hash-${messageId}`,
    },
    decks: await activeDeckRefs(env.DB),
  };
}

describe("group commit: a lost batch and a long-running pump", () => {
  it("a batch that never answers is a 503 after the wait; a command queued behind it is pumped by its own request", async () => {
    const acct = await newAccount({ credit: "10.00" });
    const clock = new ManualClock();
    const wire = transport({ dropFirst: true });
    const batches = new CommandBatches(clock, wire.send);
    const [lostScope, laterScope] = [scope(), scope()];
    const lost = batches.run(lostScope, acct.id, await message("lost-1"));
    const lostOutcome = lost.then(
      (value) => ({ ok: true as const, value }),
      (error: unknown) => ({ ok: false as const, error }),
    );
    await settle(wire.inFlight);
    clock.advance(BATCH_ANSWER_WAIT_MAX_MS / 2);
    const later = batches.run(laterScope, acct.id, await message("later-1"));
    let laterSettled = false;
    void later.finally(() => {
      laterSettled = true;
    });
    await settle(wire.inFlight);

    // Just short of the wait, nothing is given up: the lost batch may still answer.
    clock.advance(BATCH_ANSWER_WAIT_MAX_MS / 2 - 1);
    await settle(wire.inFlight);
    expect(wire.sent()).toBe(1);
    expect(laterSettled).toBe(false);

    // At the wait, the queued command's own request takes the lane and sends it.
    clock.advance(1);
    await settle(wire.inFlight);
    clock.advance(1);
    await settle(wire.inFlight);
    expect(laterScope.pumped).toBe(1);
    expect(await later).toMatchObject({ ok: true, value: { messageId: "later-1" } });

    const outcome = await lostOutcome;
    expect(outcome.ok).toBe(false);
    const error = (outcome as { error: unknown }).error;
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ status: 503, code: "ledger_unavailable" });
    // The lost command never reached the ledger; the one behind it is charged once.
    const charged = (await movementsOf(acct.id)).filter((m) => m.description === "sms");
    expect(charged.map((m) => m.interactionId)).toEqual(["later-1"]);
    expect(lostScope.pumped).toBe(1);
  });

  it("a pump hands over after its run time; the commands it left are pumped by a waiting request", async () => {
    const acct = await newAccount({ credit: "10.00" });
    const clock = new ManualClock();
    // Each batch takes 3 s of the test's time: the pump's second batch ends past its run time.
    const batchMs = 3_000;
    expect(2 * batchMs).toBeGreaterThanOrEqual(PUMP_RUN_MAX_MS);
    expect(batchMs).toBeLessThan(PUMP_RUN_MAX_MS);
    const wire = transport({ dropFirst: false, onAnswered: () => clock.advance(batchMs) });
    const batches = new CommandBatches(clock, wire.send);
    // The first command leaves alone; the rest fill two batches and a third holds the last one.
    const count = 2 * COMMANDS_PER_BATCH_MAX + 2;
    const commands = await Promise.all(
      Array.from({ length: count }, (_, i) => message(`handover-${i}`)),
    );
    const scopes = commands.map(() => scope());
    const answers = commands.map((command, i) => batches.run(scopes[i]!, acct.id, command));
    let settled = 0;
    for (const answer of answers)
      void answer.finally(() => {
        settled += 1;
      });
    for (let step = 0; step < 1_000 && settled < count; step++) {
      await settle(wire.inFlight);
      clock.advance(1);
    }

    for (const [i, answer] of (await Promise.all(answers)).entries())
      expect(answer).toMatchObject({ ok: true, value: { messageId: `handover-${i}` } });
    expect(wire.sent()).toBe(4);
    // Two pumps: the first request's, which retired after its second batch, and one started
    // by a request whose command it left waiting.
    const pumpedBy = scopes.flatMap((s, i) => (s.pumped > 0 ? [i] : []));
    expect(pumpedBy).toHaveLength(2);
    expect(pumpedBy[0]).toBe(0);
    expect(pumpedBy[1]).toBeGreaterThan(COMMANDS_PER_BATCH_MAX);
    const audit = await ledger(acct.id).audit();
    expect(audit.movementCount).toBe(count + 1);
    expect(audit.movementSumMicros).toBe(audit.balanceMicros);
  });
});
