import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { expect } from "vitest";
import type { ExportMovement } from "../../src/exports/types";
import { accountHistory, historyPages } from "../../src/history/read";
import { historyDatabase, openShardsOf, shardForNewAccount } from "../../src/history/shards";
import { parseMoney } from "../../src/money";
import { adjust, api, drainOutbox, ledger, uniqueId, type TestAccount } from "../helpers";

export const DAY_MS = 86_400_000;

/** A fresh account (admin key, opening credit) whose id the shard function puts on `shard`. */
export async function accountOnShard(shard: number, credit = "100.00"): Promise<TestAccount> {
  let id = uniqueId();
  while (shardForNewAccount(id, openShardsOf(env)) !== shard) id = uniqueId();
  const created = await api("POST", "/v1/accounts", {
    body: { id, name: `Test ${id}`, currency: "EUR", email: `${id}@example.test` },
  });
  expect(created.status).toBe(201);
  const admin = await api("POST", `/v1/accounts/${id}/api-keys`, { body: { role: "admin" } });
  const agent = await api("POST", `/v1/accounts/${id}/api-keys`, { body: { role: "agent" } });
  expect(admin.status).toBe(201);
  expect((await adjust(id, credit, `opening-${id}`)).status).toBe(201);
  return { id, adminKey: admin.body.key, agentKey: agent.body.key };
}

/** Rows and sum of the account's movements in one shard. */
export async function shardSum(
  shard: number,
  accountId: string,
): Promise<{ n: number; total: number }> {
  const row = await historyDatabase(env, shard)
    .prepare(
      "SELECT count(*) AS n, coalesce(sum(amount_micros), 0) AS total FROM movements WHERE account_id = ?",
    )
    .bind(accountId)
    .first<{ n: number; total: number }>();
  return row ?? { n: 0, total: 0 };
}

/**
 * Makes `count` charges, then spreads the ledger's movements back in time, the newest
 * `stepMs` ago and each earlier one `stepMs` before the next (as if the account had made
 * them over the months), and lets the alarm copy them to the shard and prune the ledger.
 */
export async function agedHistory(accountId: string, count: number, stepMs: number) {
  for (let i = 0; i < count; i++) await adjust(accountId, `-0.0${(i % 9) + 1}`, `aged-${i}`);
  const nowMs = Date.now();
  await runInDurableObject(ledger(accountId), (_instance, state) => {
    state.storage.sql.exec(
      "UPDATE movements SET at_ms = ? - ((SELECT max(seq) FROM movements) - seq + 1) * ?",
      nowMs,
      stepMs,
    );
  });
  await drainOutbox(accountId);
}

export interface ListedMovement {
  id: string;
  amount: string;
  [field: string]: unknown;
}

/** Every page of the listing through the API, with an optional window. */
export async function listAll(
  acct: TestAccount,
  limit: number,
  window: { from?: string; to?: string } = {},
): Promise<ListedMovement[]> {
  const listed: ListedMovement[] = [];
  let cursor: string | null = null;
  const range = `${window.from ? `&from=${window.from}` : ""}${window.to ? `&to=${window.to}` : ""}`;
  do {
    const page: {
      status: number;
      body: { movements: ListedMovement[]; nextCursor: string | null };
    } = await api(
      "GET",
      `/v1/accounts/${acct.id}/movements?limit=${limit}${range}${cursor ? `&cursor=${cursor}` : ""}`,
      { token: acct.adminKey },
    );
    expect(page.status, JSON.stringify(page.body)).toBe(200);
    listed.push(...page.body.movements);
    cursor = page.body.nextCursor;
  } while (cursor);
  return listed;
}

export function micros(amount: string): number {
  const parsed = parseMoney(amount);
  if (!parsed.ok) throw new Error(`not an amount: ${amount}`);
  return parsed.micros;
}

/** An R2 binding whose writes fail (multipart create or part upload), reads going to the real one. */
export function failingWrites(bucket: R2Bucket): R2Bucket {
  return new Proxy(bucket, {
    get(target, prop) {
      if (prop === "createMultipartUpload" || prop === "put")
        return () => Promise.reject(new Error("injected R2 write failure"));
      const value: unknown = Reflect.get(target, prop, target);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}

/** `env` with some bindings replaced, as the Worker would see a failing R2 or D1. */
export function envWith(overrides: Partial<Record<keyof Env, unknown>>): Env {
  return { ...env, ...overrides } as Env;
}

/** The export's rows of the account in a period, read as the export reads them (pages of 7). */
export async function exportRows(
  accountId: string,
  fromMs: number,
  toMs: number,
  throughSeq?: number,
) {
  const rows: ExportMovement[] = [];
  const history = await accountHistory(env, accountId);
  for await (const page of historyPages(env, history, {
    fromMs,
    toMs,
    pageRows: 7,
    ...(throughSeq === undefined ? {} : { throughSeq }),
  }))
    rows.push(...page);
  return rows;
}

/** Everything a reader can see of the account: pages of several sizes, windows, exports. */
export async function everyView(acct: { id: string; adminKey: string; agentKey: string }) {
  const nowMs = Date.now();
  const from = new Date(nowMs - 500 * DAY_MS).toISOString();
  const to = new Date(nowMs - 300 * DAY_MS).toISOString();
  return {
    pagesOf4: await listAll(acct, 4),
    pagesOf500: await listAll(acct, 500),
    windowed: await listAll(acct, 3, { from, to }),
    fromOnly: await listAll(acct, 6, { from }),
    exportAll: await exportRows(acct.id, 0, nowMs),
    exportWindow: await exportRows(acct.id, nowMs - 450 * DAY_MS, nowMs - 20 * DAY_MS),
    exportPinned: await exportRows(acct.id, 0, nowMs, 30),
  };
}
