import {
  createExecutionContext,
  createMessageBatch,
  getQueueResult,
  runInDurableObject,
  type QueueResult,
} from "cloudflare:test";
import { env } from "cloudflare:workers";
import { expect } from "vitest";
import type { ExportMovement } from "../../src/exports/types";
import worker from "../../src/index";
import type { ExportQueueMessage } from "../../src/ledger/export-jobs";
import { listMailbox, type MailboxEntry } from "../../src/notify";
import { parseMoney } from "../../src/money";
import { api, ledger, type TestAccount } from "../helpers";
import { movementId, parseCsv } from "./helpers";

export const EXPORT_QUEUE = "credit-exports";
export const DEAD_LETTER_QUEUE = "credit-exports-dlq";

let serial = 0;

/**
 * Writes movements straight into D1, as the outbox would have copied them. Tests use it
 * for history the API cannot make (a given instant, an odd interaction id, a corrupt row).
 */
export async function seedD1Movements(
  accountId: string,
  rows: Array<
    Partial<Omit<ExportMovement, "description">> & {
      atMs: number;
      seq: number;
      description?: string;
    }
  >,
): Promise<ExportMovement[]> {
  const insert = env.DB.prepare(
    `INSERT INTO movements (id, account_id, seq, at_ms, description, interaction_id, units, units_charged,
       unit_price_micros, amount_micros, balance_after_micros, user_id, reason)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const movements = rows.map((row) => {
    serial += 1;
    return {
      id: movementId(row.atMs, serial),
      description: "call",
      interactionId: `call-${serial}`,
      units: "seconds",
      unitsCharged: 60,
      unitPriceMicros: 12_000,
      amountMicros: -12_000,
      balanceAfterMicros: 0,
      userId: "user-1",
      reason: null,
      ...row,
    } as ExportMovement & { seq: number };
  });
  await env.DB.batch(
    movements.map((m) =>
      insert.bind(
        m.id,
        accountId,
        m.seq,
        m.atMs,
        m.description,
        m.interactionId,
        m.units,
        m.unitsCharged,
        m.unitPriceMicros,
        m.amountMicros,
        m.balanceAfterMicros,
        m.userId,
        m.reason,
      ),
    ),
  );
  return movements;
}

/**
 * A D1 row the ledger could never have written: reading it fails the export, which is how
 * these tests make the consumer fail. Seq 0 sits below every real movement, so the job's
 * pin (seq <= throughSeq) always includes it.
 */
export async function breakHistory(accountId: string): Promise<void> {
  await seedD1Movements(accountId, [
    { atMs: Date.now() - 60_000, seq: 0, description: "not-a-kind" },
  ]);
}

export async function repairHistory(accountId: string): Promise<void> {
  await env.DB.prepare("DELETE FROM movements WHERE account_id = ? AND description = 'not-a-kind'")
    .bind(accountId)
    .run();
}

/**
 * An export job with a chosen period, as the ledger would hold it, and no queue message:
 * only the deliveries the test makes reach the consumer.
 */
export async function craftExportJob(
  accountId: string,
  job: { periodStartMs: number; periodEndMs: number; throughSeq: number },
): Promise<string> {
  const id = `exp_crafted${crypto.randomUUID().replaceAll("-", "").slice(0, 16)}`;
  await runInDurableObject(ledger(accountId), (_instance, state) => {
    const now = Date.now();
    state.storage.sql.exec(
      `INSERT INTO export_jobs (id, status, period_start_ms, period_end_ms, through_seq, requested_at_ms, queued_at_ms)
       VALUES (?, 'processing', ?, ?, ?, ?, ?)`,
      id,
      job.periodStartMs,
      job.periodEndMs,
      job.throughSeq,
      now,
      now,
    );
  });
  return id;
}

let deliveries = 0;

export interface Delivery extends QueueResult {
  messageId: string;
  /** The delays the handler asked for; the test batch records retries but not their options. */
  retryDelaysSeconds: Array<number | undefined>;
}

/** One delivery of `body` through the Worker's own queue handler, as the queue would make it. */
export async function deliver(queue: string, body: unknown, attempts = 1): Promise<Delivery> {
  deliveries += 1;
  const messageId = `test-delivery-${deliveries}`;
  const batch = createMessageBatch<unknown>(queue, [
    { id: messageId, timestamp: new Date(), attempts, body },
  ]);
  const retryDelaysSeconds: Array<number | undefined> = [];
  for (const delivered of batch.messages) {
    const retry = delivered.retry.bind(delivered);
    delivered.retry = (options?: QueueRetryOptions) => {
      retryDelaysSeconds.push(options?.delaySeconds);
      retry(options);
    };
  }
  const ctx = createExecutionContext();
  const handleBatch: ExportedHandlerQueueHandler<Env, unknown> = worker.queue;
  await handleBatch(batch, env, ctx);
  return { ...(await getQueueResult(batch, ctx)), messageId, retryDelaysSeconds };
}

export const message = (accountId: string, exportId: string): ExportQueueMessage => ({
  accountId,
  exportId,
});

export async function exportStatus(acct: TestAccount, exportId: string) {
  return api("GET", `/v1/accounts/${acct.id}/exports/${exportId}`, { token: acct.adminKey });
}

/** Waits for the real queue's consumer to finish the export. */
export async function waitForExport(
  acct: TestAccount,
  exportId: string,
  status: "ready" | "failed" = "ready",
) {
  for (let i = 0; i < 200; i++) {
    const answer = await exportStatus(acct, exportId);
    if (answer.body.status !== "processing") {
      expect(answer.body.status).toBe(status);
      return answer.body;
    }
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`export ${exportId} still processing`);
}

/** Waits until the account's mailbox holds `count` emails whose subject matches. */
export async function waitForEmails(
  accountId: string,
  subject: RegExp,
  count = 1,
): Promise<MailboxEntry[]> {
  for (let i = 0; i < 200; i++) {
    const found = await emailsTo(accountId, subject);
    if (found.length >= count) return found;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`no ${count} emails matching ${subject} for ${accountId}`);
}

export async function emailsTo(accountId: string, subject: RegExp = /./): Promise<MailboxEntry[]> {
  return (await listMailbox(env.DB, { to: `${accountId}@example.test` })).filter((mail) =>
    subject.test(mail.subject),
  );
}

/** The path and query of the email's "Download Export" link, to request it from the Worker. */
export function linkInEmail(mail: MailboxEntry): string {
  const match = /Download Export: (\S+)/.exec(mail.text);
  if (!match?.[1]) throw new Error(`no download link in: ${mail.text}`);
  const url = new URL(match[1]);
  return `${url.pathname}${url.search}`;
}

export function pathOf(url: string): string {
  const parsed = new URL(url);
  return `${parsed.pathname}${parsed.search}`;
}

export interface DownloadedCsv {
  status: number;
  headers: Headers;
  text: string;
  records: string[][];
}

export async function download(path: string): Promise<DownloadedCsv> {
  const answer = await api<string>("GET", path, { token: null });
  const text = typeof answer.body === "string" ? answer.body : JSON.stringify(answer.body);
  return {
    status: answer.status,
    headers: answer.headers,
    text,
    records: answer.status === 200 ? parseCsv(text) : [],
  };
}

/** The Credit movement column (7th) of the data rows, summed exactly in micros. */
export function creditColumnSumMicros(records: string[][]): number {
  return records.slice(1).reduce((sum, record) => {
    const parsed = parseMoney(record[6] ?? "");
    if (!parsed.ok) throw new Error(`not money: ${record[6]}`);
    return sum + parsed.micros;
  }, 0);
}

export async function exportObjects(accountId: string): Promise<R2Object[]> {
  return (await env.EXPORTS.list({ prefix: `exports/${accountId}/` })).objects;
}
