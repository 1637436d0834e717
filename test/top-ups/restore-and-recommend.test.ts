import { beforeAll, describe, expect, it } from "vitest";
import { parseMoney } from "../../src/money";
import { adjust, api, newAccount } from "../helpers";
import { authorize, end, N, sendMessage, setPlan, uploadSampleDecks } from "../calls/helpers";
import { credit, settleLedger, topUp } from "./helpers";

function micros(text: string): number {
  const parsed = parseMoney(text);
  if (!parsed.ok) throw new Error(`not money: ${text}`);
  return parsed.micros;
}

describe("top-ups and calling", () => {
  beforeAll(uploadSampleDecks);

  it("a top-up after the credit ran out restores outbound calling, for package calls too", async () => {
    const acct = await newAccount({ credit: "0.05" });
    await setPlan(acct.id);
    await adjust(acct.id, "-0.05", "spent");
    expect((await credit(acct.id)).state).toBe("exhausted");
    const covered = { from: N.deAccount, to: N.deFixedBerlin };
    const refused = await authorize(acct.id, "before", covered);
    expect(refused.body).toMatchObject({ allowed: false, reason: "credit_exhausted" });

    const res = await topUp(acct.id, acct.adminKey, { amount: "10.00" }, "restore");
    expect(res.status).toBe(202);
    await settleLedger(acct.id);
    expect(await credit(acct.id)).toMatchObject({ balance: "10.00", state: "ok" });
    expect((await authorize(acct.id, "after", covered)).body).toMatchObject({
      allowed: true,
      billing: "included",
    });
    expect(
      (await authorize(acct.id, "after-credit", { from: N.usAccount, to: N.deFixedBerlin })).body,
    ).toMatchObject({ allowed: true, billing: "credit" });
  });

  it("recommends a threshold covering 14 days from the spend of the last 30", async () => {
    const acct = await newAccount({ credit: "100.00" });
    await setPlan(acct.id);
    expect((await credit(acct.id)).recommendedThreshold).toBe("0.00");
    // Three US-number calls to Berlin of 65 s (120 s billed) and messages: a known spend.
    for (let i = 0; i < 3; i++) {
      expect(
        (await authorize(acct.id, `c${i}`, { from: N.usAccount, to: N.deFixedBerlin })).body
          .allowed,
      ).toBe(true);
      expect((await end(acct.id, `c${i}`, 65)).status).toBe(200);
    }
    for (let i = 0; i < 4; i++)
      expect(
        (await sendMessage(acct.id, `m${i}`, { channel: "sms", to: N.deMobile, fragments: 2 }))
          .status,
      ).toBe(201);
    // Adjustments and top-ups are not spend.
    await adjust(acct.id, "-5.00", "correction");
    const movements = (await api("GET", `/v1/accounts/${acct.id}/movements?limit=500`)).body
      .movements as Array<{ description: string; amount: string }>;
    const spendMicros = movements
      .filter((m) => m.description !== "adjustment" && m.amount.startsWith("-"))
      .reduce((sum, m) => sum - micros(m.amount), 0);
    expect(spendMicros).toBeGreaterThan(0);
    // 14/30 of the spend, rounded up to the micro and then to the cent: an amount the
    // admin can set as the auto top-up threshold as offered.
    const cent = 10_000;
    const expected = Math.ceil(Math.ceil((spendMicros * 14) / 30) / cent) * cent;
    const view = await credit(acct.id);
    expect(micros(view.recommendedThreshold)).toBe(expected);
    expect(
      (
        await api("PUT", `/v1/accounts/${acct.id}/auto-top-up`, {
          token: acct.adminKey,
          body: {
            enabled: true,
            threshold: view.recommendedThreshold,
            amount: "20.00",
            paymentMethod: "pm_card_visa",
          },
        })
      ).status,
    ).toBe(200);
  });
});
