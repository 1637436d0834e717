import { runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { AccountLedger } from "../../src/ledger/account-ledger";
import { adjust, d1Sum, ledger, newAccount } from "../helpers";
import { credit, mailTo, settleLedger, topUp, topUpMovements } from "../top-ups/helpers";

/** Alarms are at-least-once: the runtime may run one again, even while it still runs. */
async function runAlarmTwiceAtOnce(accountId: string): Promise<void> {
  await runInDurableObject(ledger(accountId), async (instance: AccountLedger) => {
    await Promise.all([instance.alarm(), instance.alarm()]);
  });
}

describe("a retried alarm", () => {
  it("charges a top-up once, copies each movement once, and sends each notice once", async () => {
    const acct = await newAccount({ credit: "1.00" });
    await topUp(acct.id, acct.adminKey, { amount: "10.00" }, "retry-1");
    await adjust(acct.id, "-12.00", "into-the-red");
    await runAlarmTwiceAtOnce(acct.id);
    await runAlarmTwiceAtOnce(acct.id);
    await settleLedger(acct.id);
    expect(await topUpMovements(acct.id)).toHaveLength(1);
    expect((await credit(acct.id)).balance).toBe("-1.00");
    await runAlarmTwiceAtOnce(acct.id);
    const audit = await ledger(acct.id).audit();
    expect(audit.outboxSize).toBe(0);
    expect(await d1Sum(acct.id)).toEqual({ n: audit.movementCount, total: audit.balanceMicros });
    const mail = await mailTo(acct.id);
    expect(mail.filter((m) => m.subject === "Your credit has run out")).toHaveLength(1);
  });
});
