import { abortAllDurableObjects, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import {
  authorize,
  end,
  extend,
  movementsOf,
  N,
  setPlan,
  uploadSampleDecks,
} from "../calls/helpers";
import { d1Sum, drainOutbox, ledger, newAccount, type ApiAnswer } from "../helpers";

/**
 * The account's Durable Object is aborted (in-memory state gone, as on a crash, a deploy
 * or a machine moving) at each point of a call's life. What was committed survives; what
 * was cut off is retried by the switch or the alarm; each leg is charged exactly once.
 */

beforeAll(uploadSampleDecks);

/** A US number calling Berlin under the EU package: billed from credit, so it holds a reservation. */
const CREDIT_LEG = { from: N.usAccount, to: N.deFixedBerlin };

/** The switch's behaviour on a failed request: the same request again, a few times. */
async function untilAnswered(request: () => Promise<ApiAnswer>, attempts = 5): Promise<ApiAnswer> {
  let last: ApiAnswer | null = null;
  for (let i = 0; i < attempts; i++) {
    try {
      last = await request();
      if (last.status < 500) return last;
    } catch {
      // the connection was cut with the object; try again
    }
  }
  throw new Error(`no answer after ${attempts} attempts: ${JSON.stringify(last?.body)}`);
}

const MARK = "__abortProbe";

/**
 * Aborts every Durable Object and checks the account's ledger really is a new instance
 * afterwards (a mark left on the old one is gone), so no test passes on a no-op abort.
 */
async function abort(accountId: string): Promise<void> {
  await runInDurableObject(ledger(accountId), (instance: object) => {
    (instance as Record<string, unknown>)[MARK] = true;
  });
  await abortAllDurableObjects();
  expect(await runInDurableObject(ledger(accountId), (instance: object) => MARK in instance)).toBe(
    false,
  );
}

async function expireLeg(accountId: string, callId: string): Promise<void> {
  await runInDurableObject(ledger(accountId), (_instance, state) => {
    state.storage.sql.exec(
      "UPDATE call_legs SET expires_at_ms = ? WHERE call_id = ?",
      Date.now() - 1,
      callId,
    );
  });
}

async function callMovements(accountId: string) {
  return (await movementsOf(accountId)).filter((m) => m.description === "call");
}

/** Balance = sum of movements, nothing held, and D1 holds the same after the outbox drains. */
async function expectSettledBooks(accountId: string): Promise<void> {
  const audit = await ledger(accountId).audit();
  expect(audit.movementSumMicros).toBe(audit.balanceMicros);
  expect(audit.reservedMicros).toBe(0);
  expect(audit.legsReservedMicros).toBe(0);
  await drainOutbox(accountId);
  expect(await d1Sum(accountId)).toEqual({ n: audit.movementCount, total: audit.balanceMicros });
}

describe("a Durable Object aborted during a call", () => {
  it("keeps the reservation across aborts, and the end charges once however often it is retried", async () => {
    const acct = await newAccount({ credit: "5.00" });
    await setPlan(acct.id);
    const authorized = await authorize(acct.id, "abort-1", CREDIT_LEG);
    expect(authorized.body).toMatchObject({ allowed: true, billing: "credit" });
    const held = await ledger(acct.id).audit();
    expect(held.reservedMicros).toBeGreaterThan(0);

    await abort(acct.id);
    expect(await ledger(acct.id).audit()).toEqual(held);
    // The switch retries the authorize it never heard back from: the same answer, no second hold.
    expect((await authorize(acct.id, "abort-1", CREDIT_LEG)).body).toEqual(authorized.body);
    expect((await ledger(acct.id).audit()).reservedMicros).toBe(held.reservedMicros);

    const extended = await extend(acct.id, "abort-1", 50);
    expect(extended.body).toMatchObject({ allowed: true });
    await abort(acct.id);
    expect((await extend(acct.id, "abort-1", 50)).body).toEqual(extended.body);

    await abort(acct.id);
    const ended = await end(acct.id, "abort-1", 100);
    expect(ended.status).toBe(200);
    expect(ended.body).toMatchObject({ charged: "0.02", billedSeconds: 120 });
    await abort(acct.id);
    const retried = await end(acct.id, "abort-1", 100);
    expect(retried.body).toEqual(ended.body);

    const calls = await callMovements(acct.id);
    expect(calls).toHaveLength(1);
    expect(calls[0]).toMatchObject({ id: ended.body.movementId, amount: "-0.02" });
    expect((await ledger(acct.id).audit()).movementCount).toBe(held.movementCount + 1);
    await expectSettledBooks(acct.id);
  });

  it("settles each leg once when ends are cut off by an abort and retried", async () => {
    const acct = await newAccount({ credit: "5.00" });
    await setPlan(acct.id);
    const legs = Array.from({ length: 12 }, (_, i) => `cut-${i}`);
    for (const callId of legs)
      expect((await authorize(acct.id, callId, CREDIT_LEG)).body.allowed).toBe(true);
    const before = await ledger(acct.id).audit();

    // The ends and the abort race. Whichever instance serves an end (workerd tends to let the
    // old one finish, or hand the request to the new one), a failed try is retried like the
    // switch would, and the books must show each leg charged once.
    const [firstTries] = await Promise.all([
      Promise.allSettled(legs.map((callId) => end(acct.id, callId, 65))),
      (async () => {
        await new Promise((resolve) => setTimeout(resolve, 2));
        await abortAllDurableObjects();
      })(),
    ]);
    const answered = new Map<string, unknown>();
    firstTries.forEach((outcome, i) => {
      if (outcome.status === "fulfilled" && outcome.value.status === 200)
        answered.set(legs[i] as string, outcome.value.body);
    });

    for (const callId of legs) {
      const retried = await untilAnswered(() => end(acct.id, callId, 65));
      expect(retried.status).toBe(200);
      if (answered.has(callId)) expect(retried.body, callId).toEqual(answered.get(callId));
      expect(retried.body).toMatchObject({ charged: "0.02", billedSeconds: 120 });
    }

    const calls = await callMovements(acct.id);
    expect(calls.map((m) => m.interactionId).sort()).toEqual([...legs].sort());
    expect((await ledger(acct.id).audit()).movementCount).toBe(before.movementCount + legs.length);
    await expectSettledBooks(acct.id);
  });

  it("still settles an abandoned leg through the alarm after an abort, once, and a late end agrees", async () => {
    const acct = await newAccount({ credit: "5.00" });
    await setPlan(acct.id);
    expect((await authorize(acct.id, "lost", CREDIT_LEG)).body.allowed).toBe(true);
    await abort(acct.id);
    await expireLeg(acct.id, "lost");
    await abort(acct.id);

    // The alarm set at authorize survived the abort and settles the leg.
    expect(await runDurableObjectAlarm(ledger(acct.id))).toBe(true);
    const calls = await callMovements(acct.id);
    expect(calls).toEqual([
      expect.objectContaining({
        interactionId: "lost",
        details: expect.objectContaining({ abandoned: true }),
      }),
    ]);

    await abort(acct.id);
    await runDurableObjectAlarm(ledger(acct.id));
    const late = await end(acct.id, "lost", 30);
    expect(late.body).toMatchObject({ movementId: calls[0].id });
    expect(await callMovements(acct.id)).toHaveLength(1);
    await expectSettledBooks(acct.id);
  });

  it("settles an abandoned leg once when the alarm itself is aborted and run again", async () => {
    const acct = await newAccount({ credit: "5.00" });
    await setPlan(acct.id);
    const legs = Array.from({ length: 6 }, (_, i) => `gone-${i}`);
    for (const callId of legs)
      expect((await authorize(acct.id, callId, CREDIT_LEG)).body.allowed).toBe(true);
    for (const callId of legs) await expireLeg(acct.id, callId);

    await Promise.allSettled([runDurableObjectAlarm(ledger(acct.id)), abortAllDurableObjects()]);
    // The runtime retries an alarm that did not finish; here the test plays the runtime.
    for (let i = 0; i < 5 && (await ledger(acct.id).audit()).reservedMicros > 0; i++) {
      await runInDurableObject(ledger(acct.id), (instance: { alarm(): Promise<void> }) =>
        instance.alarm(),
      );
    }

    const calls = await callMovements(acct.id);
    expect(calls.map((m) => m.interactionId).sort()).toEqual([...legs].sort());
    for (const callId of legs) {
      const late = await end(acct.id, callId, 10);
      expect(late.body.movementId).toBe(calls.find((m) => m.interactionId === callId)?.id);
    }
    expect(await callMovements(acct.id)).toHaveLength(legs.length);
    await expectSettledBooks(acct.id);
  });
});
