import { runInDurableObject } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import { ledger, newAccount } from "../helpers";
import { authorize, balanceOf, end, movementsOf, N, uploadSampleDecks } from "../calls/helpers";

beforeAll(uploadSampleDecks);

/**
 * The ledger keeps one in-memory copy of its tables (src/ledger/memory.ts). A command that
 * fails half-way must leave no trace there: storage rolls its writes back, and the copy of
 * what it wrote (the balance after its movement, the leg it ended) must go with them.
 */
describe("a rolled-back command leaves nothing in memory", () => {
  it("an end that fails after posting its movement changes neither the balance nor the leg", async () => {
    const acct = await newAccount({ credit: "10.00" });
    expect(
      (await authorize(acct.id, "rb-1", { from: N.usAccount, to: N.deFixedBerlin })).body.allowed,
    ).toBe(true);
    const before = await balanceOf(acct.id);
    // A storage fault at the leg's last write, after the movement and the balance changed.
    await runInDurableObject(ledger(acct.id), (_instance, state) => {
      state.storage.sql.exec(
        `CREATE TRIGGER fail_end BEFORE UPDATE OF state ON call_legs
         WHEN NEW.call_id = 'rb-1' BEGIN SELECT RAISE(ABORT, 'injected fault'); END`,
      );
    });
    const failed = await end(acct.id, "rb-1", 65);
    expect(failed.status).toBe(500);
    expect(await balanceOf(acct.id)).toEqual(before);
    let audit = await ledger(acct.id).audit();
    expect(audit.movementSumMicros).toBe(audit.balanceMicros);
    expect(audit.legsReservedMicros).toBe(audit.reservedMicros);
    expect((await movementsOf(acct.id)).filter((m) => m.description === "call")).toHaveLength(0);

    await runInDurableObject(ledger(acct.id), (_instance, state) => {
      state.storage.sql.exec("DROP TRIGGER fail_end");
    });
    const retried = await end(acct.id, "rb-1", 65);
    expect(retried.status).toBe(200);
    expect(retried.body.charged).not.toBe("0.00");
    expect((await movementsOf(acct.id)).filter((m) => m.description === "call")).toHaveLength(1);
    audit = await ledger(acct.id).audit();
    expect(audit.movementSumMicros).toBe(audit.balanceMicros);
    expect(audit.reservedMicros).toBe(0);
    expect((await balanceOf(acct.id)).reserved).toBe("0.00");
  });
});
