import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { ASSETS } from "../../src/http/billing/assets";
import { signWebhook } from "../../src/payments/webhook-signature";
import {
  SAMPLE_CALL_DECK_CSV,
  SAMPLE_MESSAGE_DECK_CSV,
  SAMPLE_SERVICE_RATES,
} from "../../src/rating/sample-decks";
import { EU_PLAN, N, setPlan, uploadSampleDecks } from "../calls/helpers";
import { waitForExport } from "../exports/flow-helpers";
import {
  api,
  newAccount,
  OPERATOR,
  SWITCH,
  uniqueId,
  type ApiAnswer,
  type TestAccount,
} from "../helpers";
import { expectCoversEveryRoute, expectErrorShape, send as request } from "./contract";

/**
 * Every route of the app against every kind of caller. A route added to the app without a
 * row here fails the coverage test, so its access rule is decided, not inherited by accident.
 */

const PRINCIPALS = [
  "operator",
  "switch",
  "admin",
  "agent",
  "otherTenant",
  "none",
  "garbage",
  "unknownKey",
] as const;
type Principal = (typeof PRINCIPALS)[number];

/**
 * - OK: the request reaches the handler and succeeds (2xx; the matrix sends valid requests).
 * - 401 / 403: refused by authentication / authorization with the contract's error.
 * - T404: another tenant's key is told the account does not exist (`account_not_found`).
 * - a number on a route without a bearer token: that exact status, whoever calls.
 */
const OK = "ok";
const T404 = "tenant404";
type Cell = typeof OK | typeof T404 | 401 | 403;

// Columns:        operator switch admin agent otherTenant none garbage unknownKey
const OPERATOR_ONLY: Cell[] = [OK, 403, 403, 403, 403, 401, 401, 401];
const SWITCH_ONLY: Cell[] = [403, OK, 403, 403, 403, 401, 401, 401];
const ACCOUNT_ADMIN: Cell[] = [OK, 403, OK, 403, T404, 401, 401, 401];
const ACCOUNT_ANY_KEY: Cell[] = [OK, 403, OK, OK, T404, 401, 401, 401];
const QUOTE: Cell[] = [OK, OK, OK, OK, T404, 401, 401, 401];

interface Fixture {
  a: TestAccount;
  b: TestAccount;
  exportId: string;
  signedDownload: string;
  topUpId: string;
}

interface RequestSpec {
  path: string;
  body?: unknown;
  rawBody?: string;
  headers?: Record<string, string>;
}

interface Case {
  name?: string;
  request: (f: Fixture, who: Principal) => RequestSpec | Promise<RequestSpec>;
  /** Bearer routes: one cell per principal. Routes without a bearer token: one status for all. */
  expect: Cell[] | { everyone: number; location?: RegExp };
}

let serial = 0;
const next = (what: string) => `${what}-${++serial}-${crypto.randomUUID().slice(0, 8)}`;

const form = (fields: Record<string, string>): Pick<RequestSpec, "rawBody" | "headers"> => ({
  rawBody: new URLSearchParams(fields).toString(),
  headers: { "Content-Type": "application/x-www-form-urlencoded" },
});

const BILLING_DETAILS = {
  companyName: "Matrix GmbH",
  addressLine1: "Friedrichstraße 1",
  city: "Berlin",
  postalCode: "10117",
  country: "DE",
  invoiceEmail: "billing@example.test",
};
/** Saves the sandbox's test Visa for the account, as its hosted page would, so there is a card. */
async function withCard(accountId: string): Promise<void> {
  await api("POST", `/sandbox/setup/${accountId}`, {
    token: null,
    ...form({ paymentMethod: "pm_card_visa" }),
  });
}

const callBody = {
  userId: "user-1",
  direction: "outbound",
  from: N.usAccount,
  to: N.deFixedBerlin,
};

/** The fixture's number, so the switch's account-less routes find its account. */
const SWITCH_NUMBER = "+4930123498";
let numberAssigned: Promise<unknown> | null = null;
const withNumber = async (f: Fixture, spec: RequestSpec): Promise<RequestSpec> => {
  numberAssigned ??= api("PUT", `/v1/accounts/${f.a.id}/numbers`, {
    body: { numbers: [SWITCH_NUMBER] },
  });
  await numberAssigned;
  return spec;
};
const switchCallNumbers = { direction: "outbound", from: SWITCH_NUMBER, to: N.deFixedBerlin };

