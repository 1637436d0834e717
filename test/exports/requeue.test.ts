import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { EXPORT_REQUEUE_AFTER_MS, EXPORT_STALE_AFTER_MS } from "../../src/ledger/export-jobs";
import { ledger, newAccount } from "../helpers";
import { breakHistory, emailsTo, exportStatus, waitForEmails, waitForExport } from "./flow-helpers";

/** A job as the ledger holds it, requested `ageMs` ago, with or without its message sent. */
async function jobRequestedAgo(accountId: string, ageMs: number, queued: boolean): Promise<string> {
  const id = `exp_aged${crypto.randomUUID().replaceAll("-", "").slice(0, 16)}`;
  await runInDurableObject(ledger(accountId), async (_instance, state) => {
    const requestedAtMs = Date.now() - ageMs;
    state.storage.sql.exec(
      `INSERT INTO export_jobs (id, status, period_start_ms, period_end_ms, through_seq, requested_at_ms, queued_at_ms)
       VALUES (?, 'processing', ?, ?, 0, ?, ?)`,
      id,
      requestedAtMs - 86_400_000,
      requestedAtMs,
      requestedAtMs,
      queued ? requestedAtMs : null,
    );
    await state.storage.setAlarm(Date.now());
  });
  return id;
}

const queuedAtMs = (accountId: string, id: string) =>
  runInDurableObject(
    ledger(accountId),
    (_instance, state) =>
      state.storage.sql
        .exec<{ queued_at_ms: number | null }>(
          "SELECT queued_at_ms FROM export_jobs WHERE id = ?",
          id,
        )
        .one().queued_at_ms,
  );

describe("the ledger's alarm and export jobs", () => {
  it("sends the message of a job whose send never happened, and the export completes", async () => {
    const acct = await newAccount();
    const id = await jobRequestedAgo(acct.id, EXPORT_REQUEUE_AFTER_MS + 1_000, false);
    expect(await runDurableObjectAlarm(ledger(acct.id))).toBe(true);
    expect(await queuedAtMs(acct.id, id)).not.toBeNull();
    await waitForExport(acct, id);
  });

  it("does not send a job's message again while the queue holds it, however long it takes", async () => {
    const acct = await newAccount();
    const id = await jobRequestedAgo(acct.id, 10 * EXPORT_REQUEUE_AFTER_MS, true);
    const before = await queuedAtMs(acct.id, id);
    expect(await runDurableObjectAlarm(ledger(acct.id))).toBe(true);
    expect(await queuedAtMs(acct.id, id)).toBe(before);
    expect((await exportStatus(acct, id)).body.status).toBe("processing");
  });

  it("fails a job whose consumer is gone, and the admin gets the failure email", async () => {
    const acct = await newAccount();
    await breakHistory(acct.id);
    const id = await jobRequestedAgo(acct.id, EXPORT_STALE_AFTER_MS + 1_000, true);
    expect(await runDurableObjectAlarm(ledger(acct.id))).toBe(true);
    expect((await exportStatus(acct, id)).body.status).toBe("failed");
    const [email] = await waitForEmails(acct.id, /export failed/);
    expect(email!.subject).toBe("Your credit movements export failed");
    expect(await emailsTo(acct.id)).toHaveLength(1);
  });
});
