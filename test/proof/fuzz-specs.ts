import fc from "fast-check";
import { EU_PLAN, N, uploadSampleDecks } from "../calls/helpers";
import { api, uniqueId, type TestAccount } from "../helpers";
import { settleLedger } from "../top-ups/helpers";
import { moneyLike, nastyString, nastyValue, one } from "./arbitraries";

/**
 * What the fuzz test knows of each route: who may call it, its valid path values, the
 * fields of a valid body (and a generator of right values for each), the query keys it
 * reads, and how to undo a success that would move money later.
 */

export interface Fixture {
  acct: TestAccount;
  exportId: string;
  topUpId: string;
  downloadQuery: string;
}

export type Token = "operator" | "switch" | "admin" | "none";

export interface Spec {
  token: Token;
  /** Valid values of the path's `:params`, unencoded. */
  params?: (f: Fixture) => Record<string, string>;
  body?:
    | {
        kind: "json";
        fields: Record<string, fc.Arbitrary<unknown>>;
        valid: (f: Fixture) => Record<string, unknown>;
      }
    | { kind: "csv"; header: string; cells: readonly string[] }
    | { kind: "webhook" }
    | { kind: "none" };
  /** Fresh headers each request needs to be valid (an Idempotency-Key). */
  headers?: () => Record<string, string>;
  /** The query keys the route reads; others are fuzzed too. */
  query?: readonly string[];
  /** A success may start work that moves money later (a payment); finish or undo it. */
  afterSuccess?: (f: Fixture) => Promise<void>;
}

const key = () => ({ "Idempotency-Key": `fuzz-${crypto.randomUUID()}` });

const settle = (f: Fixture) => settleLedger(f.acct.id);
const autoTopUpOff = async (f: Fixture) => {
  await api("PUT", `/v1/accounts/${f.acct.id}/auto-top-up`, {
    body: { enabled: false, threshold: "0.00", amount: "10.00" },
  });
  await settleLedger(f.acct.id);
};
const alertsOff = async (f: Fixture) => {
  await api("PUT", `/v1/accounts/${f.acct.id}/alerts`, {
    body: { lowBalanceLevel: null, webhookUrl: null },
  });
};

const callFields = {
  leg: one("primary", "forward"),
  userId: one("user-1", "u@x"),
  direction: one("outbound", "inbound"),
  from: one(N.usAccount, N.deAccount, N.shortCode),
  to: one(N.deFixedBerlin, N.dePremium, N.deTollFree),
};
export const validCall = () => ({
  userId: "user-1",
  direction: "outbound",
  from: N.usAccount,
  to: N.deFixedBerlin,
});

/** The fixture account's numbers, so the switch's account-less routes find it. */
export const FUZZ_NUMBERS = [N.usAccount, N.deFixedBerlin] as const;
const { direction, from, to } = callFields;
const callNumberFields = { direction, from, to };
const validCallNumbers = () => {
  const { userId: _userId, ...numbers } = validCall();
  return numbers;
};

