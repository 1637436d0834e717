import type { ExportJob } from "../ledger/export-jobs";
import { notifierFor } from "../notify";
import { exportFailedEmail, exportReadyEmail, type MessageContent } from "../notify/messages";
import { emailDownloadLink } from "./download-links";

/** What became of an export email; a failure worth retrying is thrown instead, for the queue. */
export type ExportEmailOutcome =
  | { sent: true; messageId: string }
  | { sent: false; reason: "no_recipient" | "file_removed" | "rejected"; detail?: string };

/** One key per export and outcome: a redelivered message is one email, however often it runs. */
export const readyEmailKey = (exportId: string) => `export-ready:${exportId}`;
export const failedEmailKey = (exportId: string) => `export-failed:${exportId}`;

export async function sendExportReadyEmail(
  env: Env,
  job: ExportJob,
  nowMs: number,
): Promise<ExportEmailOutcome> {
  const link = await emailDownloadLink(env, job, nowMs);
  if (!link) return { sent: false, reason: "file_removed" };
  const content = exportReadyEmail({
    downloadUrl: link.url,
    periodStartMs: job.periodStartMs,
    periodEndMs: job.periodEndMs,
    linkExpiresAtMs: link.expiresAtMs,
    timeZone: job.timeZone,
  });
  return send(env, job.accountId, content, readyEmailKey(job.id));
}

export function sendExportFailedEmail(env: Env, job: ExportJob): Promise<ExportEmailOutcome> {
  return send(env, job.accountId, exportFailedEmail(), failedEmailKey(job.id));
}

async function send(
  env: Env,
  accountId: string,
  content: MessageContent,
  idempotencyKey: string,
): Promise<ExportEmailOutcome> {
  const account = await env.DB.prepare("SELECT email FROM accounts WHERE id = ?")
    .bind(accountId)
    .first<{ email: string }>();
  if (!account) return { sent: false, reason: "no_recipient" };
  const delivery = await notifierFor(env).sendEmail({
    to: account.email,
    ...content,
    idempotencyKey,
  });
  if (delivery.ok) return { sent: true, messageId: delivery.messageId };
  if (delivery.retryable) throw new Error(`export email not delivered: ${delivery.reason}`);
  return { sent: false, reason: "rejected", detail: delivery.reason };
}
