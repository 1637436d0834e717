import { EXPORT_SWEEP_BATCH_FILES, EXPORT_SWEEP_MAX_FILES_PER_RUN } from "./limits";
import { expiredFiles, markFilesDeleted } from "./records";

/**
 * Export files hold every call an account made for a month, so they are not kept longer
 * than EXPORT_RETENTION_SECONDS after they were finished. The cron handler calls
 * `sweepExpiredExports` every tick; the download link expires with the file, so no link
 * ever points at a file the sweep is allowed to remove.
 *
 * An R2 lifecycle rule is the alternative (or a second net, for objects no D1 row knows,
 * such as the file of an export that failed after its upload completed):
 *
 *   npx wrangler r2 bucket lifecycle add credit-service-exports expire-exports exports/ \
 *     --expire-days 8 --abort-multipart-days 1
 *
 * Lifecycle rules count whole days from the object's upload and run about once a day, so
 * the rule is set a day longer than the retention: the sweep stays the exact one, and the
 * download route answers 404 (not a broken stream) for a file either of them removed. The
 * multipart clause clears uploads a consumer crashed in the middle of, which no sweep sees.
 */

export interface SweepResult {
  deletedFiles: number;
  /** True when the run stopped at its limit with more files due; the next tick continues. */
  more: boolean;
}

export async function sweepExpiredExports(
  env: Pick<Env, "DB" | "EXPORTS">,
  nowMs: number,
  maxFiles: number = EXPORT_SWEEP_MAX_FILES_PER_RUN,
): Promise<SweepResult> {
  let deletedFiles = 0;
  while (deletedFiles < maxFiles) {
    const batch = await expiredFiles(
      env.DB,
      nowMs,
      Math.min(EXPORT_SWEEP_BATCH_FILES, maxFiles - deletedFiles),
    );
    if (batch.length === 0) return { deletedFiles, more: false };
    // R2 first: a row marked deleted whose object survived would never be looked at again.
    await env.EXPORTS.delete(batch.map((file) => file.objectKey));
    await markFilesDeleted(
      env.DB,
      batch.map((file) => file.id),
      nowMs,
    );
    deletedFiles += batch.length;
  }
  const left = await expiredFiles(env.DB, nowMs, 1);
  return { deletedFiles, more: left.length > 0 };
}
