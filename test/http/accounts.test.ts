import { describe, expect, it } from "vitest";
import { api, newAccount, uniqueId } from "../helpers";

describe("GET /health", () => {
  it("answers without a token", async () => {
    const res = await api("GET", "/health", { token: null });
    expect(res).toMatchObject({ status: 200, body: { ok: true } });
  });
});

describe("POST /v1/accounts", () => {
  const body = (id: string) => ({
    id,
    name: "Acme Call Centre",
    currency: "EUR",
    email: "billing@acme.test",
    timezone: "Europe/Prague",
    region: "weur",
  });

  it("creates an account with its ledger", async () => {
    const id = uniqueId();
    const res = await api("POST", "/v1/accounts", { body: body(id) });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      id,
      name: "Acme Call Centre",
      currency: "EUR",
      email: "billing@acme.test",
      timezone: "Europe/Prague",
      region: "weur",
    });
    const credit = await api("GET", `/v1/accounts/${id}/credit`);
    expect(credit.body).toMatchObject({
      balance: "0.00",
      available: "0.00",
      reserved: "0.00",
      currency: "EUR",
      state: "exhausted",
    });
  });

  it("defaults the time zone to UTC and the region to none", async () => {
    const id = uniqueId();
    const res = await api("POST", "/v1/accounts", {
      body: { id, name: "A", currency: "USD", email: "a@b.test" },
    });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ timezone: "UTC", region: null });
  });

  it("is idempotent by id: the same body again is 200, another body is 409", async () => {
    const id = uniqueId();
    expect((await api("POST", "/v1/accounts", { body: body(id) })).status).toBe(201);
    const again = await api("POST", "/v1/accounts", { body: body(id) });
    expect(again.status).toBe(200);
    expect(again.body.id).toBe(id);
    const other = await api("POST", "/v1/accounts", { body: { ...body(id), currency: "USD" } });
    expect(other.status).toBe(409);
    expect(other.body.error.code).toBe("account_exists");
  });
});

describe("GET /v1/accounts/:id", () => {
  it("shows the account to its own keys and the operator", async () => {
    const acct = await newAccount();
    for (const token of [acct.adminKey, acct.agentKey, undefined]) {
      const res = await api("GET", `/v1/accounts/${acct.id}`, { token });
      expect(res.status).toBe(200);
      expect(res.body.id).toBe(acct.id);
    }
  });

  it("is 404 for an unknown account", async () => {
    const res = await api("GET", `/v1/accounts/${uniqueId()}`);
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe("account_not_found");
  });
});

describe("POST /v1/accounts/:id/api-keys", () => {
  it("returns the key once and keeps only its hash", async () => {
    const acct = await newAccount();
    const res = await api("POST", `/v1/accounts/${acct.id}/api-keys`, { body: { role: "admin" } });
    expect(res.status).toBe(201);
    expect(res.body.key).toMatch(/^ck_[A-Za-z0-9_-]{40,}$/);
    expect(res.body.prefix).toBe(res.body.key.slice(0, 10));
    const { env } = await import("cloudflare:workers");
    const stored = await env.DB.prepare("SELECT * FROM api_keys WHERE id = ?")
      .bind(res.body.id)
      .first<Record<string, unknown>>();
    expect(JSON.stringify(stored)).not.toContain(res.body.key);
    expect(
      (await api("GET", `/v1/accounts/${acct.id}/credit`, { token: res.body.key })).status,
    ).toBe(200);
  });

  it("recognises a retry by Idempotency-Key and does not mint a second key", async () => {
    const acct = await newAccount();
    const headers = { "Idempotency-Key": "key-request-1" };
    const first = await api("POST", `/v1/accounts/${acct.id}/api-keys`, {
      body: { role: "agent" },
      headers,
    });
    const retry = await api("POST", `/v1/accounts/${acct.id}/api-keys`, {
      body: { role: "agent" },
      headers,
    });
    expect(first.status).toBe(201);
    expect(retry.status).toBe(200);
    expect(retry.body).toMatchObject({ id: first.body.id, key: null });
    const other = await api("POST", `/v1/accounts/${acct.id}/api-keys`, {
      body: { role: "admin" },
      headers,
    });
    expect(other.status).toBe(409);
  });

  it("is 404 for an unknown account", async () => {
    const res = await api("POST", `/v1/accounts/${uniqueId()}/api-keys`, {
      body: { role: "admin" },
    });
    expect(res.status).toBe(404);
  });
});
