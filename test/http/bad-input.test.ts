import { beforeAll, describe, expect, it } from "vitest";
import { adjust, api, ledger, newAccount, uniqueId, type TestAccount } from "../helpers";

/**
 * Every class of bad input answers the contract's 4xx, names what was wrong, and leaves
 * the ledger exactly as it was.
 */
describe("bad input", () => {
  let acct: TestAccount;
  let other: TestAccount;
  beforeAll(async () => {
    acct = await newAccount({ credit: "10.00" });
    other = await newAccount({ credit: "5.00" });
  });

  const adjustmentsPath = () => `/v1/accounts/${acct.id}/adjustments`;
  const withKey = { "Idempotency-Key": "bad-input" };

  interface Case {
    name: string;
    request: () => Promise<{ status: number; body: any }>;
    status: number;
    code: string;
    field?: string;
  }

  const cases: Case[] = [
    {
      name: "malformed JSON",
      request: () =>
        api("POST", adjustmentsPath(), { rawBody: '{"amount": "1.00",', headers: withKey }),
      status: 400,
      code: "malformed_json",
      field: "body",
    },
    {
      name: "a body that is not JSON at all",
      request: () =>
        api("POST", adjustmentsPath(), {
          rawBody: "amount=1",
          headers: { ...withKey, "Content-Type": "application/x-www-form-urlencoded" },
        }),
      status: 400,
      code: "unsupported_content_type",
      field: "Content-Type",
    },
    {
      name: "money of the wrong type",
      request: () =>
        api("POST", adjustmentsPath(), { body: { amount: 25, reason: "x" }, headers: withKey }),
      status: 400,
      code: "invalid_request",
      field: "amount",
    },
    {
      name: "a missing field",
      request: () => api("POST", adjustmentsPath(), { body: { amount: "1.00" }, headers: withKey }),
      status: 400,
      code: "invalid_request",
      field: "reason",
    },
    {
      name: "money with 7 decimals",
      request: () =>
        api("POST", adjustmentsPath(), {
          body: { amount: "1.0000001", reason: "x" },
          headers: withKey,
        }),
      status: 400,
      code: "invalid_request",
      field: "amount",
    },
    {
      name: "money written as an exponent",
      request: () =>
        api("POST", adjustmentsPath(), { body: { amount: "1e3", reason: "x" }, headers: withKey }),
      status: 400,
      code: "invalid_request",
      field: "amount",
    },
    {
      name: "a zero adjustment",
      request: () =>
        api("POST", adjustmentsPath(), { body: { amount: "0.00", reason: "x" }, headers: withKey }),
      status: 400,
      code: "invalid_request",
      field: "amount",
    },
    {
      name: "a missing Idempotency-Key on a money movement",
      request: () => api("POST", adjustmentsPath(), { body: { amount: "1.00", reason: "x" } }),
      status: 400,
      code: "missing_idempotency_key",
      field: "Idempotency-Key",
    },
    {
      name: "an unknown account",
      request: () => adjust(uniqueId("ghost"), "1.00", "ghost"),
      status: 404,
      code: "account_not_found",
    },
    {
      name: "an account id that cannot exist",
      request: () => api("GET", "/v1/accounts/has%20space/credit"),
      status: 400,
      code: "invalid_request",
      field: "id",
    },
    {
      name: "an unknown currency",
      request: () =>
        api("POST", "/v1/accounts", {
          body: { id: uniqueId(), name: "X", currency: "XYZ", email: "x@y.test" },
        }),
      status: 400,
      code: "invalid_request",
      field: "currency",
    },
    {
      name: "an unknown time zone",
      request: () =>
        api("POST", "/v1/accounts", {
          body: {
            id: uniqueId(),
            name: "X",
            currency: "EUR",
            email: "x@y.test",
            timezone: "Mars/Olympus",
          },
        }),
      status: 400,
      code: "invalid_request",
      field: "timezone",
    },
    {
      name: "an invalid email",
      request: () =>
        api("POST", "/v1/accounts", {
          body: { id: uniqueId(), name: "X", currency: "EUR", email: "not-an-email" },
        }),
      status: 400,
      code: "invalid_request",
      field: "email",
    },
    {
      name: "an oversize body",
      request: () =>
        api("POST", adjustmentsPath(), {
          body: { amount: "1.00", reason: "x".repeat(70_000) },
          headers: withKey,
        }),
      status: 413,
      code: "body_too_large",
    },
    {
      name: "a missing token",
      request: () => api("GET", `/v1/accounts/${acct.id}/credit`, { token: null }),
      status: 401,
      code: "missing_token",
    },
    {
      name: "a wrong token",
      request: () =>
        api("POST", adjustmentsPath(), {
          token: "not-the-operator",
          body: { amount: "1.00", reason: "x" },
          headers: withKey,
        }),
      status: 401,
      code: "invalid_token",
    },
    {
      name: "a key that was never issued",
      request: () =>
        api("GET", `/v1/accounts/${acct.id}/credit`, {
          token: "ck_thisKeyWasNeverIssuedByTheServiceAtAll000000",
        }),
      status: 401,
      code: "invalid_token",
    },
    {
      name: "another tenant's key",
      request: () => api("GET", `/v1/accounts/${acct.id}/credit`, { token: other.adminKey }),
      status: 404,
      code: "account_not_found",
    },
    {
      name: "another tenant's key on the movements",
      request: () => api("GET", `/v1/accounts/${acct.id}/movements`, { token: other.adminKey }),
      status: 404,
      code: "account_not_found",
    },
    {
      name: "an agent key on a billing route",
      request: () => api("GET", `/v1/accounts/${acct.id}/credit`, { token: acct.agentKey }),
      status: 403,
      code: "forbidden",
    },
    {
      name: "an account admin key on an operator route",
      request: () =>
        api("POST", adjustmentsPath(), {
          token: acct.adminKey,
          body: { amount: "100.00", reason: "free money" },
          headers: withKey,
        }),
      status: 403,
      code: "forbidden",
    },
    {
      name: "the switch token on an operator route",
      request: () =>
        api("POST", adjustmentsPath(), {
          token: "dev-switch-token",
          body: { amount: "100.00", reason: "x" },
          headers: withKey,
        }),
      status: 403,
      code: "forbidden",
    },
    {
      name: "a page size out of range",
      request: () => api("GET", `/v1/accounts/${acct.id}/movements?limit=100000`),
      status: 400,
      code: "invalid_request",
      field: "limit",
    },
    {
      name: "a forged cursor",
      request: () => api("GET", `/v1/accounts/${acct.id}/movements?cursor=bm90LWEtY3Vyc29y`),
      status: 400,
      code: "invalid_request",
      field: "cursor",
    },
    {
      name: "a date that is not ISO 8601",
      request: () => api("GET", `/v1/accounts/${acct.id}/movements?from=yesterday`),
      status: 400,
      code: "invalid_request",
      field: "from",
    },
    {
      name: "an unknown route",
      request: () => api("GET", "/v1/nothing-here"),
      status: 404,
      code: "route_not_found",
    },
  ];

  it.each(cases)(
    "$name answers $status $code and changes nothing",
    async ({ request, status, code, field }) => {
      const before = await Promise.all([ledger(acct.id).audit(), ledger(other.id).audit()]);
      const res = await request();
      expect(res.status).toBe(status);
      expect(res.body.error.code).toBe(code);
      expect(typeof res.body.error.message).toBe("string");
      if (field) {
        expect(res.body.error.details).toEqual(
          expect.arrayContaining([expect.objectContaining({ field })]),
        );
        expect(res.body.error.message).toContain(field);
      }
      const after = await Promise.all([ledger(acct.id).audit(), ledger(other.id).audit()]);
      expect(after).toEqual(before);
    },
  );
});

describe("form bodies that are not forms", () => {
  // The body says multipart but has no boundary: the client's mistake, answered before sign-in.
  it.each(["/billing/sign-in", "/billing/sign-out", "/billing/top-ups", "/sandbox/setup/acct-x"])(
    "POST %s with a multipart body without a boundary is a 400 naming the body",
    async (path) => {
      const res = await api("POST", path, {
        token: null,
        rawBody: "csrf=x",
        headers: { "Content-Type": "multipart/form-data" },
      });
      expect(res.status).toBe(400);
      expect(res.body.error).toMatchObject({
        code: "invalid_request",
        details: [{ field: "body", issue: expect.stringContaining("not a valid form body") }],
      });
    },
  );
});
