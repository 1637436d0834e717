import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { runCron } from "../../src/cron";
import { archivedMonthsOf } from "../../src/history/archive";
import { historyDatabase } from "../../src/history/shards";
import { adjust, api, drainOutbox, ledger } from "../helpers";
import {
  craftExportJob,
  creditColumnSumMicros,
  deliver,
  download,
  EXPORT_QUEUE,
  exportStatus,
  message,
  pathOf,
  waitForExport,
} from "../exports/flow-helpers";
import { accountOnShard, agedHistory, DAY_MS, listAll, micros, shardSum } from "./helpers";

const SHARDS = [0, 1, 2, 3];

describe("each account's history on its own shard", { timeout: 60_000 }, () => {
  it("the outbox copies an account's movements to its shard and no other", async () => {
    for (const shard of SHARDS) {
      const acct = await accountOnShard(shard, "10.00");
      for (let i = 0; i < 5; i++) await adjust(acct.id, "-0.50", `own-${i}`);
      await drainOutbox(acct.id);
      for (const other of SHARDS)
        expect(await shardSum(other, acct.id)).toEqual(
          other === shard ? { n: 6, total: 7_500_000 } : { n: 0, total: 0 },
        );
    }
  });

  it("the listing reads the movements the ledger pruned from the account's shard", async () => {
    const acct = await accountOnShard(3);
    await agedHistory(acct.id, 12, 20 * DAY_MS);
    const audit = await ledger(acct.id).audit();
    const listed = await listAll(acct, 5);
    expect(listed).toHaveLength(13);
    expect(listed.reduce((sum, m) => sum + micros(m.amount), 0)).toBe(audit.balanceMicros);
    // Without the shard's copies the pruned movements are gone from the listing: it read them there.
    await historyDatabase(env, 3)
      .prepare("DELETE FROM movements WHERE account_id = ? AND seq <= 5")
      .bind(acct.id)
      .run();
    expect((await listAll(acct, 5)).map((m) => m.id)).toEqual(listed.slice(5).map((m) => m.id));
  });

  it("an export reads the account's shard and an export job reaching archived months reads R2", async () => {
    const acct = await accountOnShard(1);
    await agedHistory(acct.id, 30, 18 * DAY_MS);
    for (let i = 0; i < 3; i++) await adjust(acct.id, "-1.00", `today-${i}`);

    const started = await api("POST", `/v1/accounts/${acct.id}/exports`, { token: acct.adminKey });
    expect(started.status).toBe(202);
    const ready = await waitForExport(acct, started.body.id);
    const recent = await download(pathOf(ready.downloadUrl));
    expect(recent.records.length - 1).toBe(ready.rows);
    // The newest aged charge (-0.03, 18 days ago) and today's three.
    expect(creditColumnSumMicros(recent.records)).toBe(-3_030_000);

    // A job over the whole history, before and after the cron archives the old months.
    const whole = async () => {
      const throughSeq = (await ledger(acct.id).audit()).movementCount;
      const id = await craftExportJob(acct.id, {
        periodStartMs: 0,
        periodEndMs: Date.now(),
        throughSeq,
      });
      expect((await deliver(EXPORT_QUEUE, message(acct.id, id))).explicitAcks).toHaveLength(1);
      const status = await exportStatus(acct, id);
      expect(status.body.status).toBe("ready");
      return (await download(pathOf(status.body.downloadUrl))).records;
    };
    const beforeArchive = await whole();
    expect(beforeArchive).toHaveLength(1 + 34);

    const cron = await runCron(env, Date.now());
    expect(cron.historyArchive.failures).toBe(0);
    const months = await archivedMonthsOf(historyDatabase(env, 1), acct.id);
    expect(months.length).toBeGreaterThanOrEqual(3);
    expect((await shardSum(1, acct.id)).n).toBe(34 - months.reduce((n, m) => n + m.rows, 0));
    expect(await whole()).toEqual(beforeArchive);
  });

  it("the cron archives each account on its own shard, leaving the other shards alone", async () => {
    const accounts = [];
    for (const shard of SHARDS) {
      const acct = await accountOnShard(shard);
      await agedHistory(acct.id, 10, 60 * DAY_MS);
      accounts.push({ shard, acct, before: await listAll(acct, 4) });
    }
    const cron = await runCron(env, Date.now());
    expect(cron.historyArchive.failures).toBe(0);
    for (const { shard, acct, before } of accounts) {
      for (const other of SHARDS) {
        const months = await archivedMonthsOf(historyDatabase(env, other), acct.id);
        if (other === shard) expect(months.length).toBeGreaterThanOrEqual(2);
        else expect(months).toEqual([]);
      }
      const objects = (await env.EXPORTS.list({ prefix: `history/${acct.id}/` })).objects;
      expect(objects.length).toBeGreaterThanOrEqual(2);
      expect(await listAll(acct, 4)).toEqual(before);
    }
  });
});
