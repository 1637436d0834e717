import type { ExportJob } from "../ledger/export-jobs";
import { EXPORT_RETENTION_SECONDS } from "./limits";

/**
 * The D1 copy of a finished export (migrations/0003_exports.sql). The ledger decides the
 * outcome; this table is written after it, so a row here never says more than the ledger.
 */
export interface ExportRecord {
  id: string;
  accountId: string;
  status: "ready" | "failed";
  periodStartMs: number;
  periodEndMs: number;
  timeZone: string;
  rows: number | null;
  bytes: number | null;
  objectKey: string | null;
  requestedAtMs: number;
  finishedAtMs: number;
  expiresAtMs: number | null;
  deletedAtMs: number | null;
}

interface ExportRecordRow {
  id: string;
  account_id: string;
  status: "ready" | "failed";
  period_start_ms: number;
  period_end_ms: number;
  time_zone: string;
  rows: number | null;
  bytes: number | null;
  object_key: string | null;
  requested_at_ms: number;
  finished_at_ms: number;
  expires_at_ms: number | null;
  deleted_at_ms: number | null;
}

/**
 * When the file of a ready export is removed. Counted from the ledger's finish time, which
 * a redelivered message reads back unchanged, so every writer computes the same instant.
 */
export function fileExpiresAtMs(finishedAtMs: number): number {
  return finishedAtMs + EXPORT_RETENTION_SECONDS * 1000;
}

export function recordFromJob(job: ExportJob, bytes: number | null): ExportRecord {
  if (job.status === "processing" || job.finishedAtMs === null)
    throw new Error(`export ${job.id} is not finished`);
  const ready = job.status === "ready";
  return {
    id: job.id,
    accountId: job.accountId,
    status: job.status,
    periodStartMs: job.periodStartMs,
    periodEndMs: job.periodEndMs,
    timeZone: job.timeZone,
    rows: ready ? job.rows : null,
    bytes: ready ? bytes : null,
    objectKey: ready ? job.objectKey : null,
    requestedAtMs: job.requestedAtMs,
    finishedAtMs: job.finishedAtMs,
    expiresAtMs: ready ? fileExpiresAtMs(job.finishedAtMs) : null,
    deletedAtMs: null,
  };
}

/**
 * Idempotent: a redelivered message writes the same row again. The outcome never changes
 * once the ledger recorded it; only a byte count learnt late fills in, and a removal made
 * by the sweep is never undone.
 */
export async function upsertExportRecord(db: D1Database, record: ExportRecord): Promise<void> {
  await db
    .prepare(
      `INSERT INTO exports (id, account_id, status, period_start_ms, period_end_ms, time_zone, rows, bytes, object_key,
         requested_at_ms, finished_at_ms, expires_at_ms)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (id) DO UPDATE SET bytes = coalesce(exports.bytes, excluded.bytes)`,
    )
    .bind(
      record.id,
      record.accountId,
      record.status,
      record.periodStartMs,
      record.periodEndMs,
      record.timeZone,
      record.rows,
      record.bytes,
      record.objectKey,
      record.requestedAtMs,
      record.finishedAtMs,
      record.expiresAtMs,
    )
    .run();
}

export async function readExportRecord(db: D1Database, id: string): Promise<ExportRecord | null> {
  const row = await db
    .prepare("SELECT * FROM exports WHERE id = ?")
    .bind(id)
    .first<ExportRecordRow>();
  return row ? recordFromRow(row) : null;
}

/** Ready files past their expiry and not yet removed, oldest expiry first. */
export async function expiredFiles(
  db: D1Database,
  nowMs: number,
  limit: number,
): Promise<Array<{ id: string; objectKey: string }>> {
  const { results } = await db
    .prepare(
      `SELECT id, object_key FROM exports
       WHERE expires_at_ms IS NOT NULL AND deleted_at_ms IS NULL AND expires_at_ms <= ?
       ORDER BY expires_at_ms LIMIT ?`,
    )
    .bind(nowMs, limit)
    .all<{ id: string; object_key: string }>();
  return results.map((row) => ({ id: row.id, objectKey: row.object_key }));
}

export async function markFilesDeleted(
  db: D1Database,
  ids: readonly string[],
  nowMs: number,
): Promise<void> {
  if (ids.length === 0) return;
  if (ids.length > 99) throw new RangeError(`${ids.length} ids exceed D1's 100 bound parameters`);
  await db
    .prepare(`UPDATE exports SET deleted_at_ms = ? WHERE id IN (${ids.map(() => "?").join(", ")})`)
    .bind(nowMs, ...ids)
    .run();
}

function recordFromRow(row: ExportRecordRow): ExportRecord {
  return {
    id: row.id,
    accountId: row.account_id,
    status: row.status,
    periodStartMs: row.period_start_ms,
    periodEndMs: row.period_end_ms,
    timeZone: row.time_zone,
    rows: row.rows,
    bytes: row.bytes,
    objectKey: row.object_key,
    requestedAtMs: row.requested_at_ms,
    finishedAtMs: row.finished_at_ms,
    expiresAtMs: row.expires_at_ms,
    deletedAtMs: row.deleted_at_ms,
  };
}
