import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import {
  MOVEMENTS_KEPT_IN_LEDGER_MS,
  MOVEMENTS_PRUNED_PER_RUN,
} from "../../src/ledger/movement-retention";
import { parseMoney } from "../../src/money";
import { adjust, api, d1Sum, drainOutbox, ledger, newAccount } from "../helpers";

const DAY_MS = 86_400_000;

function micros(amount: string): number {
  const parsed = parseMoney(amount);
  if (!parsed.ok) throw new Error(`not an amount: ${amount}`);
  return parsed.micros;
}

/** Backdates the ledger's first `count` movements, as if the account had made them long ago. */
async function backdate(accountId: string, count: number, byMs: number): Promise<void> {
  await runInDurableObject(ledger(accountId), (_instance, state) => {
    state.storage.sql.exec("UPDATE movements SET at_ms = at_ms - ? WHERE seq <= ?", byMs, count);
  });
}

const rowsInLedger = (accountId: string) =>
  runInDurableObject(
    ledger(accountId),
    (_instance, state) =>
      state.storage.sql.exec<{ n: number }>("SELECT count(*) AS n FROM movements").one().n,
  );

async function listAll(
  accountId: string,
  adminKey: string,
  limit: number,
): Promise<Array<{ id: string; amount: string }>> {
  const listed = [];
  let cursor: string | null = null;
  do {
    const page: { status: number; body: any } = await api(
      "GET",
      `/v1/accounts/${accountId}/movements?limit=${limit}${cursor ? `&cursor=${cursor}` : ""}`,
      { token: adminKey },
    );
    expect(page.status).toBe(200);
    listed.push(...page.body.movements);
    cursor = page.body.nextCursor;
  } while (cursor);
  return listed;
}

describe("movement retention in the ledger", () => {
  it("movements D1 has leave the ledger after the retention; the audit still balances and the listing reads them from D1", async () => {
    const acct = await newAccount({ credit: "10.00" });
    for (let i = 0; i < 11; i++) await adjust(acct.id, "-0.10", `old-${i}`);
    await backdate(acct.id, 8, MOVEMENTS_KEPT_IN_LEDGER_MS + DAY_MS);

    // The alarm copies everything to D1 (with the old times), then prunes the old prefix.
    await drainOutbox(acct.id);
    expect(await rowsInLedger(acct.id)).toBe(4);
    const audit = await ledger(acct.id).audit();
    expect(audit).toMatchObject({
      balanceMicros: 8_900_000,
      movementSumMicros: 8_900_000,
      movementCount: 12,
    });
    expect(await d1Sum(acct.id)).toEqual({ n: 12, total: 8_900_000 });

    // Pages of 5 cross from D1 to the ledger: every movement once, in commit order.
    const { results } = await env.DB.prepare(
      "SELECT id FROM movements WHERE account_id = ? ORDER BY seq",
    )
      .bind(acct.id)
      .all<{ id: string }>();
    for (const limit of [5, 8, 500]) {
      const listed = await listAll(acct.id, acct.adminKey, limit);
      expect(listed.map((m) => m.id)).toEqual(results.map((r) => r.id));
      expect(listed.reduce((sum, m) => sum + micros(m.amount), 0)).toBe(8_900_000);
    }

    // A time filter applies on both sides of the line.
    const recent = await api(
      "GET",
      `/v1/accounts/${acct.id}/movements?from=${new Date(Date.now() - DAY_MS).toISOString()}`,
      { token: acct.adminKey },
    );
    expect(recent.body.movements).toHaveLength(4);
  });

  it("prunes a long history a run at a time, the next run due at once, and nothing is lost", async () => {
    const acct = await newAccount({ credit: "1.00" });
    const stub = ledger(acct.id);
    const history = MOVEMENTS_PRUNED_PER_RUN + 10;
    const longAgo = Date.now() - MOVEMENTS_KEPT_IN_LEDGER_MS - DAY_MS;
    // Years of activity in a few lines: alternating ±0.01 adjustments that leave the balance as it was.
    await runInDurableObject(stub, (_instance, state) => {
      for (let i = 0; i < history; i++) {
        state.storage.sql.exec(
          "INSERT INTO movements (id, at_ms, description, interaction_id, amount_micros, balance_after_micros) VALUES (?, ?, 'adjustment', ?, ?, ?)",
          crypto.randomUUID(),
          longAgo,
          `history-${i}`,
          i % 2 === 0 ? -10_000 : 10_000,
          i % 2 === 0 ? 990_000 : 1_000_000,
        );
      }
    });
    await backdate(acct.id, 1, MOVEMENTS_KEPT_IN_LEDGER_MS + DAY_MS);
    expect((await stub.flushOutbox()).ok).toBe(true);

    expect(await runDurableObjectAlarm(stub)).toBe(true);
    expect(await rowsInLedger(acct.id)).toBe(history + 1 - MOVEMENTS_PRUNED_PER_RUN);
    const nextAlarm = await runInDurableObject(stub, (_instance, state) =>
      state.storage.getAlarm(),
    );
    expect(nextAlarm).not.toBeNull();
    expect(nextAlarm!).toBeLessThanOrEqual(Date.now());

    expect(await runDurableObjectAlarm(stub)).toBe(true);
    expect(await rowsInLedger(acct.id)).toBe(0);
    expect(await ledger(acct.id).audit()).toMatchObject({
      balanceMicros: 1_000_000,
      movementSumMicros: 1_000_000,
      movementCount: history + 1,
    });
    const listed = await listAll(acct.id, acct.adminKey, 500);
    expect(listed).toHaveLength(history + 1);
    expect(new Set(listed.map((m) => m.id)).size).toBe(history + 1);
  });

  it("keeps a movement D1 does not have yet, however old", async () => {
    const acct = await newAccount({ credit: "1.00" });
    for (let i = 0; i < 3; i++) await adjust(acct.id, "-0.10", `pending-${i}`);
    await backdate(acct.id, 4, MOVEMENTS_KEPT_IN_LEDGER_MS + DAY_MS);
    await env.DB.exec("ALTER TABLE movements RENAME TO movements_down");
    try {
      expect(await runDurableObjectAlarm(ledger(acct.id))).toBe(true);
    } finally {
      await env.DB.exec("ALTER TABLE movements_down RENAME TO movements");
    }
    expect(await rowsInLedger(acct.id)).toBe(4);
    expect(await ledger(acct.id).audit()).toMatchObject({
      outboxSize: 4,
      movementCount: 4,
      movementSumMicros: 700_000,
    });
  });
});
