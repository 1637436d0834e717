import { describe, expect, it } from "vitest";
import { EXPORT_MESSAGES } from "../../src/http/routes/exports";
import { api, newAccount } from "../helpers";
import {
  breakHistory,
  craftExportJob,
  DEAD_LETTER_QUEUE,
  deliver,
  emailsTo,
  EXPORT_QUEUE,
  exportObjects,
  exportStatus,
  message,
  repairHistory,
  waitForEmails,
  waitForExport,
} from "./flow-helpers";

const FAILED = /export failed/;
const READY = /export is ready/;

describe("a failing export", () => {
  it("asks the queue to retry each failed delivery later, with a growing delay", async () => {
    const acct = await newAccount();
    await breakHistory(acct.id);
    const exportId = await craftExportJob(acct.id, {
      periodStartMs: 0,
      periodEndMs: Date.now(),
      throughSeq: 0,
    });
    const delays = [];
    for (const attempts of [1, 2, 3]) {
      const result = await deliver(EXPORT_QUEUE, message(acct.id, exportId), attempts);
      expect(result.explicitAcks).toEqual([]);
      expect(result.retryMessages).toEqual([{ msgId: result.messageId }]);
      delays.push(...result.retryDelaysSeconds);
    }
    expect(delays).toEqual([10, 40, 160]);
    expect((await exportStatus(acct, exportId)).body.status).toBe("processing");
    expect(await exportObjects(acct.id)).toEqual([]);
    expect(await emailsTo(acct.id)).toEqual([]);
  });

  it("fails after the queue's retries with a failure email, and a new request then makes an export that succeeds", async () => {
    const acct = await newAccount({ credit: "3.00" });
    await breakHistory(acct.id);
    const first = await api("POST", `/v1/accounts/${acct.id}/exports`, { token: acct.adminKey });

    // What the dead-letter queue hands over once the real queue has given up; twice, as it may.
    for (const _ of [1, 2]) {
      const result = await deliver(DEAD_LETTER_QUEUE, message(acct.id, first.body.id));
      expect(result.explicitAcks).toEqual([result.messageId]);
    }
    const failed = await exportStatus(acct, first.body.id);
    expect(failed.body).toMatchObject({
      id: first.body.id,
      status: "failed",
      message: EXPORT_MESSAGES.failed,
    });
    expect(failed.body.downloadUrl).toBeUndefined();
    const failureEmails = await emailsTo(acct.id, FAILED);
    expect(failureEmails).toHaveLength(1);
    expect(failureEmails[0]!.text).toMatch(
      /could not generate your credit movements export.*try again/,
    );
    expect(await exportObjects(acct.id)).toEqual([]);

    await repairHistory(acct.id);
    const second = await api("POST", `/v1/accounts/${acct.id}/exports`, { token: acct.adminKey });
    expect(second.status).toBe(202);
    expect(second.body.id).not.toBe(first.body.id);
    expect(second.body.status).toBe("processing");
    const ready = await waitForExport(acct, second.body.id);
    expect(ready.rows).toBe(1);
    await waitForEmails(acct.id, READY);
    expect(await emailsTo(acct.id, FAILED)).toHaveLength(1);
    expect(await exportObjects(acct.id)).toHaveLength(1);
  });

  it("drops a message that is not an export job, and one whose export does not exist", async () => {
    const acct = await newAccount();
    for (const body of [{ hello: "world" }, "text", null, { accountId: acct.id, exportId: 7 }]) {
      const result = await deliver(EXPORT_QUEUE, body);
      expect(result.explicitAcks).toEqual([result.messageId]);
    }
    const unknown = await deliver(EXPORT_QUEUE, message(acct.id, "exp_doesNotExist"));
    expect(unknown.explicitAcks).toEqual([unknown.messageId]);
    const noAccount = await deliver(
      DEAD_LETTER_QUEUE,
      message("acct-never-made", "exp_doesNotExist"),
    );
    expect(noAccount.explicitAcks).toEqual([noAccount.messageId]);
  });
});
