import { describe, expect, it } from "vitest";
import { api, newAccount } from "../helpers";
import {
  craftExportJob,
  DEAD_LETTER_QUEUE,
  deliver,
  emailsTo,
  EXPORT_QUEUE,
  exportObjects,
  exportStatus,
  message,
  seedD1Movements,
  waitForEmails,
  waitForExport,
} from "./flow-helpers";

const READY = /export is ready/;

describe("queue redelivery", () => {
  it("of a message whose export is ready writes no second file and sends no second email", async () => {
    const acct = await newAccount({ credit: "9.00" });
    const started = await api("POST", `/v1/accounts/${acct.id}/exports`, { token: acct.adminKey });
    await waitForExport(acct, started.body.id);
    await waitForEmails(acct.id, READY);
    const [before] = await exportObjects(acct.id);

    for (const [queue, attempts] of [
      [EXPORT_QUEUE, 1],
      [EXPORT_QUEUE, 2],
      [DEAD_LETTER_QUEUE, 1],
    ] as const) {
      const result = await deliver(queue, message(acct.id, started.body.id), attempts);
      expect(result.explicitAcks).toEqual([result.messageId]);
    }

    const after = await exportObjects(acct.id);
    expect(after).toHaveLength(1);
    expect(after[0]!.etag).toBe(before!.etag);
    expect(after[0]!.uploaded.getTime()).toBe(before!.uploaded.getTime());
    expect(await emailsTo(acct.id)).toHaveLength(1);
    // A late dead letter does not undo a finished export.
    expect((await exportStatus(acct, started.body.id)).body).toMatchObject({
      status: "ready",
      rows: 1,
    });
  });

  it("of the same message twice at once still makes one file and one email", async () => {
    const acct = await newAccount();
    const nowMs = Date.now();
    await seedD1Movements(
      acct.id,
      Array.from({ length: 250 }, (_, i) => ({
        atMs: nowMs - 3_600_000 + i * 1_000,
        seq: i + 1,
        interactionId: `call-${i}`,
      })),
    );
    const exportId = await craftExportJob(acct.id, {
      periodStartMs: nowMs - 86_400_000,
      periodEndMs: nowMs,
      throughSeq: 250,
    });

    const results = await Promise.all(
      [1, 2].map(() => deliver(EXPORT_QUEUE, message(acct.id, exportId))),
    );
    for (const result of results) expect(result.explicitAcks).toEqual([result.messageId]);

    expect(await exportObjects(acct.id)).toHaveLength(1);
    expect(await emailsTo(acct.id, READY)).toHaveLength(1);
    expect((await exportStatus(acct, exportId)).body).toMatchObject({ status: "ready", rows: 250 });
  });
});
