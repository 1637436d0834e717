import { ledgerOf } from "../ledger-client/ledger-of";
import type { ExportJob, ExportQueueMessage } from "../ledger/export-jobs";
import type { LedgerRefusal } from "../ledger/types";
import { CSV_CONTENT_TYPE } from "./csv";
import { accountHistory, historyPages } from "../history/read";
import { sendExportFailedEmail, sendExportReadyEmail, type ExportEmailOutcome } from "./emails";
import { attachmentDisposition } from "./file-name";
import { R2MultipartTextWriter } from "./multipart-writer";
import { recordFromJob, upsertExportRecord } from "./records";
import { exportObjectKey, writeExportFile } from "./writer";

export interface ExportConsumerOptions {
  nowMs?: () => number;
  /** Tests and the bench may use smaller parts or pages; production uses the named limits. */
  partBytes?: number;
  pageRows?: number;
}

/**
 * What one delivery did. Anything worth retrying (D1, R2, the ledger or the email provider
 * failing) is thrown instead, and the queue handler asks for a redelivery.
 */
export type ExportRun =
  | {
      outcome: "written";
      job: ExportJob;
      bytes: number;
      parts: number;
      elapsedMs: number;
      email: ExportEmailOutcome;
    }
  | { outcome: "settled"; job: ExportJob; email: ExportEmailOutcome }
  | { outcome: "gone"; refusal: LedgerRefusal };

/**
 * Builds the file of one export job, or, when the ledger says the job already finished,
 * only makes sure its D1 record and its email exist. That is what makes a redelivered
 * message harmless: one file, one record, one email.
 */
export async function runExport(
  env: Env,
  message: ExportQueueMessage,
  options: ExportConsumerOptions = {},
): Promise<ExportRun> {
  const nowMs = options.nowMs ?? Date.now;
  const ledger = ledgerOf(env, message.accountId);
  const found = await ledger.exportJob(message.exportId);
  if (!found.ok) return { outcome: "gone", refusal: found.refusal };
  const job = found.value;
  if (job.status !== "processing")
    return { outcome: "settled", job, email: await settle(env, job, null, nowMs()) };

  const startedMs = nowMs();
  // D1 is the outbox's copy: every movement up to the job's pinned seq must be there first.
  const flushed = await ledger.flushOutbox();
  if (!flushed.ok) return { outcome: "gone", refusal: flushed.refusal };
  const key = exportObjectKey(job.accountId, job.id);
  const file = await writeExportFile({
    // The account's own shard, and its months in R2 should the period reach that far back.
    pages: historyPages(env, await accountHistory(env, job.accountId), {
      fromMs: job.periodStartMs,
      toMs: job.periodEndMs,
      throughSeq: job.throughSeq,
      ...(options.pageRows ? { pageRows: options.pageRows } : {}),
    }),
    timeZone: job.timeZone,
    period: job,
    file: new R2MultipartTextWriter(env.EXPORTS, key, {
      ...(options.partBytes ? { partBytes: options.partBytes } : {}),
      httpMetadata: {
        contentType: CSV_CONTENT_TYPE,
        contentDisposition: attachmentDisposition(job),
      },
      customMetadata: { accountId: job.accountId, exportId: job.id },
    }),
  });
  const finished = await ledger.finishExport(job.id, {
    status: "ready",
    rows: file.rows,
    sumMicros: file.sumMicros,
    objectKey: key,
  });
  if (!finished.ok) return { outcome: "gone", refusal: finished.refusal };
  // Not changed: another delivery of the same job finished it first, as ready (same file)
  // or as failed (then this file is an orphan and settle removes it).
  const email = await settle(env, finished.value.job, file.bytes, nowMs());
  return {
    outcome: "written",
    job: finished.value.job,
    bytes: file.bytes,
    parts: file.object.parts,
    elapsedMs: nowMs() - startedMs,
    email,
  };
}

/**
 * The dead-letter handler: the queue gave up on the job, so the ledger records it as failed
 * (unless a delivery finished it meanwhile), the admin is told, and a new request is allowed.
 */
export async function failExport(
  env: Env,
  message: ExportQueueMessage,
  options: Pick<ExportConsumerOptions, "nowMs"> = {},
): Promise<ExportRun> {
  const nowMs = options.nowMs ?? Date.now;
  const finished = await ledgerOf(env, message.accountId).finishExport(message.exportId, {
    status: "failed",
    failure: "The export did not finish after the queue's retries.",
  });
  if (!finished.ok) return { outcome: "gone", refusal: finished.refusal };
  const job = finished.value.job;
  return { outcome: "settled", job, email: await settle(env, job, null, nowMs()) };
}

/** Makes the D1 record and the email match the ledger's outcome; safe to repeat. */
async function settle(
  env: Env,
  job: ExportJob,
  bytes: number | null,
  nowMs: number,
): Promise<ExportEmailOutcome> {
  if (job.status === "failed") {
    // A failed export never offers a file, so whatever a delivery left under its key goes.
    await env.EXPORTS.delete(exportObjectKey(job.accountId, job.id));
    await upsertExportRecord(env.DB, recordFromJob(job, null));
    return sendExportFailedEmail(env, job);
  }
  await upsertExportRecord(env.DB, recordFromJob(job, bytes));
  return sendExportReadyEmail(env, job, nowMs);
}
