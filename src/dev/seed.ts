import type { Hono } from "hono";
import { sha256Hex } from "../http/crypto";
import type { AppEnv } from "../http/context";
import {
  SAMPLE_CALL_DECK_CSV,
  SAMPLE_MESSAGE_DECK_CSV,
  SAMPLE_SERVICE_RATES,
} from "../rating/sample-decks";

const EU = [
  "AT",
  "BE",
  "BG",
  "CY",
  "CZ",
  "DE",
  "DK",
  "EE",
  "ES",
  "FI",
  "FR",
  "GR",
  "HR",
  "HU",
  "IE",
  "IT",
  "LT",
  "LU",
  "LV",
  "MT",
  "NL",
  "PL",
  "PT",
  "RO",
  "SE",
  "SI",
  "SK",
];

/** The seeds' "EU Domestic" package, so the demo shows included, credit and free calls. */
export const DEMO_PLAN = {
  package: { name: "EU Domestic", destinations: EU, numberCountries: EU, fupMinutesPerUser: 3000 },
  allowances: { conversationIntelligenceMinutes: 100, voiceAgentMinutes: 50 },
};

/** Fixed keys so the README can print them; only ever accepted outside production. */
export const DEMO = {
  accountId: "demo",
  adminKey: "ck_dev_demo_admin_0000000000000000000000000000",
  agentKey: "ck_dev_demo_agent_0000000000000000000000000000",
  openingCredit: "50.00",
} as const;

/**
 * Seeds the local database through the public API, so the demo is built by the same
 * code paths a real operator uses. Safe to run again: every step is idempotent.
 */
export async function seedDemo(app: Hono<AppEnv>, env: Env): Promise<Record<string, unknown>> {
  const operator = {
    Authorization: `Bearer ${env.ADMIN_TOKEN}`,
    "Content-Type": "application/json",
  };
  const call = async (
    method: string,
    path: string,
    body: unknown,
    headers: Record<string, string> = {},
  ) => {
    const res = await app.request(
      path,
      { method, headers: { ...operator, ...headers }, body: JSON.stringify(body) },
      env,
    );
    if (res.status >= 300)
      throw new Error(`seeding ${method} ${path} answered ${res.status}: ${await res.text()}`);
    return res.json();
  };
  await call("POST", "/v1/accounts", {
    id: DEMO.accountId,
    name: "Demo Call Centre",
    currency: "EUR",
    email: "billing@demo.example",
    timezone: "Europe/Prague",
    region: "weur",
  });
  for (const [role, secret] of [
    ["admin", DEMO.adminKey],
    ["agent", DEMO.agentKey],
  ] as const) {
    await env.DB.prepare(
      "INSERT OR IGNORE INTO api_keys (id, account_id, role, key_hash, key_prefix, created_at_ms) VALUES (?, ?, ?, ?, ?, ?)",
    )
      .bind(
        `key_demo_${role}`,
        DEMO.accountId,
        role,
        await sha256Hex(secret),
        secret.slice(0, 10),
        Date.now(),
      )
      .run();
  }
  await call(
    "POST",
    `/v1/accounts/${DEMO.accountId}/adjustments`,
    { amount: DEMO.openingCredit, reason: "demo opening credit" },
    {
      "Idempotency-Key": "demo-opening-credit",
    },
  );
  // Uploading a deck equal to the one in force makes no new version, so this is safe to repeat.
  const rateDecks: Record<string, unknown> = {};
  for (const [kind, csv] of [
    ["calls", SAMPLE_CALL_DECK_CSV],
    ["messages", SAMPLE_MESSAGE_DECK_CSV],
  ] as const) {
    const res = await app.request(
      `/v1/rates/${kind}`,
      { method: "PUT", headers: { ...operator, "Content-Type": "text/csv" }, body: csv },
      env,
    );
    if (res.status >= 300)
      throw new Error(`seeding the ${kind} deck answered ${res.status}: ${await res.text()}`);
    rateDecks[kind] = ((await res.json()) as { version: string }).version;
  }
  rateDecks.services = (
    (await call("PUT", "/v1/rates/services", SAMPLE_SERVICE_RATES)) as { version: string }
  ).version;
  await call("PUT", `/v1/accounts/${DEMO.accountId}/plan`, DEMO_PLAN);
  await demoTraffic(app, env);
  return {
    accountId: DEMO.accountId,
    adminKey: DEMO.adminKey,
    agentKey: DEMO.agentKey,
    operatorToken: env.ADMIN_TOKEN,
    switchToken: env.SWITCH_TOKEN,
    plan: DEMO_PLAN.package.name,
    rateDecks,
  };
}

/**
 * A morning of the demo call centre's traffic, through the switch's own routes, so the
 * usage, the spend chart and the movements have something to show. Ids are fixed: a
 * second seed answers the same and charges nothing again.
 */
const DEMO_CALLS = [
  { id: "seed-call-included", from: "+4969123456", to: "+4915123456789", seconds: 312 },
  { id: "seed-call-us", from: "+4969123456", to: "+12025550199", seconds: 185 },
  { id: "seed-call-outside-region", from: "+12025550123", to: "+4930123456", seconds: 65 },
  { id: "seed-call-premium", from: "+4969123456", to: "+499001234567", seconds: 40 },
] as const;

async function demoTraffic(app: Hono<AppEnv>, env: Env): Promise<void> {
  const asSwitch = async (path: string, body: unknown) => {
    const headers = {
      Authorization: `Bearer ${env.SWITCH_TOKEN}`,
      "Content-Type": "application/json",
    };
    const res = await app.request(
      `/v1/accounts/${DEMO.accountId}${path}`,
      { method: "POST", headers, body: JSON.stringify(body) },
      env,
    );
    if (res.status >= 300)
      throw new Error(`seeding POST ${path} answered ${res.status}: ${await res.text()}`);
  };
  for (const leg of DEMO_CALLS) {
    await asSwitch(`/calls/${leg.id}/authorize`, {
      userId: "agent-anna",
      direction: "outbound",
      from: leg.from,
      to: leg.to,
    });
    await asSwitch(`/calls/${leg.id}/end`, { durationSeconds: leg.seconds });
  }
  await asSwitch("/messages/seed-sms-1", {
    channel: "sms",
    to: "+4915123456789",
    fragments: 2,
    userId: "agent-anna",
  });
  await asSwitch("/usage/seed-stt-1", { service: "stt", seconds: 600, userId: "agent-anna" });
}
