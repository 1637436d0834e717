import { createExecutionContext, createMessageBatch, getQueueResult } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { MOVEMENT_PAGE_SQL } from "../../src/exports/d1-pages";
import { R2_MIN_PART_BYTES } from "../../src/exports/limits";
import { handleExportQueue } from "../../src/exports/queue";
import type { ExportConsumerOptions } from "../../src/exports/consumer";
import { adjust, d1Sum, drainOutbox, ledger, newAccount, type TestAccount } from "../helpers";
import {
  craftExportJob,
  creditColumnSumMicros,
  download,
  emailsTo,
  EXPORT_QUEUE,
  exportObjects,
  exportStatus,
  message,
  pathOf,
} from "../exports/flow-helpers";
import { failAfter, flakyD1, type FaultRule } from "./flaky-d1";

/**
 * D1 failing while an export runs: down for the whole delivery, failing in the middle of
 * the stream after a part is already in R2, failing as the export's record is written, and
 * failing as the email is stored. Each time the delivery is retried by the queue, and once
 * D1 is back the export has one file with every movement, one record and one email.
 * Jobs are crafted on the ledger and delivered by hand: an export requested through the API
 * would also put a message on the real queue, whose consumer would race the test's.
 */

const READY = /export is ready/;
const takeMovementsDown = () => env.DB.exec("ALTER TABLE movements RENAME TO movements_down");
const bringMovementsBack = () => env.DB.exec("ALTER TABLE movements_down RENAME TO movements");

let deliveries = 0;

/** One delivery through the queue handler, with the D1 the test chooses. */
async function deliverWith(
  db: D1Database,
  exportId: string,
  accountId: string,
  attempts: number,
  options: ExportConsumerOptions = {},
) {
  deliveries += 1;
  const messageId = `d1-fault-${deliveries}`;
  const batch = createMessageBatch(EXPORT_QUEUE, [
    { id: messageId, timestamp: new Date(), attempts, body: message(accountId, exportId) },
  ]);
  const ctx = createExecutionContext();
  await handleExportQueue(batch, { ...env, DB: db }, options);
  const result = await getQueueResult(batch, ctx);
  return {
    acked: result.explicitAcks.includes(messageId),
    retried: result.retryMessages.some((m) => m.msgId === messageId),
  };
}

/** A job for the account's whole history so far, pinned at its latest movement. */
async function exportJobNow(accountId: string): Promise<string> {
  const { movementCount } = await ledger(accountId).audit();
  return craftExportJob(accountId, {
    periodStartMs: Date.now() - 86_400_000,
    periodEndMs: Date.now(),
    throughSeq: movementCount,
  });
}

async function expectNothingDelivered(acct: TestAccount, exportId: string): Promise<void> {
  const status = await exportStatus(acct, exportId);
  expect(status.body.status).toBe("processing");
  expect(status.body.downloadUrl).toBeUndefined();
  expect(await exportObjects(acct.id)).toEqual([]);
  expect(await emailsTo(acct.id)).toEqual([]);
}

/** The file is there once, with `rows` rows whose credit column sums to `sumMicros`, and one email says so. */
async function expectOneExport(
  acct: TestAccount,
  exportId: string,
  rows: number,
  sumMicros: number,
): Promise<void> {
  const status = await exportStatus(acct, exportId);
  expect(status.body).toMatchObject({ status: "ready", rows });
  const csv = await download(pathOf(status.body.downloadUrl));
  expect(csv.status).toBe(200);
  expect(csv.records.length - 1).toBe(rows);
  expect(creditColumnSumMicros(csv.records)).toBe(sumMicros);
  expect(await exportObjects(acct.id)).toHaveLength(1);
  expect(await emailsTo(acct.id, READY)).toHaveLength(1);
}

