import type { ExportQueueMessage } from "../ledger/export-jobs";
import { failExport, runExport, type ExportConsumerOptions, type ExportRun } from "./consumer";
import { EXPORT_RETRY_BASE_SECONDS, EXPORT_RETRY_FACTOR, EXPORT_RETRY_MAX_SECONDS } from "./limits";

/**
 * The export queue (`credit-exports`) and its dead-letter queue (`credit-exports-dlq`) are
 * both consumed here; wrangler.toml names them, and a deployment that renames them keeps
 * the `-dlq` suffix for the dead-letter one.
 */
export const DEAD_LETTER_SUFFIX = "-dlq";

export function isDeadLetterQueue(queueName: string): boolean {
  return queueName.endsWith(DEAD_LETTER_SUFFIX);
}

/** 10 s, 40 s, 160 s, …: a passing D1 or R2 fault gets time to pass before the next try. */
export function exportRetryDelaySeconds(attempts: number): number {
  const delay = EXPORT_RETRY_BASE_SECONDS * EXPORT_RETRY_FACTOR ** Math.max(0, attempts - 1);
  return Math.min(EXPORT_RETRY_MAX_SECONDS, delay);
}

/** Anything else on the queue is a bug of a producer; it is logged and dropped, since no retry can fix it. */
export function parseExportMessage(body: unknown): ExportQueueMessage | null {
  if (typeof body !== "object" || body === null) return null;
  const { accountId, exportId } = body as Record<string, unknown>;
  if (typeof accountId !== "string" || typeof exportId !== "string" || !accountId || !exportId)
    return null;
  return { accountId, exportId };
}

/**
 * Each message is acked or retried on its own, with a growing delay; after the queue's
 * max_retries it lands in the dead-letter queue, whose handler fails the job and says so.
 */
export async function handleExportQueue(
  batch: MessageBatch<unknown>,
  env: Env,
  options: ExportConsumerOptions = {},
): Promise<void> {
  const deadLetter = isDeadLetterQueue(batch.queue);
  for (const message of batch.messages) {
    const body = parseExportMessage(message.body);
    if (!body) {
      log("warn", { event: "export_message_malformed", queue: batch.queue, messageId: message.id });
      message.ack();
      continue;
    }
    try {
      const run = deadLetter
        ? await failExport(env, body, options)
        : await runExport(env, body, options);
      log("log", {
        ...runSummary(run),
        queue: batch.queue,
        messageId: message.id,
        attempts: message.attempts,
        ...body,
      });
      message.ack();
    } catch (error) {
      const delaySeconds = exportRetryDelaySeconds(message.attempts);
      log("error", {
        event: "export_attempt_failed",
        queue: batch.queue,
        messageId: message.id,
        attempts: message.attempts,
        retryInSeconds: delaySeconds,
        ...body,
        error: String(error),
      });
      message.retry({ delaySeconds });
    }
  }
}

function runSummary(run: ExportRun): Record<string, unknown> {
  switch (run.outcome) {
    case "written":
      return {
        event: "export_written",
        status: run.job.status,
        rows: run.job.rows,
        bytes: run.bytes,
        parts: run.parts,
        elapsedMs: run.elapsedMs,
        email: run.email.sent ? "sent" : run.email.reason,
      };
    case "settled":
      return {
        event: "export_settled",
        status: run.job.status,
        email: run.email.sent ? "sent" : run.email.reason,
      };
    case "gone":
      return { event: "export_job_gone", reason: run.refusal.reason };
    default: {
      const unknownRun: never = run;
      throw new Error(`unhandled export run ${JSON.stringify(unknownRun)}`);
    }
  }
}

function log(level: "log" | "warn" | "error", fields: Record<string, unknown>): void {
  console[level](JSON.stringify(fields));
}
