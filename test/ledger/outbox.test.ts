import { runDurableObjectAlarm } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { copyMovementsToD1, outboxRetryDelayMs } from "../../src/ledger/outbox";
import { adjust, d1Sum, drainOutbox, ledger, newAccount } from "../helpers";

const takeD1Down = () => env.DB.exec("ALTER TABLE movements RENAME TO movements_down");
const bringD1Back = () => env.DB.exec("ALTER TABLE movements_down RENAME TO movements");

describe("outbox to D1", () => {
  it("copies committed movements to D1 when the alarm runs", async () => {
    const acct = await newAccount({ credit: "10.00" });
    for (let i = 0; i < 20; i++) await adjust(acct.id, "-0.10", `d${i}`);
    expect(await d1Sum(acct.id)).toEqual({ n: 0, total: 0 });
    await drainOutbox(acct.id);
    expect(await d1Sum(acct.id)).toEqual({ n: 21, total: 8_000_000 });
  });

  it("keeps every movement while D1 fails and delivers each exactly once when it is back", async () => {
    const acct = await newAccount({ credit: "10.00" });
    const stub = ledger(acct.id);
    await takeD1Down();
    try {
      for (let i = 0; i < 30; i++) await adjust(acct.id, "-0.01", `while-down-${i}`);
      expect(await runDurableObjectAlarm(stub)).toBe(true);
      expect((await stub.audit()).outboxSize).toBe(31);
      // The failed flush scheduled a retry with backoff instead of giving up.
      expect(await runDurableObjectAlarm(stub)).toBe(true);
      expect((await stub.audit()).outboxSize).toBe(31);
    } finally {
      await bringD1Back();
    }
    await new Promise((resolve) => setTimeout(resolve, outboxRetryDelayMs(2) + 100));
    await drainOutbox(acct.id);
    expect(await d1Sum(acct.id)).toEqual({ n: 31, total: 9_700_000 });
    const audit = await stub.audit();
    expect(audit.movementSumMicros).toBe(audit.balanceMicros);
  });

  it("is harmless when a batch already reached D1 but the answer was lost", async () => {
    const acct = await newAccount({ credit: "1.00" });
    await adjust(acct.id, "-0.25", "x1");
    const page = await ledger(acct.id).movements({ afterSeq: 0, limit: 10 });
    if (!page.ok) throw new Error("no movements");
    await copyMovementsToD1(env.DB, acct.id, page.value.movements);
    await drainOutbox(acct.id);
    expect(await d1Sum(acct.id)).toEqual({ n: 2, total: 750_000 });
  });

  it("backs off 1 s, 2 s, 4 s … up to five minutes", () => {
    expect([1, 2, 3, 4, 20].map(outboxRetryDelayMs)).toEqual([1_000, 2_000, 4_000, 8_000, 300_000]);
  });
});
