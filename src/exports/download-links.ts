import type { ExportJob } from "../ledger/export-jobs";
import { EXPORT_STATUS_LINK_TTL_SECONDS } from "./limits";
import { fileExpiresAtMs } from "./records";
import { exportDownloadUrl } from "./signed-link";

export interface DownloadLink {
  url: string;
  expiresAtMs: number;
}

type LinkEnv = Pick<Env, "PUBLIC_BASE_URL" | "SIGNING_SECRET">;

/**
 * The email's link expires with the file. Its expiry is fixed by the ledger's finish time,
 * so a redelivered message signs the very same link and the email provider's idempotency
 * check sees the very same message.
 */
export function emailDownloadLink(
  env: LinkEnv,
  job: ExportJob,
  nowMs: number,
): Promise<DownloadLink | null> {
  return linkUntil(env, job, nowMs, Number.POSITIVE_INFINITY);
}

/** The status route signs a short-lived link at each read, never past the file's removal. */
export function statusDownloadLink(
  env: LinkEnv,
  job: ExportJob,
  nowMs: number,
): Promise<DownloadLink | null> {
  return linkUntil(env, job, nowMs, Math.floor(nowMs / 1000) + EXPORT_STATUS_LINK_TTL_SECONDS);
}

async function linkUntil(
  env: LinkEnv,
  job: ExportJob,
  nowMs: number,
  capSec: number,
): Promise<DownloadLink | null> {
  if (job.status !== "ready" || job.finishedAtMs === null) return null;
  const nowSec = Math.floor(nowMs / 1000);
  const expiresSec = Math.min(capSec, Math.floor(fileExpiresAtMs(job.finishedAtMs) / 1000));
  if (expiresSec <= nowSec) return null;
  const { url } = await exportDownloadUrl(
    env.PUBLIC_BASE_URL,
    env.SIGNING_SECRET,
    job.id,
    nowSec,
    expiresSec - nowSec,
  );
  return { url, expiresAtMs: expiresSec * 1000 };
}
