import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import { ENDED_LEGS_KEPT_MS, ENDED_LEGS_PRUNED_PER_RUN } from "../../src/ledger/calls";
import { authorize, end, N, uploadSampleDecks } from "../calls/helpers";
import { ledger, newAccount } from "../helpers";

const DAY_MS = 86_400_000;

beforeAll(uploadSampleDecks);

const legIds = (accountId: string) =>
  runInDurableObject(ledger(accountId), (_instance, state) =>
    state.storage.sql
      .exec<{ call_id: string }>("SELECT call_id FROM call_legs ORDER BY call_id")
      .toArray()
      .map((row) => row.call_id),
  );

const nextAlarm = (accountId: string) =>
  runInDurableObject(ledger(accountId), (_instance, state) => state.storage.getAlarm());

describe("call legs housekeeping", () => {
  // Since schema step 9 there are no spend days to prune: the daily cap sums the day's movements.
  it("the alarm prunes legs ended before the retention; running and recent legs stay", async () => {
    const acct = await newAccount({ credit: "10.00" });
    for (const id of ["old-a", "old-b", "recent", "running"]) {
      expect(
        (await authorize(acct.id, id, { from: N.usAccount, to: N.deFixedBerlin })).body.allowed,
      ).toBe(true);
    }
    for (const id of ["old-a", "old-b", "recent"])
      expect((await end(acct.id, id, 65)).status).toBe(200);
    await runInDurableObject(ledger(acct.id), (_instance, state) => {
      const longAgo = Date.now() - ENDED_LEGS_KEPT_MS - DAY_MS;
      state.storage.sql.exec(
        "UPDATE call_legs SET ended_at_ms = ? WHERE call_id IN ('old-a', 'old-b')",
        longAgo,
      );
      state.storage.sql.exec(
        "UPDATE call_legs SET ended_at_ms = ? WHERE call_id = 'recent'",
        Date.now() - ENDED_LEGS_KEPT_MS + DAY_MS,
      );
    });

    expect(await runDurableObjectAlarm(ledger(acct.id))).toBe(true);
    expect(await legIds(acct.id)).toEqual(["recent", "running"]);
    // The running leg still settles: its reservation is released by its end.
    expect((await end(acct.id, "running", 65)).body).toMatchObject({ charged: "0.02" });
  });

  it("a long backlog of old legs is pruned a run at a time, the next run due at once", async () => {
    const acct = await newAccount({ credit: "1.00" });
    const backlog = ENDED_LEGS_PRUNED_PER_RUN + 7;
    const longAgo = Date.now() - ENDED_LEGS_KEPT_MS - DAY_MS;
    await runInDurableObject(ledger(acct.id), (_instance, state) => {
      for (let i = 0; i < backlog; i++) {
        state.storage.sql.exec(
          `INSERT INTO call_legs (call_id, leg, state, user_id, request, answer, terms, month, granted_seconds, included_hold_seconds,
             reserved_micros, expires_at_ms, created_at_ms, ended_at_ms)
           VALUES (?, 'primary', 'ended', 'u', '{}', '{}', '{}', '2000-01', 60, 0, 0, ?, ?, ?)`,
          `backlog-${i}`,
          longAgo,
          longAgo,
          longAgo,
        );
      }
    });

    expect(await runDurableObjectAlarm(ledger(acct.id))).toBe(true);
    expect(await legIds(acct.id)).toHaveLength(backlog - ENDED_LEGS_PRUNED_PER_RUN);
    expect(await nextAlarm(acct.id)).toBeLessThanOrEqual(Date.now());

    expect(await runDurableObjectAlarm(ledger(acct.id))).toBe(true);
    expect(await legIds(acct.id)).toEqual([]);
    // Done for the day: the next pruning is a day away (no other work is due on this account).
    expect(await nextAlarm(acct.id)).toBeGreaterThan(Date.now() + DAY_MS / 2);
  });
});
