import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { EXPORT_SWEEP_BATCH_FILES } from "../../src/exports/limits";
import { readExportRecord, upsertExportRecord, type ExportRecord } from "../../src/exports/records";
import { sweepExpiredExports } from "../../src/exports/retention";

// Far from any instant the other tests use, so only these files are due.
const NOW_MS = Date.UTC(2030, 0, 1);

async function fileExpiringAt(
  expiresAtMs: number | null,
  status: "ready" | "failed" = "ready",
): Promise<ExportRecord> {
  const id = `exp_sweep${crypto.randomUUID().replaceAll("-", "").slice(0, 12)}`;
  const record: ExportRecord = {
    id,
    accountId: "acct-sweep",
    status,
    periodStartMs: 0,
    periodEndMs: 1,
    timeZone: "UTC",
    rows: status === "ready" ? 1 : null,
    bytes: null,
    objectKey: status === "ready" ? `exports/acct-sweep/${id}.csv` : null,
    requestedAtMs: 0,
    finishedAtMs: 1,
    expiresAtMs,
    deletedAtMs: null,
  };
  await upsertExportRecord(env.DB, record);
  if (record.objectKey) await env.EXPORTS.put(record.objectKey, "Date & Time\r\n");
  return record;
}

describe("sweepExpiredExports", () => {
  it("removes files whose retention ended, marks them, keeps the rest, and is done after one run", async () => {
    const due = await Promise.all(
      [NOW_MS - 86_400_000, NOW_MS - 1, NOW_MS].map((at) => fileExpiringAt(at)),
    );
    const fresh = await fileExpiringAt(NOW_MS + 1);
    const failed = await fileExpiringAt(null, "failed");

    expect(await sweepExpiredExports(env, NOW_MS)).toEqual({ deletedFiles: 3, more: false });
    for (const record of due) {
      expect(await env.EXPORTS.head(record.objectKey!)).toBeNull();
      expect((await readExportRecord(env.DB, record.id))?.deletedAtMs).toBe(NOW_MS);
    }
    expect(await env.EXPORTS.head(fresh.objectKey!)).not.toBeNull();
    expect((await readExportRecord(env.DB, fresh.id))?.deletedAtMs).toBeNull();
    expect((await readExportRecord(env.DB, failed.id))?.deletedAtMs).toBeNull();
    expect(await sweepExpiredExports(env, NOW_MS)).toEqual({ deletedFiles: 0, more: false });
  });

  it("works in batches and stops at its limit, leaving the rest to the next run", async () => {
    const atMs = NOW_MS + 10 * 86_400_000;
    const count = EXPORT_SWEEP_BATCH_FILES + 15;
    await sweepExpiredExports(env, atMs - count); // clears what earlier tests left due
    for (let i = 0; i < count; i++) await fileExpiringAt(atMs - i);
    expect(await sweepExpiredExports(env, atMs, EXPORT_SWEEP_BATCH_FILES + 5)).toEqual({
      deletedFiles: EXPORT_SWEEP_BATCH_FILES + 5,
      more: true,
    });
    expect(await sweepExpiredExports(env, atMs)).toEqual({ deletedFiles: 10, more: false });
  });
});
