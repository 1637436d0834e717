import { exportWindow } from "../exports/window";
import type { LedgerCore } from "./core";
import { randomId } from "./ids";
import { ok, refuse, type LedgerResult } from "./types";

/**
 * An export whose queue message was never sent (the send failed, or the object stopped
 * between committing the job and sending) is sent again this long after the request. A sent
 * message is not sent again: Queues keep it until a consumer acks it or the dead-letter
 * handler fails the job, and a second copy would build the same file twice in parallel.
 */
export const EXPORT_REQUEUE_AFTER_MS = 60_000;
/**
 * An export still processing after this long has lost its consumer (crash past the
 * queue's retries without reaching the dead-letter handler): it is failed so the admin
 * can ask again.
 */
export const EXPORT_STALE_AFTER_MS = 60 * 60_000;

export type ExportStatus = "processing" | "ready" | "failed";

export interface ExportJob {
  id: string;
  accountId: string;
  timeZone: string;
  status: ExportStatus;
  periodStartMs: number;
  periodEndMs: number;
  /** The last ledger movement the export includes: later movements never shift it. */
  throughSeq: number;
  requestedAtMs: number;
  finishedAtMs: number | null;
  rows: number | null;
  sumMicros: number | null;
  objectKey: string | null;
  failure: string | null;
}

export interface ExportQueueMessage {
  accountId: string;
  exportId: string;
}

/**
 * The account's export jobs. The ledger decides whether a request starts a new export,
 * so two racing clicks make one, and pins each export to the movements committed then.
 */
export class ExportJobs {
  constructor(private readonly core: LedgerCore) {}

  /** Starts an export, or returns the one in flight; `created` says which. */
  async request(): Promise<LedgerResult<{ job: ExportJob; created: boolean }>> {
    const core = this.core;
    const started = core.transaction(() => {
      const account = core.account();
      if (!account)
        return refuse<{ job: ExportJob; created: boolean }>({ reason: "account_not_found" });
      const inFlight = this.#find("status = 'processing' ORDER BY requested_at_ms DESC LIMIT 1");
      if (inFlight) return ok({ job: inFlight, created: false });
      const now = Date.now();
      const window = exportWindow(now, account.timeZone);
      const id = randomId("exp");
      core.store.sql.exec(
        `INSERT INTO export_jobs (id, status, period_start_ms, period_end_ms, through_seq, requested_at_ms)
         VALUES (?, 'processing', ?, ?, ?, ?)`,
        id,
        window.periodStartMs,
        window.periodEndMs,
        core.store.lastMovementSeq(),
        now,
      );
      core.wakeAt(now + EXPORT_REQUEUE_AFTER_MS);
      return ok({ job: this.#find("id = ?", id) as ExportJob, created: true });
    });
    if (started.ok && started.value.created) await this.#enqueue(started.value.job);
    return started;
  }

  get(id: string): LedgerResult<ExportJob> {
    if (!this.core.account()) return refuse({ reason: "account_not_found" });
    const job = this.#find("id = ?", id);
    return job ? ok(job) : refuse({ reason: "export_not_found" });
  }

  /**
   * Records the outcome once. A redelivered message finds the job finished and is told
   * so (`changed: false`), so it writes no second file and sends no second email.
   */
  finish(
    id: string,
    outcome:
      | { status: "ready"; rows: number; sumMicros: number; objectKey: string }
      | { status: "failed"; failure: string },
  ): LedgerResult<{ job: ExportJob; changed: boolean }> {
    return this.core.transaction(() => {
      const job = this.#find("id = ?", id);
      if (!job) return refuse<{ job: ExportJob; changed: boolean }>({ reason: "export_not_found" });
      if (job.status !== "processing") return ok({ job, changed: false });
      const now = Date.now();
      if (outcome.status === "ready") {
        this.core.store.sql.exec(
          "UPDATE export_jobs SET status = 'ready', finished_at_ms = ?, rows = ?, sum_micros = ?, object_key = ? WHERE id = ?",
          now,
          outcome.rows,
          outcome.sumMicros,
          outcome.objectKey,
          id,
        );
      } else {
        this.core.store.sql.exec(
          "UPDATE export_jobs SET status = 'failed', finished_at_ms = ?, failure = ? WHERE id = ?",
          now,
          outcome.failure,
          id,
        );
      }
      return ok({ job: this.#find("id = ?", id) as ExportJob, changed: true });
    });
  }

  /** Sends jobs whose queue message was never sent and fails jobs whose consumer is gone. */
  async onAlarm(nowMs: number): Promise<number | null> {
    const stale = this.#findAll(
      "status = 'processing' AND requested_at_ms <= ?",
      nowMs - EXPORT_STALE_AFTER_MS,
    );
    for (const job of stale) {
      const failed = this.finish(job.id, {
        status: "failed",
        failure: "The export did not finish in time.",
      });
      // The consumer finds the job failed and only records it and emails the admin, as the
      // dead-letter handler would have.
      if (failed.ok) await this.#enqueue(failed.value.job);
    }
    const unqueued = this.#findAll(
      "status = 'processing' AND queued_at_ms IS NULL AND requested_at_ms <= ?",
      nowMs - EXPORT_REQUEUE_AFTER_MS,
    );
    for (const job of unqueued) await this.#enqueue(job);
    const next = this.core.store.sql
      .exec<{ at: number | null }>(
        "SELECT min(requested_at_ms) AS at FROM export_jobs WHERE status = 'processing'",
      )
      .one().at;
    return next === null
      ? null
      : Math.max(nowMs + EXPORT_REQUEUE_AFTER_MS, next + EXPORT_REQUEUE_AFTER_MS);
  }

  async #enqueue(job: ExportJob): Promise<void> {
    try {
      const message: ExportQueueMessage = { accountId: job.accountId, exportId: job.id };
      await this.core.env.EXPORT_QUEUE.send(message);
      this.core.store.sql.exec(
        "UPDATE export_jobs SET queued_at_ms = ? WHERE id = ?",
        Date.now(),
        job.id,
      );
    } catch (error) {
      // The job stays unqueued; the alarm sends it again.
      console.warn(
        JSON.stringify({ event: "export_enqueue_failed", exportId: job.id, error: String(error) }),
      );
    }
  }

  #find(where: string, ...bindings: SqlStorageValue[]): ExportJob | null {
    return this.#findAll(where, ...bindings)[0] ?? null;
  }

  #findAll(where: string, ...bindings: SqlStorageValue[]): ExportJob[] {
    const account = this.core.account();
    if (!account) return [];
    return this.core.store.sql
      .exec<ExportRow>(`SELECT * FROM export_jobs WHERE ${where}`, ...bindings)
      .toArray()
      .map((row) => ({
        id: row.id,
        accountId: account.accountId,
        timeZone: account.timeZone,
        status: row.status,
        periodStartMs: row.period_start_ms,
        periodEndMs: row.period_end_ms,
        throughSeq: row.through_seq,
        requestedAtMs: row.requested_at_ms,
        finishedAtMs: row.finished_at_ms,
        rows: row.rows,
        sumMicros: row.sum_micros,
        objectKey: row.object_key,
        failure: row.failure,
      }));
  }
}

interface ExportRow extends Record<string, SqlStorageValue> {
  id: string;
  status: ExportStatus;
  period_start_ms: number;
  period_end_ms: number;
  through_seq: number;
  requested_at_ms: number;
  finished_at_ms: number | null;
  rows: number | null;
  sum_micros: number | null;
  object_key: string | null;
  failure: string | null;
}
