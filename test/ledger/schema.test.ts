import { abortAllDurableObjects, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { LEDGER_SCHEMA_STEPS } from "../../src/ledger/schema";
import { OUTBOX_MARK } from "../../src/ledger/store";
import { adjust, d1Sum, drainOutbox, ledger, newAccount } from "../helpers";

/** Puts a ledger back to schema 4 with `pending` of its movements in the old outbox table. */
function backToStep4(sql: SqlStorage, pending: number): void {
  // Undo step 6 (card payments) so it can run again after step 5.
  sql.exec("DROP TABLE payment_disputes");
  sql.exec("ALTER TABLE payments DROP COLUMN next_action_url");
  sql.exec("ALTER TABLE payments DROP COLUMN reversed_micros");
  sql.exec("CREATE TABLE outbox (movement_seq INTEGER PRIMARY KEY)");
  sql.exec("INSERT INTO outbox SELECT seq FROM movements ORDER BY seq DESC LIMIT ?", pending);
  sql.exec("DELETE FROM settings WHERE key = ?", OUTBOX_MARK);
  sql.exec("UPDATE schema_version SET version = 4");
}

describe("ledger schema steps", () => {
  it.each([
    { pending: 0, name: "nothing pending" },
    { pending: 3, name: "three movements pending" },
  ])(
    "step 5 turns the outbox table into a mark that keeps what was pending ($name)",
    async ({ pending }) => {
      const acct = await newAccount({ credit: "10.00" });
      await drainOutbox(acct.id);
      const copiedBefore = (await d1Sum(acct.id)).n;
      for (let i = 0; i < 3; i++) await adjust(acct.id, "-0.10", `s${i}`);
      const stub = ledger(acct.id);
      // The three new movements were never copied; the old table lists the last `pending`.
      await runInDurableObject(stub, (_instance, state) => backToStep4(state.storage.sql, pending));
      // A restarted object upgrades its schema before it answers anything.
      await abortAllDurableObjects();
      const version = await runInDurableObject(
        ledger(acct.id),
        (_instance, state) =>
          state.storage.sql.exec<{ version: number }>("SELECT version FROM schema_version").one()
            .version,
      );
      expect(version).toBe(LEDGER_SCHEMA_STEPS.length);
      expect((await ledger(acct.id).audit()).outboxSize).toBe(pending);
      await drainOutbox(acct.id);
      // Movements the old table no longer listed were copied before; the copy is only of the rest.
      expect((await d1Sum(acct.id)).n).toBe(copiedBefore + pending);
    },
  );
});
