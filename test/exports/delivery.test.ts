import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { CSV_COLUMNS } from "../../src/exports/csv";
import { EXPORT_RETENTION_SECONDS } from "../../src/exports/limits";
import { sweepExpiredExports } from "../../src/exports/retention";
import { signExportLink } from "../../src/exports/signed-link";
import { exportWindow } from "../../src/exports/window";
import { parseMoney } from "../../src/money";
import { EXPORT_MESSAGES } from "../../src/http/routes/exports";
import { adjust, api, ledger, newAccount, type TestAccount } from "../helpers";
import {
  craftExportJob,
  creditColumnSumMicros,
  deliver,
  download,
  EXPORT_QUEUE,
  exportStatus,
  exportObjects,
  linkInEmail,
  message,
  pathOf,
  waitForEmails,
  waitForExport,
} from "./flow-helpers";

const READY = /export is ready/;

async function readyExport(acct: TestAccount) {
  const started = await api("POST", `/v1/accounts/${acct.id}/exports`, { token: acct.adminKey });
  expect(started.status).toBe(202);
  const job = await waitForExport(acct, started.body.id);
  const [email] = await waitForEmails(acct.id, READY);
  return { job, email: email!, started: started.body };
}

const micros = (text: string) => {
  const parsed = parseMoney(text);
  if (!parsed.ok) throw new Error(text);
  return parsed.micros;
};

