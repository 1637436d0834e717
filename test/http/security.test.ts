import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import { createApp } from "../../src/http/app";
import { adjust, api, newAccount, OPERATOR, SWITCH } from "../helpers";

const production = (overrides: Partial<Env> = {}): Env => ({
  ...env,
  ENVIRONMENT: "production",
  ...overrides,
});
const realSecrets = {
  ADMIN_TOKEN: "prod-operator-5f1c2e9a7b",
  SWITCH_TOKEN: "prod-switch-0d9e8c7b6a",
  SIGNING_SECRET: "prod-signing-3a4b5c6d7e",
  PAYMENT_WEBHOOK_SECRET: "whsec_prod_9f8e7d6c5b",
};

describe("production configuration", () => {
  it("refuses to serve while any secret has its dev default, and names them", async () => {
    const app = createApp();
    const res = await app.request(
      "/health",
      {},
      production({ ADMIN_TOKEN: realSecrets.ADMIN_TOKEN }),
    );
    expect(res.status).toBe(503);
    const body = (await res.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe("insecure_configuration");
    expect(body.error.message).toContain("SWITCH_TOKEN");
    expect(body.error.message).not.toContain("ADMIN_TOKEN");
  });

  it("serves with real secrets, and has no dev routes", async () => {
    const app = createApp();
    expect((await app.request("/health", {}, production(realSecrets))).status).toBe(200);
    const seed = await app.request(
      "/dev/seed",
      { method: "POST", headers: { Authorization: `Bearer ${realSecrets.ADMIN_TOKEN}` } },
      production(realSecrets),
    );
    expect(seed.status).toBe(404);
    const devToken = await app.request(
      "/v1/accounts/demo",
      { headers: { Authorization: `Bearer ${OPERATOR}` } },
      production(realSecrets),
    );
    expect(devToken.status).toBe(401);
  });
});

describe("logs", () => {
  afterEach(() => vi.restoreAllMocks());

  it("never contain a token, a key or a body", async () => {
    const acct = await newAccount({ credit: "5.00" });
    const lines: string[] = [];
    for (const method of ["log", "warn", "error", "info"] as const) {
      vi.spyOn(console, method).mockImplementation((...args: unknown[]) =>
        lines.push(args.map(String).join(" ")),
      );
    }
    await api("GET", `/v1/accounts/${acct.id}/credit`, { token: acct.adminKey });
    await api("GET", `/v1/accounts/${acct.id}/credit`, {
      token: "ck_wrong_key_0000000000000000000000000000000",
    });
    await adjust(acct.id, "1.00", "secret-reason-key", "a reason that must stay out of logs");
    await api("GET", `/v1/accounts/${acct.id}`, { token: SWITCH });
    expect(lines.length).toBeGreaterThan(0);
    const all = lines.join("\n");
    for (const secret of [
      acct.adminKey,
      acct.agentKey,
      OPERATOR,
      SWITCH,
      "ck_wrong_key",
      "a reason that must stay out of logs",
    ]) {
      expect(all).not.toContain(secret);
    }
    expect(JSON.parse(lines[0]!)).toMatchObject({
      route: "/v1/accounts/:id/credit",
      status: 200,
      accountId: acct.id,
      principal: "account-key",
    });
  });
});