export const API: Record<string, Spec> = {
  "GET /health": { token: "none", query: [] },
  "POST /v1/accounts": {
    token: "operator",
    body: {
      kind: "json",
      fields: {
        id: fc.uuid(),
        name: one("Fuzz"),
        currency: one("EUR", "USD", "JPY"),
        email: one("a@b.test"),
        timezone: one("UTC", "Europe/Prague"),
        region: one("weur", null),
      },
      valid: () => ({
        id: uniqueId("fuzz"),
        name: "Fuzz",
        currency: "EUR",
        email: "fuzz@example.test",
      }),
    },
  },
  "GET /v1/accounts/:id": { token: "admin", params: (f) => ({ id: f.acct.id }), query: [] },
  "POST /v1/accounts/:id/api-keys": {
    token: "operator",
    params: (f) => ({ id: f.acct.id }),
    body: {
      kind: "json",
      fields: { role: one("admin", "agent") },
      valid: () => ({ role: "agent" }),
    },
  },
  "POST /v1/accounts/:id/adjustments": {
    token: "operator",
    params: (f) => ({ id: f.acct.id }),
    headers: key,
    body: {
      kind: "json",
      fields: { amount: moneyLike, reason: one("fuzz") },
      valid: () => ({ amount: "0.01", reason: "fuzz" }),
    },
  },
  "GET /v1/accounts/:id/credit": { token: "admin", params: (f) => ({ id: f.acct.id }), query: [] },
  "GET /v1/accounts/:id/movements": {
    token: "admin",
    params: (f) => ({ id: f.acct.id }),
    query: ["from", "to", "cursor", "limit"],
  },
  "POST /v1/accounts/:id/exports": {
    token: "admin",
    params: (f) => ({ id: f.acct.id }),
    body: { kind: "none" },
    query: [],
  },
  "GET /v1/accounts/:id/exports/:exportId": {
    token: "admin",
    params: (f) => ({ id: f.acct.id, exportId: f.exportId }),
    query: [],
  },
  "GET /v1/exports/:exportId/download": {
    token: "none",
    params: (f) => ({ exportId: f.exportId }),
    query: ["expires", "signature"],
  },
  "POST /v1/accounts/:id/top-ups": {
    token: "admin",
    params: (f) => ({ id: f.acct.id }),
    headers: key,
    body: {
      kind: "json",
      fields: { amount: moneyLike, paymentMethod: one("pm_card_visa", "pm_card_declined") },
      valid: () => ({ amount: "1.00" }),
    },
    afterSuccess: settle,
  },
  "GET /v1/accounts/:id/top-ups/:topUpId": {
    token: "admin",
    params: (f) => ({ id: f.acct.id, topUpId: f.topUpId }),
    query: [],
  },
  "PUT /v1/accounts/:id/auto-top-up": {
    token: "admin",
    params: (f) => ({ id: f.acct.id }),
    body: {
      kind: "json",
      fields: {
        enabled: fc.boolean(),
        threshold: moneyLike,
        amount: moneyLike,
        paymentMethod: one("pm_card_visa"),
        maxPerDay: fc.integer({ min: -2, max: 60 }),
      },
      valid: () => ({ enabled: false, threshold: "1.00", amount: "10.00" }),
    },
    afterSuccess: autoTopUpOff,
  },
  "PUT /v1/accounts/:id/alerts": {
    token: "admin",
    params: (f) => ({ id: f.acct.id }),
    body: {
      kind: "json",
      // No real host: an alert webhook must not leave the test.
      fields: {
        lowBalanceLevel: moneyLike,
        webhookUrl: one(
          null,
          "https://hooks.example.test/x",
          "javascript:alert(1)",
          "ftp://x.test",
          "http://",
        ),
      },
      valid: () => ({ lowBalanceLevel: null }),
    },
    afterSuccess: alertsOff,
  },
  "POST /v1/webhooks/payments": { token: "none", body: { kind: "webhook" }, query: [] },
  "PUT /v1/accounts/:id/plan": {
    token: "operator",
    params: (f) => ({ id: f.acct.id }),
    body: {
      kind: "json",
      fields: {
        package: fc.record(
          {
            name: nastyValue,
            destinations: fc.array(fc.oneof(one("DE", "de", "XX", "EU"), nastyString), {
              maxLength: 4,
            }),
            numberCountries: nastyValue,
            fupMinutesPerUser: nastyValue,
          },
          { requiredKeys: [] },
        ),
        allowances: fc.record(
          { conversationIntelligenceMinutes: nastyValue, voiceAgentMinutes: nastyValue },
          { requiredKeys: [] },
        ),
      },
      valid: () => structuredClone(EU_PLAN) as Record<string, unknown>,
    },
  },
  "GET /v1/accounts/:id/plan": { token: "admin", params: (f) => ({ id: f.acct.id }), query: [] },
  "PUT /v1/accounts/:id/spend-controls": {
    token: "admin",
    params: (f) => ({ id: f.acct.id }),
    body: {
      kind: "json",
      fields: { maxCostPerCall: moneyLike, dailyCap: moneyLike },
      valid: () => ({ maxCostPerCall: null, dailyCap: null }),
    },
  },
  "GET /v1/accounts/:id/spend-controls": {
    token: "admin",
    params: (f) => ({ id: f.acct.id }),
    query: [],
  },
  "POST /v1/accounts/:id/calls/:callId/authorize": {
    token: "switch",
    params: (f) => ({ id: f.acct.id, callId: `fz-${crypto.randomUUID()}` }),
    body: { kind: "json", fields: callFields, valid: validCall },
  },
  "POST /v1/accounts/:id/calls/:callId/extend": {
    token: "switch",
    params: (f) => ({ id: f.acct.id, callId: "fz-running" }),
    body: {
      kind: "json",
      fields: { leg: callFields.leg, usedSeconds: fc.integer({ min: -1, max: 90_000 }) },
      valid: () => ({ usedSeconds: 30 }),
    },
  },
  "POST /v1/accounts/:id/calls/:callId/end": {
    token: "switch",
    params: (f) => ({ id: f.acct.id, callId: `fz-${crypto.randomUUID()}` }),
    body: {
      kind: "json",
      fields: { leg: callFields.leg, durationSeconds: fc.integer({ min: -1, max: 90_000 }) },
      valid: () => ({ durationSeconds: 30 }),
    },
  },
  "PUT /v1/accounts/:id/numbers": {
    token: "operator",
    params: (f) => ({ id: f.acct.id }),
    body: {
      kind: "json",
      fields: {
        numbers: fc.oneof(
          nastyValue,
          fc.array(fc.oneof(nastyString, one(N.usAccount, N.deFixedBerlin, "+4930", "030 123"))),
        ),
      },
      valid: () => ({ numbers: [...FUZZ_NUMBERS] }),
    },
  },
  "GET /v1/accounts/:id/numbers": { token: "admin", params: (f) => ({ id: f.acct.id }), query: [] },
  "POST /v1/calls/:callId/authorize": {
    token: "switch",
    params: () => ({ callId: `fz-${crypto.randomUUID()}` }),
    body: { kind: "json", fields: callFields, valid: validCall },
  },
  "POST /v1/calls/:callId/extend": {
    token: "switch",
    params: () => ({ callId: `fz-${crypto.randomUUID()}` }),
    body: {
      kind: "json",
      fields: {
        ...callNumberFields,
        leg: callFields.leg,
        usedSeconds: fc.integer({ min: -1, max: 90_000 }),
      },
      valid: () => ({ ...validCallNumbers(), usedSeconds: 30 }),
    },
  },
  "POST /v1/calls/:callId/end": {
    token: "switch",
    params: () => ({ callId: `fz-${crypto.randomUUID()}` }),
    body: {
      kind: "json",
      fields: {
        ...callNumberFields,
        leg: callFields.leg,
        durationSeconds: fc.integer({ min: -1, max: 90_000 }),
      },
      valid: () => ({ ...validCallNumbers(), durationSeconds: 30 }),
    },
  },
  "POST /v1/accounts/:id/calls/quote": {
    token: "switch",
    params: (f) => ({ id: f.acct.id }),
    body: {
      kind: "json",
      fields: { ...callFields, durationSeconds: fc.integer({ min: -1, max: 90_000 }) },
      valid: () => ({ ...validCall(), durationSeconds: 65 }),
    },
  },
  "POST /v1/accounts/:id/messages/:messageId": {
    token: "switch",
    params: (f) => ({ id: f.acct.id, messageId: `fz-${crypto.randomUUID()}` }),
    body: {
      kind: "json",
      fields: {
        channel: one("sms", "mms", "whatsapp"),
        to: one(N.deMobile, N.shortCode, "+999"),
        fragments: fc.integer({ min: -1, max: 1_000 }),
        userId: one("user-1", null),
      },
      valid: () => ({ channel: "sms", to: N.deMobile, fragments: 1 }),
    },
  },
  "POST /v1/accounts/:id/usage/:usageId": {
    token: "switch",
    params: (f) => ({ id: f.acct.id, usageId: `fz-${crypto.randomUUID()}` }),
    body: {
      kind: "json",
      fields: {
        service: one("stt", "ai-voice-agents", "conversation-intelligence"),
        seconds: fc.integer({ min: -1, max: 90_000 }),
        userId: one("user-1", null),
        callId: one("c-1", null),
      },
      valid: () => ({ service: "stt", seconds: 61 }),
    },
  },
  "GET /v1/accounts/:id/usage": {
    token: "admin",
    params: (f) => ({ id: f.acct.id }),
    query: ["month"],
  },
  "GET /v1/accounts/:id/invoice-usage": {
    token: "operator",
    params: (f) => ({ id: f.acct.id }),
    query: ["month", "cursor", "limit"],
  },
  "GET /v1/accounts/:id/fair-use-exceptions": {
    token: "admin",
    params: (f) => ({ id: f.acct.id }),
    query: [],
  },
  "PUT /v1/accounts/:id/fair-use-exceptions/:userId": {
    token: "operator",
    params: (f) => ({ id: f.acct.id, userId: "user-1" }),
    body: {
      kind: "json",
      fields: { minutesPerMonth: fc.oneof(fc.integer({ min: -1, max: 50_000 }), nastyValue) },
      valid: () => ({ minutesPerMonth: 3_000 }),
    },
  },
  "DELETE /v1/accounts/:id/fair-use-exceptions/:userId": {
    token: "operator",
    params: (f) => ({ id: f.acct.id, userId: "user-1" }),
    query: [],
  },
  "PUT /v1/accounts/:id/billing-details": {
    token: "admin",
    params: (f) => ({ id: f.acct.id }),
    body: {
      kind: "json",
      fields: {
        companyName: nastyValue,
        addressLine1: nastyValue,
        addressLine2: one("", "Hinterhaus", null),
        city: nastyValue,
        postalCode: one("10117", "", "<x>"),
        country: one("DE", "de", "UK", "GR", "US", "XX"),
        taxId: one("DE136695976", "136695976", "EL094259216", "DE1", "", null),
        invoiceEmail: one("billing@example.test", "no-at-sign"),
      },
      valid: () => ({
        companyName: "Fuzz GmbH",
        addressLine1: "Friedrichstraße 1",
        city: "Berlin",
        postalCode: "10117",
        country: "DE",
        taxId: "DE136695976",
        invoiceEmail: "billing@example.test",
      }),
    },
  },
  "GET /v1/accounts/:id/billing-details": {
    token: "admin",
    params: (f) => ({ id: f.acct.id }),
    query: [],
  },
  "POST /v1/history-moves": {
    token: "operator",
    body: {
      kind: "json",
      fields: {
        accountIds: fc.oneof(
          fc.array(nastyString, { maxLength: 3 }),
          one<unknown>([], ["no-such-account"], Array(101).fill("a")),
        ),
        toShard: one<unknown>(0, 1, 2, 3, 4, 63, 64, -1, 1.5, "1", null),
      },
      // The fixture account to shard 1; the same request again answers the same move.
      valid: (f) => ({ accountIds: [f.acct.id], toShard: 1 }),
    },
  },
  "GET /v1/history-moves": { token: "operator", query: ["accountId", "limit"] },
  "GET /v1/history-moves/:moveId": {
    token: "operator",
    params: () => ({ moveId: "mv_00000000-0000-4000-8000-000000000000" }),
    query: [],
  },
  "GET /v1/rates": { token: "operator", query: [] },
  "PUT /v1/rates/calls": {
    token: "operator",
    body: {
      kind: "csv",
      header: "prefix,destination,rate_per_minute,initial_increment,subsequent_increment",
      cells: ["49", "4930", "Germany", "0.01", "60", "1", "0"],
    },
    afterSuccess: uploadSampleDecks,
  },
  "PUT /v1/rates/messages": {
    token: "operator",
    body: {
      kind: "csv",
      header: "country,channel,price_per_fragment",
      cells: ["DE", "sms", "whatsapp", "0.07"],
    },
    afterSuccess: uploadSampleDecks,
  },
  "PUT /v1/rates/services": {
    token: "operator",
    body: {
      kind: "json",
      fields: {
        stt: moneyLike,
        "ai-voice-agents": moneyLike,
        "conversation-intelligence": moneyLike,
        "toll-free-inbound": moneyLike,
      },
      valid: () => ({
        stt: "0.02",
        "ai-voice-agents": "0.10",
        "conversation-intelligence": "0.03",
        "toll-free-inbound": "0.05",
      }),
    },
    afterSuccess: uploadSampleDecks,
  },
  "POST /dev/seed": { token: "operator", body: { kind: "none" } },
  "POST /dev/payments/:id/:topUpId/refund": {
    token: "operator",
    params: (f) => ({ id: f.acct.id, topUpId: f.topUpId }),
    body: { kind: "json", fields: { amount: moneyLike }, valid: () => ({ amount: "0.01" }) },
    query: [],
  },
  "POST /dev/payments/:id/:topUpId/dispute": {
    token: "operator",
    params: (f) => ({ id: f.acct.id, topUpId: f.topUpId }),
    body: {
      kind: "json",
      fields: { status: fc.oneof(one("needs_response", "won", "lost", "open"), nastyValue) },
      valid: () => ({ status: "lost" }),
    },
    query: [],
  },
  "POST /dev/payments/:id/:topUpId/fraud-warning": {
    token: "operator",
    params: (f) => ({ id: f.acct.id, topUpId: f.topUpId }),
    query: [],
  },
  "POST /v1/accounts/:id/payment-method/setup": {
    token: "admin",
    params: (f) => ({ id: f.acct.id }),
    query: [],
  },
  "GET /v1/accounts/:id/payment-method": {
    token: "admin",
    params: (f) => ({ id: f.acct.id }),
    query: [],
  },
  "DELETE /v1/accounts/:id/payment-method": {
    token: "admin",
    params: (f) => ({ id: f.acct.id }),
    query: [],
  },
  "GET /payments/return/:id/:topUpId": {
    token: "none",
    params: (f) => ({ id: f.acct.id, topUpId: f.topUpId }),
    query: ["payment_intent", "redirect_status"],
  },
  "GET /sandbox/setup/:id": {
    token: "none",
    params: (f) => ({ id: f.acct.id }),
    query: ["return"],
  },
  "POST /sandbox/setup/:id": { token: "none", params: (f) => ({ id: f.acct.id }), query: [] },
  "GET /sandbox/authenticate/:ref": {
    token: "none",
    params: (f) => ({ ref: `pi_sandbox_${f.topUpId}` }),
    query: [],
  },
  "POST /sandbox/authenticate/:ref": {
    token: "none",
    params: (f) => ({ ref: `pi_sandbox_${f.topUpId}` }),
    query: [],
  },
  "GET /dev/mailbox": { token: "operator", query: ["to"] },
  "GET /openapi.json": { token: "none", query: [] },
  "GET /docs": { token: "none", query: [] },
};

/** Routes of the Billing page (cookie session, HTML answers): fuzzed in their own block below. */
export const PAGE_ROUTES = [
  "GET /",
  "GET /billing",
  "GET /billing/sign-in",
  "POST /billing/sign-in",
  "POST /billing/sign-out",
  "POST /billing/top-ups",
  "POST /billing/auto-top-up",
  "POST /billing/exports",
  "POST /billing/billing-details",
  "POST /billing/card",
  "GET /billing/top-ups/:topUpId/status",
  "GET /billing/exports/:exportId/status",
  "GET /billing/assets/:file",
] as const;
