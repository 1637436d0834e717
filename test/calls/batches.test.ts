import { abortAllDurableObjects, runInDurableObject } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import { ledger, newAccount } from "../helpers";
import {
  authorize,
  balanceOf,
  end,
  movementsOf,
  N,
  sendMessage,
  uploadSampleDecks,
} from "./helpers";

beforeAll(uploadSampleDecks);

/**
 * The switch's commands for one account travel to its ledger in batches
 * (src/ledger-client/batches.ts). Concurrent requests are what fills a batch; these tests
 * check that every request still gets the answer it would get alone.
 */
describe("commands batched per account", () => {
  it("concurrent authorizations, retries, conflicts, ends and messages each get their own answer", async () => {
    const acct = await newAccount({ credit: "10.00" });
    const legs = Array.from({ length: 30 }, (_, i) => `batch-${i}`);
    const answers = await Promise.all([
      ...legs.map((id) => authorize(acct.id, id, { from: N.usAccount, to: N.deFixedBerlin })),
      // The same request again under the first id, and another request under the second.
      authorize(acct.id, legs[0]!, { from: N.usAccount, to: N.deFixedBerlin }),
      authorize(acct.id, legs[1]!, { from: N.usAccount, to: N.frFixed }),
      ...Array.from({ length: 10 }, (_, i) =>
        sendMessage(acct.id, `batch-msg-${i}`, { channel: "sms", to: N.deMobile, fragments: 1 }),
      ),
    ]);
    const [authorizations, retry, conflict, messages] = [
      answers.slice(0, 30),
      answers[30]!,
      answers[31]!,
      answers.slice(32),
    ];
    for (const a of authorizations.filter((_, i) => i !== 1))
      expect(a.body).toMatchObject({ allowed: true, billing: "credit" });
    expect(retry.body).toEqual(authorizations[0]!.body);
    // The two requests under the second id may reach the ledger in either order: the first
    // is authorized, the other refused.
    const [refused, allowed] =
      conflict.status === 409 ? [conflict, authorizations[1]!] : [authorizations[1]!, conflict];
    expect(refused.body.error.code).toBe("id_reused");
    expect(allowed.body).toMatchObject({ allowed: true, billing: "credit" });
    for (const m of messages) expect(m.status).toBe(201);

    const ends = await Promise.all(legs.map((id) => end(acct.id, id, 65)));
    // Every leg is charged once, whichever destination its id was authorized for.
    for (const e of ends) expect(e.status).toBe(200);
    expect(ends.filter((e) => e.body.charged !== "0.00")).toHaveLength(30);
    const calls = (await movementsOf(acct.id)).filter((m) => m.description === "call");
    expect(calls).toHaveLength(30);
    const audit = await ledger(acct.id).audit();
    expect(audit.movementSumMicros).toBe(audit.balanceMicros);
    expect((await balanceOf(acct.id)).reserved).toBe("0.00");
  });

  it("a command that fails inside the ledger fails alone; the rest of its batch is answered", async () => {
    const acct = await newAccount({ credit: "10.00" });
    const legs = Array.from({ length: 12 }, (_, i) => `fails-alone-${i}`);
    for (const id of legs)
      expect(
        (await authorize(acct.id, id, { from: N.usAccount, to: N.deFixedBerlin })).body.allowed,
      ).toBe(true);
    // One leg's stored terms are unreadable: settling it throws.
    await runInDurableObject(ledger(acct.id), (_instance, state) => {
      state.storage.sql.exec("UPDATE call_legs SET terms = 'not json' WHERE call_id = ?", legs[5]);
    });
    await abortAllDurableObjects(); // forget the running legs the ledger kept in memory

    const ends = await Promise.all(legs.map((id) => end(acct.id, id, 65)));
    expect(ends[5]!.status).toBe(500);
    expect(ends[5]!.body.error.code).toBe("internal_error");
    for (const [i, e] of ends.entries())
      if (i !== 5) expect(e.body).toMatchObject({ charged: "0.02" });
    expect((await movementsOf(acct.id)).filter((m) => m.description === "call")).toHaveLength(11);
    const audit = await ledger(acct.id).audit();
    expect(audit.movementSumMicros).toBe(audit.balanceMicros);
  });
});
