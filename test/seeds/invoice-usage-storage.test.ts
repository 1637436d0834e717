// The ledger's invoice_usage table: schema step 7 upgrades a ledger and keeps its rows, and
// the daily housekeeping removes records past INVOICE_USAGE_KEPT_MS.
import { abortAllDurableObjects, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import { INVOICE_USAGE_KEPT_MS } from "../../src/ledger/invoice-usage";
import { LEDGER_SCHEMA_STEPS } from "../../src/ledger/schema";
import { EU_PLAN, reportUsage, setPlan, uploadSampleDecks } from "../calls/helpers";
import { api, ledger, newAccount } from "../helpers";

beforeAll(uploadSampleDecks);

const INVOICE_PLAN = { ...EU_PLAN, serviceBilling: { stt: "invoice" } };

describe("invoice usage storage", () => {
  it("step 7 adds the table to a ledger at step 6 and keeps its movements", async () => {
    const acct = await newAccount({ credit: "3.00" });
    await runInDurableObject(ledger(acct.id), (_instance, state) => {
      // Back to step 6: what steps 7 (this table) and 8 (card payments) made goes.
      state.storage.sql.exec("DROP TABLE invoice_usage");
      state.storage.sql.exec("DROP TABLE payment_disputes");
      state.storage.sql.exec("ALTER TABLE payments DROP COLUMN next_action_url");
      state.storage.sql.exec("ALTER TABLE payments DROP COLUMN reversed_micros");
      state.storage.sql.exec("UPDATE schema_version SET version = 6");
    });
    await abortAllDurableObjects();
    const version = await runInDurableObject(
      ledger(acct.id),
      (_instance, state) =>
        state.storage.sql.exec<{ version: number }>("SELECT version FROM schema_version").one()
          .version,
    );
    expect(version).toBe(LEDGER_SCHEMA_STEPS.length);
    expect((await ledger(acct.id).audit()).movementSumMicros).toBe(3_000_000);
    await setPlan(acct.id, INVOICE_PLAN);
    expect(
      (await reportUsage(acct.id, "after-upgrade", { service: "stt", seconds: 60 })).status,
    ).toBe(201);
    const listing = await api("GET", `/v1/accounts/${acct.id}/invoice-usage`);
    expect(listing.body.usage).toHaveLength(1);
  });

  it("removes records older than the retention in the daily housekeeping, and keeps the rest", async () => {
    const acct = await newAccount();
    await setPlan(acct.id, INVOICE_PLAN);
    await reportUsage(acct.id, "old", { service: "stt", seconds: 60 });
    await reportUsage(acct.id, "recent", { service: "stt", seconds: 60 });
    const stub = ledger(acct.id);
    await runInDurableObject(stub, async (_instance, state) => {
      state.storage.sql.exec(
        "UPDATE invoice_usage SET at_ms = ? WHERE usage_id = 'old'",
        Date.now() - INVOICE_USAGE_KEPT_MS - 60_000,
      );
      state.storage.sql.exec("DELETE FROM settings WHERE key = 'invoice_usage_pruned_at_ms'");
      await state.storage.setAlarm(Date.now());
    });
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    const left = await runInDurableObject(stub, (_instance, state) =>
      state.storage.sql
        .exec<{ usage_id: string }>("SELECT usage_id FROM invoice_usage ORDER BY seq")
        .toArray()
        .map((r) => r.usage_id),
    );
    expect(left).toEqual(["recent"]);
  });
});