describe("a ready export", () => {
  it("emails a link with the period covered, and the link downloads the CSV without a token", async () => {
    const acct = await newAccount({ credit: "25.00" });
    await adjust(acct.id, "-1.25", "d1", "a correction, with a comma");
    const { job, email } = await readyExport(acct);

    const window = exportWindow(Date.parse(job.requestedAt), "Europe/Prague");
    expect(email.subject).toBe("Your credit movements export is ready");
    expect(email.text).toContain(
      `Period covered: ${window.startLocalDate} to ${window.endLocalDate}.`,
    );
    expect(email.html).toContain("Download Export</a>");

    const file = await download(linkInEmail(email));
    expect(file.status).toBe(200);
    expect(file.headers.get("Content-Type")).toBe("text/csv; charset=utf-8");
    expect(file.headers.get("Content-Disposition")).toBe(
      `attachment; filename="credit-movements_${acct.id}_${window.startLocalDate}_${window.endLocalDate}.csv"`,
    );
    expect(file.headers.get("Cache-Control")).toBe("private, no-store");
    expect(file.records[0]).toEqual([...CSV_COLUMNS]);
    expect(file.records.slice(1).map((r) => [r[2], r[6], r[9]])).toEqual([
      ["adjustment", "25.00", "test adjustment"],
      ["adjustment", "-1.25", "a correction, with a comma"],
    ]);
    expect(job).toMatchObject({ status: "ready", rows: 2 });

    // The status route signs its own short-lived link to the same file.
    expect(Date.parse(job.downloadUrlExpiresAt) - Date.now()).toBeLessThanOrEqual(15 * 60_000);
    const again = await download(pathOf(job.downloadUrl));
    expect(again.text).toBe(file.text);
    const [object] = await exportObjects(acct.id);
    expect(object?.size).toBe(new TextEncoder().encode(file.text).byteLength);
  });

  it("sums the credit column exactly to the balance change, and leaves out movements after the request", async () => {
    const acct = await newAccount({ credit: "100.00" });
    const amounts = ["-0.000001", "-12.345678", "3.50", "-0.0123", "-99.99", "7.000001"];
    for (const [i, amount] of amounts.entries()) await adjust(acct.id, amount, `m${i}`);
    const before = await api("GET", `/v1/accounts/${acct.id}/credit`, { token: acct.adminKey });
    const started = await api("POST", `/v1/accounts/${acct.id}/exports`, { token: acct.adminKey });
    await adjust(acct.id, "-5.00", "after-the-request");
    await waitForExport(acct, started.body.id);
    const [email] = await waitForEmails(acct.id, READY);
    const file = await download(linkInEmail(email!));

    expect(file.records).toHaveLength(1 + 1 + amounts.length);
    // Every movement of the account is inside the window, so the change is the whole balance.
    expect(creditColumnSumMicros(file.records)).toBe(micros(before.body.balance));
    expect(file.records.at(-1)![7]).toBe(before.body.balance);
    expect(file.records.some((r) => r[1] === "adjustments:m0")).toBe(true);
    expect(file.records.some((r) => r[1] === "adjustments:after-the-request")).toBe(false);
  });

  it("refuses a tampered or expired link with 403", async () => {
    const acct = await newAccount({ credit: "1.00" });
    const { email, job } = await readyExport(acct);
    const link = new URL(linkInEmail(email), "http://x");
    const id = job.id as string;
    const expires = link.searchParams.get("expires")!;
    const signature = link.searchParams.get("signature")!;
    const at = (exportId: string, query: string) =>
      download(`/v1/exports/${exportId}/download?${query}`);
    const flipped = `${signature.slice(0, 10)}${signature[10] === "A" ? "B" : "A"}${signature.slice(11)}`;

    const refusals = [
      await at(id, `expires=${expires}&signature=${flipped}`),
      await at(id, `expires=${Number(expires) + 1}&signature=${signature}`),
      await at("exp_someoneElsesExport", `expires=${expires}&signature=${signature}`),
      await at(id, `expires=${expires}`),
      await at(id, ""),
    ];
    for (const refusal of refusals) {
      expect(refusal.status).toBe(403);
      expect(JSON.parse(refusal.text).error.code).toBe("link_invalid");
    }

    const pastSec = Math.floor(Date.now() / 1000) - 1;
    const expired = await at(
      id,
      `expires=${pastSec}&signature=${await signExportLink(env.SIGNING_SECRET, id, pastSec)}`,
    );
    expect(expired.status).toBe(403);
    expect(JSON.parse(expired.text).error.code).toBe("link_expired");
    expect((await download(linkInEmail(email))).status).toBe(200);
  });

  it("answers 404 once the file is gone, and the retention sweep removes it on time", async () => {
    const acct = await newAccount({ credit: "1.00" });
    const { email, job } = await readyExport(acct);
    const finishedAtMs = Date.parse(job.finishedAt);
    const expiresAtMs = finishedAtMs + EXPORT_RETENTION_SECONDS * 1000;
    // The email's link lives exactly as long as the file.
    expect(email.text).toContain("The link works until");
    expect(Number(new URL(linkInEmail(email), "http://x").searchParams.get("expires"))).toBe(
      Math.floor(expiresAtMs / 1000),
    );

    // The sweep covers every account; only this account's file is watched here.
    await sweepExpiredExports(env, expiresAtMs - 1);
    expect(await exportObjects(acct.id)).toHaveLength(1);
    const swept = await sweepExpiredExports(env, expiresAtMs);
    expect(swept.deletedFiles).toBeGreaterThanOrEqual(1);
    expect(await exportObjects(acct.id)).toHaveLength(0);
    const gone = await download(linkInEmail(email));
    expect(gone.status).toBe(404);
    expect(JSON.parse(gone.text).error.code).toBe("export_file_removed");
    const status = await exportStatus(acct, job.id);
    expect(status.body).toMatchObject({ status: "ready", message: EXPORT_MESSAGES.removed });
    expect(status.body.downloadUrl).toBeUndefined();
  });

  it("shows processing, without a link, until the file's record is written", async () => {
    const acct = await newAccount();
    const nowMs = Date.now();
    const exportId = await craftExportJob(acct.id, {
      periodStartMs: nowMs - 60_000,
      periodEndMs: nowMs,
      throughSeq: 0,
    });
    const finished = await ledger(acct.id).finishExport(exportId, {
      status: "ready",
      rows: 0,
      sumMicros: 0,
      objectKey: "k",
    });
    expect(finished.ok).toBe(true);
    const early = await exportStatus(acct, exportId);
    expect(early.body).toMatchObject({ status: "processing", message: EXPORT_MESSAGES.processing });
    expect(early.body.downloadUrl).toBeUndefined();
    expect(early.body.rows).toBeUndefined();

    await deliver(EXPORT_QUEUE, message(acct.id, exportId)); // the consumer settles the finished job
    const settled = await exportStatus(acct, exportId);
    expect(settled.body).toMatchObject({
      status: "ready",
      rows: 0,
      message: EXPORT_MESSAGES.ready,
    });
    expect(settled.body.downloadUrl).toMatch(/^http/);
  });

  it("answers 404 when the object is missing from R2", async () => {
    const acct = await newAccount({ credit: "1.00" });
    const { email } = await readyExport(acct);
    const [object] = await exportObjects(acct.id);
    await env.EXPORTS.delete(object!.key);
    const gone = await download(linkInEmail(email));
    expect(gone.status).toBe(404);
    expect(JSON.parse(gone.text).error.code).toBe("export_file_removed");
  });
});
