// Shared set-up of the browser tests: Debian's Chromium driven by playwright-core, a fresh
// profile per run, screenshots in test-results/screenshots/, and a record of any
// Content-Security-Policy violation or script error, which fails the test that caused it.
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium } from "playwright-core";

export const BASE = process.env.BILLING_BASE_URL ?? "http://127.0.0.1:8787";
export const DEMO = {
  accountId: "demo",
  adminKey: "ck_dev_demo_admin_0000000000000000000000000000",
};
const ROOT = new URL("..", import.meta.url).pathname;
export const SCREENSHOTS = join(ROOT, "test-results", "screenshots");

const CHROMIUM_FLAGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

export async function openBrowser() {
  mkdirSync(SCREENSHOTS, { recursive: true });
  // launchPersistentContext is how Playwright takes a --user-data-dir: a new one per run.
  const profile = mkdtempSync(join(tmpdir(), "billing-chromium-"));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
    headless: true,
    args: CHROMIUM_FLAGS,
    viewport: { width: 1280, height: 900 },
    acceptDownloads: true,
    locale: "en-GB",
  });
  const problems = [];
  const page = context.pages()[0] ?? (await context.newPage());
  page.on("console", (message) => {
    // A form answered 4xx is logged as a failed load; it is an expected answer, not a fault.
    if (message.type() === "error" && !message.text().startsWith("Failed to load resource"))
      problems.push(message.text());
  });
  page.on("requestfailed", (request) =>
    problems.push(`request failed: ${request.url()} ${request.failure()?.errorText ?? ""}`),
  );
  page.on("pageerror", (error) => problems.push(String(error)));
  return {
    context,
    page,
    /** Problems seen since the last call: CSP violations, script errors, failed loads. */
    takeProblems: () => problems.splice(0),
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

export async function screenshot(page, name, options = {}) {
  await page.screenshot({
    path: join(SCREENSHOTS, `${name}.png`),
    fullPage: options.fullPage ?? false,
  });
}

/** "EUR 1,234.50" → 123450 (cents), to compare balances without floats. */
export function cents(text) {
  const match = /(-?)([\d,]+)\.(\d{2})/.exec(text ?? "");
  if (!match) throw new Error(`no amount in ${JSON.stringify(text)}`);
  const value = Number(match[2].replaceAll(",", "")) * 100 + Number(match[3]);
  return match[1] ? -value : value;
}

const OPERATOR = "dev-operator-token";
const SWITCH = "dev-switch-token";

async function call(token, method, path, body, contentType = "application/json") {
  const res = await fetch(`${BASE}${path}`, {
    method,
    headers: { Authorization: `Bearer ${token}`, "Content-Type": contentType },
    body: contentType === "application/json" ? JSON.stringify(body) : body,
  });
  if (!res.ok) throw new Error(`${method} ${path} answered ${res.status}: ${await res.text()}`);
  return res.json();
}

/**
 * Some usage on the demo account through the public API, as the platform would make it:
 * rate decks and a plan from the operator, an included call, a call outside the package and
 * an SMS from the switch. Ids are unique per run, so a rerun charges anew.
 */
export async function chargeSomeUsage() {
  const run = Date.now().toString(36);
  await call(
    OPERATOR,
    "PUT",
    "/v1/rates/calls",
    "prefix,destination,rate_per_minute\n49,Germany,0.02\n1,United States,0.05\n",
    "text/csv",
  );
  await call(
    OPERATOR,
    "PUT",
    "/v1/rates/messages",
    "country,channel,price_per_fragment\nDE,sms,0.08\n",
    "text/csv",
  );
  await call(OPERATOR, "PUT", `/v1/accounts/${DEMO.accountId}/plan`, {
    package: { name: "EU Domestic", destinations: ["DE"], numberCountries: ["DE"] },
  });
  const legs = [
    { id: `in-package-${run}`, to: "+4989123456", seconds: 125 },
    { id: `to-us-${run}`, to: "+12125550100", seconds: 305 },
  ];
  for (const leg of legs) {
    const path = `/v1/accounts/${DEMO.accountId}/calls/${leg.id}`;
    await call(SWITCH, "POST", `${path}/authorize`, {
      userId: "alice",
      direction: "outbound",
      from: "+4930123456",
      to: leg.to,
    });
    await call(SWITCH, "POST", `${path}/end`, { durationSeconds: leg.seconds });
  }
  await call(SWITCH, "POST", `/v1/accounts/${DEMO.accountId}/messages/sms-${run}`, {
    channel: "sms",
    to: "+4915112345678",
    fragments: 2,
    userId: "alice",
  });
}
