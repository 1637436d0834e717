import { Hono } from "hono";
import { z } from "zod";
import { CSV_CONTENT_TYPE } from "../../exports/csv";
import { statusDownloadLink } from "../../exports/download-links";
import { attachmentDisposition } from "../../exports/file-name";
import { readExportRecord } from "../../exports/records";
import { verifyExportLink, type LinkRejection } from "../../exports/signed-link";
import type { ExportJob } from "../../ledger/export-jobs";
import { requireAccount } from "../auth";
import type { AppEnv } from "../context";
import { ApiError } from "../errors";
import { ledgerOf } from "../../ledger-client/ledger-of";
import { unwrap } from "../../ledger-client/refusals";
import * as schemas from "../schemas";
import { pathParams } from "../validate";

/** The help centre's wording: the same message answers a second click while one is in flight. */
export const EXPORT_MESSAGES = {
  processing:
    "Your export is being processed. You will receive an email with a download link and the period covered when it is ready.",
  ready: "Your export is ready. The download link is in the email we sent you.",
  removed: "This export's file has been removed. Export again from Billing to get a new one.",
  failed: "We could not generate your export. You can wait a few minutes and try again.",
} as const;

const exportId = z.string().regex(/^exp_[A-Za-z0-9_-]{1,64}$/, "is not an export id");
export const exportPath = z.object({ id: schemas.accountId, exportId });
export const downloadPath = z.object({ exportId });

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

async function exportView(env: Env, job: ExportJob, nowMs: number) {
  // The ledger marks a job ready a moment before the consumer writes the D1 record the
  // download route reads; until then the file cannot be fetched, so it still shows as processing.
  const record = job.status === "ready" ? await readExportRecord(env.DB, job.id) : null;
  const status = job.status === "ready" && !record ? "processing" : job.status;
  const removed = record !== null && record.deletedAtMs !== null;
  const link = status === "ready" && !removed ? await statusDownloadLink(env, job, nowMs) : null;
  const message = status === "ready" && !link ? EXPORT_MESSAGES.removed : EXPORT_MESSAGES[status];
  return {
    id: job.id,
    status,
    message,
    periodStart: iso(job.periodStartMs),
    periodEnd: iso(job.periodEndMs),
    timezone: job.timeZone,
    requestedAt: iso(job.requestedAtMs),
    finishedAt: iso(job.finishedAtMs),
    ...(status === "ready" ? { rows: job.rows } : {}),
    ...(link ? { downloadUrl: link.url, downloadUrlExpiresAt: iso(link.expiresAtMs) } : {}),
  };
}

export const accountExports = new Hono<AppEnv>()
  /** 202 either way: the ledger starts an export or hands back the one in flight. */
  .post("/:id/exports", async (c) => {
    const { id } = pathParams(c, schemas.accountPath);
    requireAccount(c, id, "admin");
    const { job, created } = unwrap(await ledgerOf(c.env, id).requestExport());
    c.set("decision", created ? "export_started" : "export_in_flight");
    return c.json(await exportView(c.env, job, Date.now()), 202);
  })

  .get("/:id/exports/:exportId", async (c) => {
    const { id, exportId } = pathParams(c, exportPath);
    requireAccount(c, id, "admin");
    const job = unwrap(await ledgerOf(c.env, id).exportJob(exportId));
    return c.json(await exportView(c.env, job, Date.now()));
  });

function linkRejected(rejection: LinkRejection): ApiError {
  switch (rejection.reason) {
    case "expired":
      return new ApiError(
        403,
        "link_expired",
        "This download link has expired. Export again from Billing to get a new one.",
      );
    case "bad_signature":
      return new ApiError(403, "link_invalid", "This download link is not valid.");
    case "malformed":
      return new ApiError(
        403,
        "link_invalid",
        "This download link is not valid: it needs its expires and signature.",
      );
    default: {
      const unmapped: never = rejection;
      throw new Error(`unmapped link rejection ${JSON.stringify(unmapped)}`);
    }
  }
}

const fileRemoved = () => new ApiError(404, "export_file_removed", EXPORT_MESSAGES.removed);

/**
 * The email's link: no bearer token, the signature is the credential. It is checked before
 * anything is read, so an unsigned request learns nothing, not even whether the id exists.
 */
export const exportDownloads = new Hono<AppEnv>().get("/:exportId/download", async (c) => {
  const { exportId: id } = pathParams(c, downloadPath);
  const nowMs = Date.now();
  const verdict = await verifyExportLink(
    c.env.SIGNING_SECRET,
    id,
    c.req.query("expires"),
    c.req.query("signature"),
    Math.floor(nowMs / 1000),
  );
  if (!verdict.ok) throw linkRejected(verdict);
  const record = await readExportRecord(c.env.DB, id);
  if (record?.status !== "ready" || record.objectKey === null)
    throw new ApiError(404, "export_not_found", "No such export.");
  c.set("accountId", record.accountId);
  if (record.deletedAtMs !== null || (record.expiresAtMs !== null && record.expiresAtMs <= nowMs))
    throw fileRemoved();
  const object = await c.env.EXPORTS.get(record.objectKey);
  if (!object) throw fileRemoved();
  return new Response(object.body, {
    headers: {
      "Content-Type": object.httpMetadata?.contentType ?? CSV_CONTENT_TYPE,
      "Content-Disposition": attachmentDisposition(record),
      "Content-Length": String(object.size),
      ETag: object.httpEtag,
      // The file is one account's call history and the URL is its credential: keep both out of caches and referrers.
      "Cache-Control": "private, no-store",
      "Referrer-Policy": "no-referrer",
      "X-Content-Type-Options": "nosniff",
    },
  });
});
