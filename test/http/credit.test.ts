import { describe, expect, it } from "vitest";
import { adjust, api, newAccount } from "../helpers";

describe("POST /v1/accounts/:id/adjustments", () => {
  it("posts a positive and a negative adjustment with their reasons", async () => {
    const acct = await newAccount();
    const up = await adjust(acct.id, "25.00", "a1", "goodwill credit");
    expect(up.status).toBe(201);
    expect(up.body.movement).toMatchObject({
      description: "adjustment",
      amount: "25.00",
      balanceAfter: "25.00",
      reason: "goodwill credit",
    });
    const down = await adjust(acct.id, "-0.0123", "a2", "rounding correction");
    expect(down.body.movement).toMatchObject({ amount: "-0.0123", balanceAfter: "24.9877" });
    const credit = await api("GET", `/v1/accounts/${acct.id}/credit`, { token: acct.adminKey });
    expect(credit.body).toMatchObject({
      balance: "24.9877",
      available: "24.9877",
      state: "ok",
      alerts: [],
    });
  });

  it("answers a retry with the same key and body with the same movement, and posts nothing new", async () => {
    const acct = await newAccount();
    const first = await adjust(acct.id, "10.00", "same-key");
    const retry = await adjust(acct.id, "10.00", "same-key");
    expect(retry.status).toBe(201);
    expect(retry.body).toEqual(first.body);
    const list = await api("GET", `/v1/accounts/${acct.id}/movements`, { token: acct.adminKey });
    expect(list.body.movements).toHaveLength(1);
  });

  it("refuses the same key with another body with 409 and posts nothing", async () => {
    const acct = await newAccount();
    await adjust(acct.id, "10.00", "k");
    const conflict = await adjust(acct.id, "11.00", "k");
    expect(conflict.status).toBe(409);
    expect(conflict.body.error).toMatchObject({
      code: "idempotency_key_reused",
      details: [{ field: "Idempotency-Key" }],
    });
    const credit = await api("GET", `/v1/accounts/${acct.id}/credit`);
    expect(credit.body.balance).toBe("10.00");
  });

  it("shows the run-out alert at zero or below", async () => {
    const acct = await newAccount({ credit: "1.00" });
    await adjust(acct.id, "-1.50", "debt");
    const credit = await api("GET", `/v1/accounts/${acct.id}/credit`);
    expect(credit.body).toMatchObject({
      balance: "-0.50",
      state: "exhausted",
      alerts: [{ code: "credit_exhausted" }],
    });
    expect(credit.body.alerts[0].message).toMatch(
      /^Your credit has run out\. .*Inbound calls to standard \(non-toll-free\) numbers still work\.$/,
    );
  });
});

describe("GET /v1/accounts/:id/movements", () => {
  it("pages by cursor in commit order and filters by time", async () => {
    const acct = await newAccount();
    for (let i = 1; i <= 5; i++) await adjust(acct.id, `${i}.00`, `m${i}`);
    const first = await api("GET", `/v1/accounts/${acct.id}/movements?limit=2`, {
      token: acct.adminKey,
    });
    expect(first.status).toBe(200);
    expect(first.body.movements.map((m: any) => m.amount)).toEqual(["1.00", "2.00"]);
    const second = await api(
      "GET",
      `/v1/accounts/${acct.id}/movements?limit=2&cursor=${first.body.nextCursor}`,
      { token: acct.adminKey },
    );
    expect(second.body.movements.map((m: any) => m.amount)).toEqual(["3.00", "4.00"]);
    const third = await api(
      "GET",
      `/v1/accounts/${acct.id}/movements?limit=2&cursor=${second.body.nextCursor}`,
      { token: acct.adminKey },
    );
    expect(third.body.movements.map((m: any) => m.amount)).toEqual(["5.00"]);
    expect(third.body.nextCursor).toBeNull();
    const ids = [...first.body.movements, ...second.body.movements, ...third.body.movements].map(
      (m: any) => m.id,
    );
    expect([...ids].sort()).toEqual(ids);

    const future = await api("GET", `/v1/accounts/${acct.id}/movements?from=2999-01-01T00:00:00Z`, {
      token: acct.adminKey,
    });
    expect(future.body.movements).toEqual([]);
    const past = await api("GET", `/v1/accounts/${acct.id}/movements?to=2999-01-01T00:00:00Z`, {
      token: acct.adminKey,
    });
    expect(past.body.movements).toHaveLength(5);
  });

  it("lists a committed movement at once, whether or not D1 has its copy", async () => {
    const acct = await newAccount();
    const { env } = await import("cloudflare:workers");
    // With D1's history table gone, the listing can only come from the ledger itself.
    await env.DB.exec("ALTER TABLE movements RENAME TO movements_offline");
    try {
      await adjust(acct.id, "3.00", "fresh");
      const list = await api("GET", `/v1/accounts/${acct.id}/movements`, { token: acct.adminKey });
      expect(list.body.movements).toMatchObject([{ amount: "3.00" }]);
    } finally {
      await env.DB.exec("ALTER TABLE movements_offline RENAME TO movements");
    }
  });
});