describe("D1 failing during an export", () => {
  it("down for whole deliveries: each is retried, nothing is written, and the export completes when D1 is back", async () => {
    const acct = await newAccount({ credit: "10.00" });
    await drainOutbox(acct.id);
    await takeMovementsDown();
    try {
      // Charged while D1 is down: these reach D1 only through the outbox, after it is back.
      for (let i = 0; i < 5; i++)
        expect((await adjust(acct.id, "-0.10", `down-${i}`)).status).toBe(201);
      const exportId = await exportJobNow(acct.id);
      for (const attempts of [1, 2]) {
        expect(await deliverWith(env.DB, exportId, acct.id, attempts)).toEqual({
          acked: false,
          retried: true,
        });
        await expectNothingDelivered(acct, exportId);
      }
      await bringMovementsBack();
      expect(await deliverWith(env.DB, exportId, acct.id, 3)).toEqual({
        acked: true,
        retried: false,
      });
      await expectOneExport(acct, exportId, 6, 9_500_000);
    } finally {
      await bringMovementsBack().catch(() => undefined);
    }
    const audit = await ledger(acct.id).audit();
    expect(await d1Sum(acct.id)).toEqual({ n: audit.movementCount, total: audit.balanceMicros });
  });

  it("refusing writes while reads work: the outbox cannot flush, so the export waits rather than miss movements", async () => {
    const acct = await newAccount({ credit: "10.00" });
    await drainOutbox(acct.id);
    await env.DB.exec(
      "CREATE TRIGGER movements_read_only BEFORE INSERT ON movements BEGIN SELECT RAISE(ABORT, 'injected: D1 refuses writes'); END",
    );
    try {
      for (let i = 0; i < 3; i++)
        expect((await adjust(acct.id, "-1.00", `ro-${i}`)).status).toBe(201);
      const exportId = await exportJobNow(acct.id);
      expect(await deliverWith(env.DB, exportId, acct.id, 1)).toEqual({
        acked: false,
        retried: true,
      });
      await expectNothingDelivered(acct, exportId);
      await env.DB.exec("DROP TRIGGER movements_read_only");
      expect(await deliverWith(env.DB, exportId, acct.id, 2)).toEqual({
        acked: true,
        retried: false,
      });
      await expectOneExport(acct, exportId, 4, 7_000_000);
    } finally {
      await env.DB.exec("DROP TRIGGER IF EXISTS movements_read_only");
    }
  });

  it("failing mid-stream after a part is in R2: the upload is dropped, and the retry writes one whole file", async () => {
    const acct = await newAccount();
    // Enough history for more than one R2 part: ~250-byte rows, well over 5 MiB.
    const rows = 26_000;
    const atMs = Date.now() - 3_600_000;
    await env.DB.prepare(
      `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?2)
       INSERT INTO movements (id, account_id, seq, at_ms, description, interaction_id, units, units_charged,
         unit_price_micros, amount_micros, balance_after_micros, user_id, reason)
       SELECT printf('00000000-0000-7000-8000-%012x', i), ?1, i, ?3 + i, 'call', printf('call-%06d-', i) || ?4, 'seconds', 60,
         12000, -12000, -12000 * i, 'user-1', ?5
       FROM n`,
    )
      .bind(acct.id, rows, atMs, "x".repeat(60), `Call to Germany fixed Berlin ${"y".repeat(80)}`)
      .run();
    const exportId = await craftExportJob(acct.id, {
      periodStartMs: atMs - 1,
      periodEndMs: Date.now(),
      throughSeq: rows,
    });
    const pageRows = 1_000;

    // 24 pages (~6 MB) pass, so one 5 MiB part is uploaded; then D1 fails for good.
    const midStream: FaultRule = failAfter(
      new RegExp(escapeRegExp(MOVEMENT_PAGE_SQL.slice(0, 40))),
      24,
    );
    const cut = await deliverWith(flakyD1(env.DB, midStream), exportId, acct.id, 1, {
      pageRows,
      partBytes: R2_MIN_PART_BYTES,
    });
    expect(cut).toEqual({ acked: false, retried: true });
    await expectNothingDelivered(acct, exportId);

    expect(
      await deliverWith(env.DB, exportId, acct.id, 2, { pageRows, partBytes: R2_MIN_PART_BYTES }),
    ).toEqual({ acked: true, retried: false });
    await expectOneExport(acct, exportId, rows, -12_000 * rows);
    const [object] = await exportObjects(acct.id);
    expect(object!.size).toBeGreaterThan(R2_MIN_PART_BYTES);
  }, 60_000);

  it("failing as the export's record is written: shown as processing, and the retry records and emails once", async () => {
    const acct = await newAccount({ credit: "4.00" });
    const exportId = await exportJobNow(acct.id);
    const recordDown = failAfter(/INSERT INTO exports/, 0, 1);
    expect(await deliverWith(flakyD1(env.DB, recordDown), exportId, acct.id, 1)).toEqual({
      acked: false,
      retried: true,
    });
    // The ledger has it ready, but without its record the file cannot be fetched, so no link yet.
    const status = await exportStatus(acct, exportId);
    expect(status.body.status).toBe("processing");
    expect(status.body.downloadUrl).toBeUndefined();
    expect(await emailsTo(acct.id)).toEqual([]);
    const [written] = await exportObjects(acct.id);

    expect(await deliverWith(env.DB, exportId, acct.id, 2)).toEqual({
      acked: true,
      retried: false,
    });
    await expectOneExport(acct, exportId, 1, 4_000_000);
    // The retry found the job finished and only recorded and emailed: the file is the first one.
    expect((await exportObjects(acct.id))[0]!.etag).toBe(written!.etag);
  });

  it("failing as the email is stored: the retry sends exactly one", async () => {
    const acct = await newAccount({ credit: "2.00" });
    await adjust(acct.id, "-0.50", "spend");
    const exportId = await exportJobNow(acct.id);
    const mailDown = failAfter(/INSERT INTO mailbox/, 0, 2);
    expect(await deliverWith(flakyD1(env.DB, mailDown), exportId, acct.id, 1)).toEqual({
      acked: false,
      retried: true,
    });
    expect(await emailsTo(acct.id)).toEqual([]);
    expect(await deliverWith(flakyD1(env.DB, mailDown), exportId, acct.id, 2)).toEqual({
      acked: false,
      retried: true,
    });
    expect(await deliverWith(env.DB, exportId, acct.id, 3)).toEqual({
      acked: true,
      retried: false,
    });
    expect(await deliverWith(env.DB, exportId, acct.id, 4)).toEqual({
      acked: true,
      retried: false,
    });
    await expectOneExport(acct, exportId, 2, 1_500_000);
  });
});

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
