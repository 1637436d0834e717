import { runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { exportWindow } from "../../src/exports/window";
import { EXPORT_MESSAGES } from "../../src/http/routes/exports";
import { api, ledger, newAccount } from "../helpers";
import { breakHistory, exportStatus } from "./flow-helpers";

const requestExport = (accountId: string, token: string) =>
  api("POST", `/v1/accounts/${accountId}/exports`, { token });

async function jobCount(accountId: string): Promise<number> {
  return runInDurableObject(
    ledger(accountId),
    (_instance, state) =>
      state.storage.sql.exec<{ n: number }>("SELECT count(*) AS n FROM export_jobs").one().n,
  );
}

describe("POST /v1/accounts/:id/exports", () => {
  it("answers 202 processing with the help centre's message, for today and the 30 days before in the account's zone", async () => {
    const acct = await newAccount({ timezone: "America/Sao_Paulo" });
    const answer = await requestExport(acct.id, acct.adminKey);
    expect(answer.status).toBe(202);
    expect(answer.body).toMatchObject({
      status: "processing",
      message: EXPORT_MESSAGES.processing,
      timezone: "America/Sao_Paulo",
    });
    expect(answer.body.id).toMatch(/^exp_/);
    const requestedAtMs = Date.parse(answer.body.requestedAt);
    const window = exportWindow(requestedAtMs, "America/Sao_Paulo");
    expect(answer.body.periodStart).toBe(new Date(window.periodStartMs).toISOString());
    expect(answer.body.periodEnd).toBe(answer.body.requestedAt);
    // São Paulo has no DST now: local midnight is 03:00 UTC, 30 calendar days before today.
    expect(answer.body.periodStart).toMatch(/T03:00:00\.000Z$/);
    const days = Math.round(
      (Date.parse(answer.body.periodEnd) - Date.parse(answer.body.periodStart)) / 86_400_000,
    );
    expect(days === 30 || days === 31).toBe(true);
  });

  it("answers a second request while one is in flight with the same export and message, and creates nothing", async () => {
    const acct = await newAccount({ credit: "5.00" });
    await breakHistory(acct.id); // keeps the first export in flight: its consumer fails and waits to retry
    const first = await requestExport(acct.id, acct.adminKey);
    const second = await requestExport(acct.id, acct.adminKey);
    expect(second.status).toBe(202);
    expect(second.body).toEqual(first.body);
    expect(second.body.message).toBe(EXPORT_MESSAGES.processing);
    expect((await exportStatus(acct, first.body.id)).body.status).toBe("processing");
    expect(await jobCount(acct.id)).toBe(1);
  });

  it("makes one export of concurrent requests", async () => {
    const acct = await newAccount({ credit: "5.00" });
    await breakHistory(acct.id);
    const answers = await Promise.all(
      [1, 2, 3, 4].map(() => requestExport(acct.id, acct.adminKey)),
    );
    expect(answers.map((a) => a.status)).toEqual([202, 202, 202, 202]);
    expect(new Set(answers.map((a) => a.body.id)).size).toBe(1);
    expect(await jobCount(acct.id)).toBe(1);
  });

  it("needs an admin key of the account or the operator", async () => {
    const acct = await newAccount();
    const other = await newAccount();
    expect((await requestExport(acct.id, acct.agentKey)).status).toBe(403);
    expect((await requestExport(acct.id, other.adminKey)).body.error.code).toBe(
      "account_not_found",
    );
    expect((await api("POST", `/v1/accounts/${acct.id}/exports`, { token: null })).status).toBe(
      401,
    );
    expect(await jobCount(acct.id)).toBe(0);
  });
});

describe("GET /v1/accounts/:id/exports/:exportId", () => {
  it("answers 404 for an export of another account and 400 for what is not an export id", async () => {
    const acct = await newAccount();
    const other = await newAccount();
    const started = await requestExport(other.id, other.adminKey);
    const foreign = await exportStatus(acct, started.body.id);
    expect(foreign.status).toBe(404);
    expect(foreign.body.error.code).toBe("export_not_found");
    const bad = await api("GET", `/v1/accounts/${acct.id}/exports/not-an-id`, {
      token: acct.adminKey,
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details[0].field).toBe("exportId");
    const agent = await api("GET", `/v1/accounts/${other.id}/exports/${started.body.id}`, {
      token: other.agentKey,
    });
    expect(agent.status).toBe(403);
  });
});
