import { runDurableObjectAlarm } from "cloudflare:test";
import { env, exports } from "cloudflare:workers";
import { expect } from "vitest";

export const OPERATOR = env.ADMIN_TOKEN;
export const SWITCH = env.SWITCH_TOKEN;

export interface ApiAnswer<T = any> {
  status: number;
  body: T;
  headers: Headers;
}

/** One request through the Worker's own fetch handler, as a client would send it. */
export async function api<T = any>(
  method: string,
  path: string,
  options: {
    token?: string | null;
    body?: unknown;
    rawBody?: string;
    headers?: Record<string, string>;
  } = {},
): Promise<ApiAnswer<T>> {
  const headers: Record<string, string> = { ...options.headers };
  const token = options.token === undefined ? OPERATOR : options.token;
  if (token !== null) headers.Authorization = `Bearer ${token}`;
  let body: string | undefined = options.rawBody;
  if (options.body !== undefined) body = JSON.stringify(options.body);
  if (body !== undefined && !Object.keys(headers).some((h) => h.toLowerCase() === "content-type")) {
    headers["Content-Type"] = "application/json";
  }
  const response = await exports.default.fetch(
    new Request(`http://credit.test${path}`, { method, headers, body }),
  );
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // not JSON: keep the text
  }
  return { status: response.status, body: parsed as T, headers: response.headers };
}

export function uniqueId(prefix = "acct"): string {
  return `${prefix}-${crypto.randomUUID().slice(0, 13)}`;
}

export interface TestAccount {
  id: string;
  adminKey: string;
  agentKey: string;
}

/** A fresh account with an admin and an agent key, optionally with opening credit. */
export async function newAccount(
  options: { credit?: string; currency?: string; timezone?: string } = {},
): Promise<TestAccount> {
  const id = uniqueId();
  const created = await api("POST", "/v1/accounts", {
    body: {
      id,
      name: `Test ${id}`,
      currency: options.currency ?? "EUR",
      email: `${id}@example.test`,
      timezone: options.timezone ?? "Europe/Prague",
    },
  });
  expect(created.status).toBe(201);
  const admin = await api("POST", `/v1/accounts/${id}/api-keys`, { body: { role: "admin" } });
  const agent = await api("POST", `/v1/accounts/${id}/api-keys`, { body: { role: "agent" } });
  expect(admin.status).toBe(201);
  if (options.credit) {
    const adj = await adjust(id, options.credit, `opening-${id}`);
    expect(adj.status).toBe(201);
  }
  return { id, adminKey: admin.body.key, agentKey: agent.body.key };
}

export function adjust(accountId: string, amount: string, key: string, reason = "test adjustment") {
  return api("POST", `/v1/accounts/${accountId}/adjustments`, {
    body: { amount, reason },
    headers: { "Idempotency-Key": key },
  });
}

export function ledger(accountId: string) {
  return env.LEDGER.get(env.LEDGER.idFromName(accountId));
}

/** Runs the ledger's alarm until its outbox is empty (the alarm copies in batches). */
export async function drainOutbox(accountId: string): Promise<void> {
  const stub = ledger(accountId);
  for (let i = 0; i < 100 && (await stub.audit()).outboxSize > 0; i++)
    await runDurableObjectAlarm(stub);
  expect((await stub.audit()).outboxSize).toBe(0);
}

export async function d1Sum(accountId: string): Promise<{ n: number; total: number }> {
  const row = await env.DB.prepare(
    "SELECT count(*) AS n, coalesce(sum(amount_micros), 0) AS total FROM movements WHERE account_id = ?",
  )
    .bind(accountId)
    .first<{ n: number; total: number }>();
  return row ?? { n: 0, total: 0 };
}
