import { abortAllDurableObjects, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import { ledger, newAccount } from "../helpers";
import {
  authorize,
  balanceOf,
  end,
  EU_PLAN,
  extend,
  movementsOf,
  N,
  setPlan,
  uploadSampleDecks,
} from "./helpers";

beforeAll(uploadSampleDecks);

/**
 * Moves a leg's grant expiry into the past, as if the switch had gone silent long ago,
 * then restarts the object: it holds its running legs in memory, and only storage was changed.
 */
async function expireLeg(accountId: string, callId: string): Promise<void> {
  await runInDurableObject(ledger(accountId), (_instance, state) => {
    state.storage.sql.exec(
      "UPDATE call_legs SET expires_at_ms = ? WHERE call_id = ?",
      Date.now() - 1,
      callId,
    );
  });
  await abortAllDurableObjects();
}

describe("abandoned legs", () => {
  it("a leg never ended is settled by the alarm for the time granted, marked so, and holds nothing after", async () => {
    const acct = await newAccount({ credit: "5.00" });
    await setPlan(acct.id);
    await authorize(acct.id, "lost", { from: N.usAccount, to: N.deFixedBerlin });
    expect((await extend(acct.id, "lost", 240)).body).toMatchObject({
      allowed: true,
      grantSeconds: 300,
    });
    await authorize(acct.id, "alive", { from: N.usAccount, to: N.deFixedBerlin });
    expect((await balanceOf(acct.id)).reserved).toBe("0.14");

    // The alarm before expiry settles nothing.
    await runDurableObjectAlarm(ledger(acct.id));
    expect((await movementsOf(acct.id)).filter((m) => m.description === "call")).toHaveLength(0);

    await expireLeg(acct.id, "lost");
    expect(await runDurableObjectAlarm(ledger(acct.id))).toBe(true);
    const calls = (await movementsOf(acct.id)).filter((m) => m.description === "call");
    expect(calls).toEqual([
      expect.objectContaining({
        interactionId: "lost",
        unitsCharged: 540,
        amount: "-0.09",
        reason:
          "Call to Germany fixed Berlin: number outside package region; never ended, charged for the time granted",
        details: expect.objectContaining({
          abandoned: true,
          durationSeconds: 540,
          billedSeconds: 540,
        }),
      }),
    ]);
    // Only the live leg's reservation is left.
    expect(await balanceOf(acct.id)).toMatchObject({ balance: "4.91", reserved: "0.05" });

    // The switch's late end gets the settlement that was made, and no second movement.
    const late = await end(acct.id, "lost", 100);
    expect(late.body).toMatchObject({
      charged: "0.09",
      billedSeconds: 540,
      movementId: calls[0].id,
    });
    expect(await extend(acct.id, "lost", 600)).toMatchObject({
      body: { allowed: false, reason: "leg_ended" },
    });

    await end(acct.id, "alive", 30);
    expect(await ledger(acct.id).audit()).toMatchObject({
      reservedMicros: 0,
      legsReservedMicros: 0,
      balanceMicros: 4_900_000,
      movementSumMicros: 4_900_000,
    });
  });

  it("an abandoned included leg counts its granted minutes as package use, charging nothing", async () => {
    const acct = await newAccount({ credit: "5.00" });
    await setPlan(acct.id, { ...EU_PLAN, package: { ...EU_PLAN.package, fupMinutesPerUser: 100 } });
    expect(
      (await authorize(acct.id, "inc-lost", { from: N.deAccount, to: N.deMobile })).body
        .grantSeconds,
    ).toBe(600);
    await expireLeg(acct.id, "inc-lost");
    await runDurableObjectAlarm(ledger(acct.id));
    expect((await end(acct.id, "inc-lost", 5)).body).toMatchObject({
      charged: "0.00",
      includedSeconds: 600,
      billing: "included",
    });
    expect(await movementsOf(acct.id)).toHaveLength(1);
  });
});