const TABLE: Record<string, Case[]> = {
  "GET /health": [{ request: () => ({ path: "/health" }), expect: { everyone: 200 } }],

  "POST /v1/accounts": [
    {
      request: () => {
        const id = uniqueId("matrix");
        return {
          path: "/v1/accounts",
          body: { id, name: "Matrix", currency: "EUR", email: `${id}@example.test` },
        };
      },
      expect: OPERATOR_ONLY,
    },
  ],
  "GET /v1/accounts/:id": [
    { request: (f) => ({ path: `/v1/accounts/${f.a.id}` }), expect: ACCOUNT_ANY_KEY },
  ],
  "POST /v1/accounts/:id/api-keys": [
    {
      request: (f) => ({ path: `/v1/accounts/${f.a.id}/api-keys`, body: { role: "agent" } }),
      expect: OPERATOR_ONLY,
    },
  ],
  "POST /v1/accounts/:id/adjustments": [
    {
      request: (f) => ({
        path: `/v1/accounts/${f.a.id}/adjustments`,
        body: { amount: "0.01", reason: "authorization matrix" },
        headers: { "Idempotency-Key": next("adj") },
      }),
      expect: OPERATOR_ONLY,
    },
  ],
  "GET /v1/accounts/:id/credit": [
    { request: (f) => ({ path: `/v1/accounts/${f.a.id}/credit` }), expect: ACCOUNT_ADMIN },
  ],
  "GET /v1/accounts/:id/movements": [
    {
      request: (f) => ({ path: `/v1/accounts/${f.a.id}/movements?limit=5` }),
      expect: ACCOUNT_ADMIN,
    },
  ],
  "POST /v1/accounts/:id/exports": [
    { request: (f) => ({ path: `/v1/accounts/${f.a.id}/exports` }), expect: ACCOUNT_ADMIN },
  ],
  "GET /v1/accounts/:id/exports/:exportId": [
    {
      request: (f) => ({ path: `/v1/accounts/${f.a.id}/exports/${f.exportId}` }),
      expect: ACCOUNT_ADMIN,
    },
  ],
  "GET /v1/exports/:exportId/download": [
    // The signed link is the credential: no bearer token stands in for it, and none is needed with it.
    {
      name: "unsigned",
      request: (f) => ({ path: `/v1/exports/${f.exportId}/download` }),
      expect: { everyone: 403 },
    },
    {
      name: "forged signature",
      request: (f) => ({
        path: `/v1/exports/${f.exportId}/download?expires=${Math.floor(Date.now() / 1000) + 600}&signature=AAAA`,
      }),
      expect: { everyone: 403 },
    },
    { name: "signed", request: (f) => ({ path: f.signedDownload }), expect: { everyone: 200 } },
  ],
  "POST /v1/accounts/:id/top-ups": [
    {
      request: (f) => ({
        path: `/v1/accounts/${f.a.id}/top-ups`,
        body: { amount: "5.00" },
        headers: { "Idempotency-Key": next("top") },
      }),
      expect: ACCOUNT_ADMIN,
    },
  ],
  "GET /v1/accounts/:id/top-ups/:topUpId": [
    {
      request: (f) => ({ path: `/v1/accounts/${f.a.id}/top-ups/${f.topUpId}` }),
      expect: ACCOUNT_ADMIN,
    },
  ],
  "PUT /v1/accounts/:id/auto-top-up": [
    {
      request: (f) => ({
        path: `/v1/accounts/${f.a.id}/auto-top-up`,
        body: { enabled: false, threshold: "1.00", amount: "10.00" },
      }),
      expect: ACCOUNT_ADMIN,
    },
  ],
  "POST /v1/accounts/:id/payment-method/setup": [
    {
      request: (f) => ({ path: `/v1/accounts/${f.a.id}/payment-method/setup` }),
      expect: ACCOUNT_ADMIN,
    },
  ],
  "GET /v1/accounts/:id/payment-method": [
    {
      request: async (f) => {
        await withCard(f.a.id);
        return { path: `/v1/accounts/${f.a.id}/payment-method` };
      },
      expect: ACCOUNT_ADMIN,
    },
  ],
  "DELETE /v1/accounts/:id/payment-method": [
    {
      request: async (f) => {
        await withCard(f.a.id);
        return { path: `/v1/accounts/${f.a.id}/payment-method` };
      },
      expect: ACCOUNT_ADMIN,
    },
  ],
  // The gateway's return_url: no credential; it only makes the ledger ask the gateway.
  "GET /payments/return/:id/:topUpId": [
    {
      request: (f) => ({ path: `/payments/return/${f.a.id}/${f.topUpId}` }),
      expect: { everyone: 303, location: /^\/billing\?topUp=/ },
    },
  ],
  // The sandbox's stand-ins for the gateway's own pages: development only, no credential.
  "GET /sandbox/setup/:id": [
    { request: (f) => ({ path: `/sandbox/setup/${f.a.id}` }), expect: { everyone: 200 } },
  ],
  "POST /sandbox/setup/:id": [
    {
      request: (f) => ({
        path: `/sandbox/setup/${f.a.id}`,
        ...form({ paymentMethod: "pm_card_visa" }),
      }),
      expect: { everyone: 303, location: /\/billing\?card=saved#card$/ },
    },
  ],
  "GET /sandbox/authenticate/:ref": [
    {
      request: (f) => ({ path: `/sandbox/authenticate/pi_sandbox_${f.topUpId}` }),
      expect: { everyone: 200 },
    },
  ],
  "POST /sandbox/authenticate/:ref": [
    {
      request: (f) => ({
        path: `/sandbox/authenticate/pi_sandbox_${f.topUpId}`,
        ...form({ outcome: "approve" }),
      }),
      expect: { everyone: 303 },
    },
  ],
  "PUT /v1/accounts/:id/alerts": [
    {
      request: (f) => ({ path: `/v1/accounts/${f.a.id}/alerts`, body: { lowBalanceLevel: null } }),
      expect: ACCOUNT_ADMIN,
    },
  ],
  "POST /v1/webhooks/payments": [
    // The gateway's signature is the credential; a bearer token neither replaces nor spoils it.
    {
      name: "unsigned",
      request: () => ({
        path: "/v1/webhooks/payments",
        body: { id: "evt_unsigned", type: "payment_intent.succeeded", data: { object: {} } },
      }),
      expect: { everyone: 400 },
    },
    {
      name: "signed",
      request: async () => {
        const rawBody = JSON.stringify({
          id: next("evt"),
          type: "customer.created",
          data: { object: {} },
        });
        const signature = await signWebhook(env.PAYMENT_WEBHOOK_SECRET, rawBody, Date.now() / 1000);
        return {
          path: "/v1/webhooks/payments",
          rawBody,
          headers: { "Content-Type": "application/json", "Stripe-Signature": signature },
        };
      },
      expect: { everyone: 200 },
    },
  ],
  "PUT /v1/accounts/:id/plan": [
    {
      request: (f) => ({ path: `/v1/accounts/${f.a.id}/plan`, body: EU_PLAN }),
      expect: OPERATOR_ONLY,
    },
  ],
  "GET /v1/accounts/:id/plan": [
    { request: (f) => ({ path: `/v1/accounts/${f.a.id}/plan` }), expect: ACCOUNT_ADMIN },
  ],
  "PUT /v1/accounts/:id/spend-controls": [
    {
      request: (f) => ({ path: `/v1/accounts/${f.a.id}/spend-controls`, body: {} }),
      expect: ACCOUNT_ADMIN,
    },
  ],
  "GET /v1/accounts/:id/spend-controls": [
    { request: (f) => ({ path: `/v1/accounts/${f.a.id}/spend-controls` }), expect: ACCOUNT_ADMIN },
  ],
  "POST /v1/accounts/:id/calls/:callId/authorize": [
    {
      request: (f) => ({
        path: `/v1/accounts/${f.a.id}/calls/${next("call")}/authorize`,
        body: callBody,
      }),
      expect: SWITCH_ONLY,
    },
  ],
  "POST /v1/accounts/:id/calls/:callId/extend": [
    {
      request: (f) => ({
        path: `/v1/accounts/${f.a.id}/calls/${next("call")}/extend`,
        body: { usedSeconds: 10 },
      }),
      expect: SWITCH_ONLY,
    },
  ],
  "POST /v1/accounts/:id/calls/:callId/end": [
    {
      request: (f) => ({
        path: `/v1/accounts/${f.a.id}/calls/${next("call")}/end`,
        body: { durationSeconds: 10 },
      }),
      expect: SWITCH_ONLY,
    },
  ],
  "PUT /v1/accounts/:id/numbers": [
    {
      request: (f) => ({
        path: `/v1/accounts/${f.a.id}/numbers`,
        body: { numbers: [SWITCH_NUMBER] },
      }),
      expect: OPERATOR_ONLY,
    },
  ],
  "GET /v1/accounts/:id/numbers": [
    { request: (f) => ({ path: `/v1/accounts/${f.a.id}/numbers` }), expect: ACCOUNT_ANY_KEY },
  ],
  "POST /v1/calls/:callId/authorize": [
    {
      request: (f) =>
        withNumber(f, {
          path: `/v1/calls/${next("call")}/authorize`,
          body: { ...switchCallNumbers, userId: "user-1" },
        }),
      expect: SWITCH_ONLY,
    },
  ],
  "POST /v1/calls/:callId/extend": [
    {
      request: (f) =>
        withNumber(f, {
          path: `/v1/calls/${next("call")}/extend`,
          body: { ...switchCallNumbers, usedSeconds: 10 },
        }),
      expect: SWITCH_ONLY,
    },
  ],
  "POST /v1/calls/:callId/end": [
    {
      request: (f) =>
        withNumber(f, {
          path: `/v1/calls/${next("call")}/end`,
          body: { ...switchCallNumbers, durationSeconds: 10 },
        }),
      expect: SWITCH_ONLY,
    },
  ],
  "POST /v1/accounts/:id/calls/quote": [
    {
      request: (f) => ({
        path: `/v1/accounts/${f.a.id}/calls/quote`,
        body: { ...callBody, durationSeconds: 65 },
      }),
      expect: QUOTE,
    },
  ],
  "POST /v1/accounts/:id/messages/:messageId": [
    {
      request: (f) => ({
        path: `/v1/accounts/${f.a.id}/messages/${next("msg")}`,
        body: { channel: "sms", to: N.deMobile, fragments: 1 },
      }),
      expect: SWITCH_ONLY,
    },
  ],
  "POST /v1/accounts/:id/usage/:usageId": [
    {
      request: (f) => ({
        path: `/v1/accounts/${f.a.id}/usage/${next("use")}`,
        body: { service: "stt", seconds: 30 },
      }),
      expect: SWITCH_ONLY,
    },
  ],
  "GET /v1/accounts/:id/usage": [
    { request: (f) => ({ path: `/v1/accounts/${f.a.id}/usage` }), expect: ACCOUNT_ADMIN },
  ],
  "GET /v1/accounts/:id/invoice-usage": [
    { request: (f) => ({ path: `/v1/accounts/${f.a.id}/invoice-usage` }), expect: OPERATOR_ONLY },
  ],
  "GET /v1/accounts/:id/fair-use-exceptions": [
    {
      request: (f) => ({ path: `/v1/accounts/${f.a.id}/fair-use-exceptions` }),
      expect: ACCOUNT_ADMIN,
    },
  ],
  "PUT /v1/accounts/:id/fair-use-exceptions/:userId": [
    {
      request: (f) => ({
        path: `/v1/accounts/${f.a.id}/fair-use-exceptions/user-1`,
        body: { minutesPerMonth: 3000 },
      }),
      expect: OPERATOR_ONLY,
    },
  ],
  "DELETE /v1/accounts/:id/fair-use-exceptions/:userId": [
    {
      request: (f) => ({ path: `/v1/accounts/${f.a.id}/fair-use-exceptions/user-1` }),
      expect: OPERATOR_ONLY,
    },
  ],
  "PUT /v1/accounts/:id/billing-details": [
    {
      request: (f) => ({ path: `/v1/accounts/${f.a.id}/billing-details`, body: BILLING_DETAILS }),
      expect: ACCOUNT_ADMIN,
    },
  ],
  "GET /v1/accounts/:id/billing-details": [
    {
      // Set first, so a reader that may read them gets them rather than "none set yet".
      request: async (f) => {
        const path = `/v1/accounts/${f.a.id}/billing-details`;
        expect((await api("PUT", path, { body: BILLING_DETAILS })).status).toBe(200);
        return { path };
      },
      expect: ACCOUNT_ADMIN,
    },
  ],

  // Account b's history to shard 1; the same request again answers the same move.
  "POST /v1/history-moves": [
    {
      request: (f) => ({ path: "/v1/history-moves", body: { accountIds: [f.b.id], toShard: 1 } }),
      expect: OPERATOR_ONLY,
    },
  ],
  "GET /v1/history-moves": [
    { request: () => ({ path: "/v1/history-moves" }), expect: OPERATOR_ONLY },
  ],
  "GET /v1/history-moves/:moveId": [
    {
      request: async (f) => {
        const started = await api("POST", "/v1/history-moves", {
          body: { accountIds: [f.b.id], toShard: 1 },
        });
        expect(started.status).toBe(202);
        return { path: `/v1/history-moves/${started.body.moves[0].id}` };
      },
      expect: OPERATOR_ONLY,
    },
  ],
  "GET /v1/rates": [{ request: () => ({ path: "/v1/rates" }), expect: OPERATOR_ONLY }],
  // The decks in force again: an identical upload changes nothing.
  "PUT /v1/rates/calls": [
    {
      request: () => ({
        path: "/v1/rates/calls",
        rawBody: SAMPLE_CALL_DECK_CSV,
        headers: { "Content-Type": "text/csv" },
      }),
      expect: OPERATOR_ONLY,
    },
  ],
  "PUT /v1/rates/messages": [
    {
      request: () => ({
        path: "/v1/rates/messages",
        rawBody: SAMPLE_MESSAGE_DECK_CSV,
        headers: { "Content-Type": "text/csv" },
      }),
      expect: OPERATOR_ONLY,
    },
  ],
  "PUT /v1/rates/services": [
    {
      request: () => ({ path: "/v1/rates/services", body: SAMPLE_SERVICE_RATES }),
      expect: OPERATOR_ONLY,
    },
  ],

  "POST /dev/seed": [{ request: () => ({ path: "/dev/seed" }), expect: OPERATOR_ONLY }],
  "GET /dev/mailbox": [{ request: () => ({ path: "/dev/mailbox" }), expect: OPERATOR_ONLY }],
  "POST /dev/payments/:id/:topUpId/refund": [
    {
      request: (f) => ({ path: `/dev/payments/${f.a.id}/${f.topUpId}/refund`, body: {} }),
      expect: OPERATOR_ONLY,
    },
  ],
  "POST /dev/payments/:id/:topUpId/dispute": [
    {
      request: (f) => ({
        path: `/dev/payments/${f.a.id}/${f.topUpId}/dispute`,
        body: { status: "needs_response" },
      }),
      expect: OPERATOR_ONLY,
    },
  ],
  "POST /dev/payments/:id/:topUpId/fraud-warning": [
    {
      request: (f) => ({ path: `/dev/payments/${f.a.id}/${f.topUpId}/fraud-warning` }),
      expect: OPERATOR_ONLY,
    },
  ],

  // Pages: a signed-in cookie session is the credential; a bearer token, even the operator's, is not one.
  "GET /": [{ request: () => ({ path: "/" }), expect: { everyone: 302, location: /^\/billing$/ } }],
  "GET /billing": [
    {
      request: () => ({ path: "/billing" }),
      expect: { everyone: 303, location: /^\/billing\/sign-in/ },
    },
  ],
  "GET /billing/sign-in": [
    { request: () => ({ path: "/billing/sign-in" }), expect: { everyone: 200 } },
  ],
  "POST /billing/sign-in": [
    {
      request: (f) => ({
        path: "/billing/sign-in",
        ...form({ accountId: f.a.id, apiKey: f.a.adminKey, csrf: "x" }),
      }),
      expect: { everyone: 403 },
    },
  ],
  "POST /billing/sign-out": [
    {
      request: () => ({ path: "/billing/sign-out", ...form({ csrf: "x" }) }),
      expect: { everyone: 303, location: /^\/billing\/sign-in/ },
    },
  ],
  "POST /billing/top-ups": [
    {
      request: () => ({ path: "/billing/top-ups", ...form({ amount: "5.00", csrf: "x" }) }),
      expect: { everyone: 303, location: /^\/billing\/sign-in/ },
    },
  ],
  "POST /billing/auto-top-up": [
    {
      request: () => ({
        path: "/billing/auto-top-up",
        ...form({ threshold: "1.00", amount: "5.00", csrf: "x" }),
      }),
      expect: { everyone: 303, location: /^\/billing\/sign-in/ },
    },
  ],
  "POST /billing/card": [
    {
      request: () => ({ path: "/billing/card", ...form({ csrf: "x" }) }),
      expect: { everyone: 303, location: /^\/billing\/sign-in/ },
    },
  ],
  "POST /billing/exports": [
    {
      request: () => ({ path: "/billing/exports", ...form({ csrf: "x" }) }),
      expect: { everyone: 303, location: /^\/billing\/sign-in/ },
    },
  ],
  "POST /billing/billing-details": [
    {
      request: () => ({
        path: "/billing/billing-details",
        ...form({ companyName: "x", csrf: "x" }),
      }),
      expect: { everyone: 303, location: /^\/billing\/sign-in/ },
    },
  ],
  "GET /billing/top-ups/:topUpId/status": [
    {
      request: (f) => ({ path: `/billing/top-ups/${f.topUpId}/status` }),
      expect: { everyone: 401 },
    },
  ],
  "GET /billing/exports/:exportId/status": [
    {
      request: (f) => ({ path: `/billing/exports/${f.exportId}/status` }),
      expect: { everyone: 401 },
    },
  ],
  "GET /billing/assets/:file": [
    {
      request: () => ({ path: `/billing/assets/${Object.keys(ASSETS)[0]}` }),
      expect: { everyone: 200 },
    },
  ],
  "GET /openapi.json": [{ request: () => ({ path: "/openapi.json" }), expect: { everyone: 200 } }],
  "GET /docs": [{ request: () => ({ path: "/docs" }), expect: { everyone: 200 } }],
};

function tokenOf(f: Fixture, who: Principal): string | null {
  switch (who) {
    case "operator":
      return OPERATOR;
    case "switch":
      return SWITCH;
    case "admin":
      return f.a.adminKey;
    case "agent":
      return f.a.agentKey;
    case "otherTenant":
      return f.b.adminKey;
    case "none":
      return null;
    case "garbage":
      return "not-a-token-at-all";
    case "unknownKey":
      // Shaped like a key, so it reaches the key lookup, but never issued.
      return `ck_${"x".repeat(43)}`;
    default: {
      const unmapped: never = who;
      throw new Error(`no token for ${String(unmapped)}`);
    }
  }
}

async function send(f: Fixture, route: string, kase: Case, who: Principal): Promise<ApiAnswer> {
  const [method = "GET"] = route.split(" ");
  const built = await kase.request(f, who);
  return request(method, built.path, {
    token: tokenOf(f, who),
    ...(built.body !== undefined && { body: built.body }),
    ...(built.rawBody !== undefined && { rawBody: built.rawBody }),
    ...(built.headers && { headers: built.headers }),
  });
}

function expectCell(answer: ApiAnswer, cell: Cell, where: string): void {
  const seen = `${where} answered ${answer.status} ${JSON.stringify(answer.body).slice(0, 300)}`;
  switch (cell) {
    case OK:
      expect(answer.status >= 200 && answer.status < 300, `${seen}; expected success`).toBe(true);
      return;
    case 401:
      expect(answer.status, seen).toBe(401);
      expectErrorShape(answer.body, where);
      expect(["missing_token", "invalid_token"], seen).toContain(answer.body.error.code);
      expect(answer.headers.get("WWW-Authenticate"), seen).toMatch(/^Bearer /);
      return;
    case 403:
      expect(answer.status, seen).toBe(403);
      expectErrorShape(answer.body, where);
      expect(answer.body.error.code, seen).toBe("forbidden");
      return;
    case T404:
      // Exactly what an account that does not exist answers, so ids cannot be probed.
      expect(answer.status, seen).toBe(404);
      expect(answer.body, seen).toEqual({
        error: { code: "account_not_found", message: "No such account." },
      });
      return;
    default: {
      const unmapped: never = cell;
      throw new Error(`unknown cell ${String(unmapped)}`);
    }
  }
}

describe("authorization matrix", () => {
  let f: Fixture;

  beforeAll(async () => {
    await uploadSampleDecks();
    const [a, b] = await Promise.all([
      newAccount({ credit: "50.00" }),
      newAccount({ credit: "5.00" }),
    ]);
    await setPlan(a.id);
    const topUp = await api("POST", `/v1/accounts/${a.id}/top-ups`, {
      body: { amount: "5.00" },
      headers: { "Idempotency-Key": "matrix-fixture" },
    });
    expect(topUp.status).toBe(202);
    const started = await api("POST", `/v1/accounts/${a.id}/exports`);
    expect(started.status).toBe(202);
    const ready = await waitForExport(a, started.body.id);
    const url = new URL(ready.downloadUrl);
    f = {
      a,
      b,
      exportId: started.body.id,
      signedDownload: `${url.pathname}${url.search}`,
      topUpId: topUp.body.id,
    };
  });

  it("has a row for every route of the app, and for no route it does not have", () => {
    expectCoversEveryRoute(Object.keys(TABLE), "the authorization matrix");
  });

  const rows = Object.entries(TABLE).flatMap(([route, cases]) =>
    cases.map((kase) => ({ label: kase.name ? `${route} (${kase.name})` : route, route, kase })),
  );

  it.each(rows)("$label", async ({ route, kase }) => {
    const { expect: expected } = kase;
    if (Array.isArray(expected)) {
      expect(expected).toHaveLength(PRINCIPALS.length);
      for (const [i, who] of PRINCIPALS.entries()) {
        expectCell(await send(f, route, kase, who), expected[i] as Cell, `${route} as ${who}`);
      }
      return;
    }
    for (const who of PRINCIPALS) {
      const answer = await send(f, route, kase, who);
      const where = `${route}${kase.name ? ` (${kase.name})` : ""} as ${who}`;
      expect(
        answer.status,
        `${where} answered ${answer.status} ${JSON.stringify(answer.body).slice(0, 300)}`,
      ).toBe(expected.everyone);
      if (
        answer.status >= 400 &&
        answer.headers.get("Content-Type")?.startsWith("application/json")
      )
        expectErrorShape(answer.body, where);
      if (expected.location)
        expect(answer.headers.get("Location"), where).toMatch(expected.location);
    }
  });

  it("refuses an Authorization header that is not a bearer token, or carries the token twice", async () => {
    const path = `/v1/accounts/${f.a.id}/credit`;
    for (const value of [
      `Basic ${btoa(`x:${OPERATOR}`)}`,
      `Bearer`,
      `Bearer  ${OPERATOR}`,
      `bearer${OPERATOR}`,
      `Bearer ${OPERATOR} ${OPERATOR}`,
      `Bearer ${OPERATOR}\u00e9`,
    ]) {
      const answer = await api("GET", path, { token: null, headers: { Authorization: value } });
      expect(answer.status, `Authorization: ${value}`).toBe(401);
      expectErrorShape(answer.body, value);
    }
  });

  it("tells another tenant the same for an account that exists and one that does not", async () => {
    const ghost = uniqueId("ghost");
    for (const path of ["", "/credit", "/movements", "/usage", "/plan", "/spend-controls"]) {
      const real = await api("GET", `/v1/accounts/${f.a.id}${path}`, { token: f.b.adminKey });
      const none = await api("GET", `/v1/accounts/${ghost}${path}`, { token: f.b.adminKey });
      expect({ status: real.status, body: real.body }, path).toEqual({
        status: none.status,
        body: none.body,
      });
    }
  });
});
