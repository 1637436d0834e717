import { exports } from "cloudflare:workers";
import { expect } from "vitest";
import { createApp } from "../../src/http/app";
import { api, ledger, newAccount, OPERATOR, type ApiAnswer, type TestAccount } from "../helpers";

/**
 * `app.use(...)` registers handlers under the method ALL. These are the app's middleware
 * scopes; an ALL entry outside this list is either new middleware or a route registered
 * with `.all()`, and the proof tests must be told which.
 */
export const MIDDLEWARE_SCOPES = [
  "ALL /*",
  "ALL /v1/*",
  "ALL /v1/accounts/*",
  "ALL /v1/accounts",
  "ALL /v1/rates",
  "ALL /v1/rates/*",
  "ALL /v1/calls/*",
  "ALL /v1/history-moves",
  "ALL /v1/history-moves/*",
  "ALL /dev/*",
  "ALL /billing/*",
] as const;

/** Every `METHOD /path` the app answers, as Hono registered it, middleware scopes apart. */
export function appRoutes(): { routes: string[]; middleware: string[] } {
  const seen = new Set<string>();
  for (const route of createApp().routes) seen.add(`${route.method} ${route.path}`);
  const all = [...seen];
  return {
    routes: all.filter((key) => !key.startsWith("ALL ")).sort(),
    middleware: all.filter((key) => key.startsWith("ALL ")).sort(),
  };
}

/** Fails unless `covered` names exactly the app's routes, and the middleware scopes are the known ones. */
export function expectCoversEveryRoute(covered: Iterable<string>, what: string): void {
  const { routes, middleware } = appRoutes();
  const have = new Set(covered);
  const missing = routes.filter((key) => !have.has(key));
  const stale = [...have].filter((key) => !routes.includes(key));
  expect(missing, `routes without a row in ${what}`).toEqual([]);
  expect(stale, `rows in ${what} for routes the app no longer has`).toEqual([]);
  expect(
    middleware,
    "an ALL entry that is not known middleware: add a row for it, or list it in MIDDLEWARE_SCOPES",
  ).toEqual([...MIDDLEWARE_SCOPES].sort());
}

const SNAKE_CASE = /^[a-z][a-z0-9]*(_[a-z0-9]+)*$/;

/** The contract's error body: `{error: {code: snake_case, message, details?: [...]}}` and nothing else. */
export function expectErrorShape(body: unknown, context: string): void {
  expect(body, `${context}: the error body is JSON`).toBeTypeOf("object");
  expect(body, context).not.toBeNull();
  const outer = body as Record<string, unknown>;
  expect(Object.keys(outer), `${context}: only "error" at the top`).toEqual(["error"]);
  const error = outer.error as Record<string, unknown>;
  expect(error, context).toBeTypeOf("object");
  expect(error.code, `${context}: error.code`).toMatch(SNAKE_CASE);
  expect(error.message, `${context}: error.message`).toBeTypeOf("string");
  expect(
    (error.message as string).length,
    `${context}: error.message is not empty`,
  ).toBeGreaterThan(0);
  const extra = Object.keys(error).filter((key) => !["code", "message", "details"].includes(key));
  expect(extra, `${context}: unexpected keys in error`).toEqual([]);
  if ("details" in error) {
    expect(Array.isArray(error.details), `${context}: error.details is an array`).toBe(true);
    for (const detail of error.details as unknown[]) {
      expect(detail, `${context}: each detail is an object`).toBeTypeOf("object");
      expect(
        (detail as { issue?: unknown }).issue,
        `${context}: each detail says what is wrong`,
      ).toBeTypeOf("string");
    }
  }
}

/** What must not move when a request is refused: the money and the number of movements. */
export async function ledgerSnapshot(accountId: string) {
  const audit = await ledger(accountId).audit();
  return {
    balanceMicros: audit.balanceMicros,
    reservedMicros: audit.reservedMicros,
    movementCount: audit.movementCount,
    movementSumMicros: audit.movementSumMicros,
    legsReservedMicros: audit.legsReservedMicros,
  };
}

/** An account with `extraAdminKeys` more admin keys, so no one key nears its rate limit. */
export async function accountWithKeys(
  credit: string,
  extraAdminKeys: number,
): Promise<TestAccount & { adminKeys: string[] }> {
  const acct = await newAccount({ credit });
  const adminKeys = [acct.adminKey];
  for (let i = 0; i < extraAdminKeys; i++) {
    const minted = await api("POST", `/v1/accounts/${acct.id}/api-keys`, {
      body: { role: "admin" },
    });
    expect(minted.status).toBe(201);
    adminKeys.push(minted.body.key);
  }
  return { ...acct, adminKeys };
}

/**
 * Like helpers' api(), but a redirect is answered, not followed (a Request follows by
 * default), so a page's 303 to the sign-in form is seen as the 303 it is.
 */
export async function send(
  method: string,
  path: string,
  options: {
    token?: string | null;
    body?: unknown;
    rawBody?: string;
    headers?: Record<string, string>;
  } = {},
): Promise<ApiAnswer> {
  const headers: Record<string, string> = { ...options.headers };
  const token = options.token === undefined ? OPERATOR : options.token;
  if (token !== null) headers.Authorization = `Bearer ${token}`;
  const body = options.body !== undefined ? JSON.stringify(options.body) : options.rawBody;
  if (body !== undefined && !Object.keys(headers).some((h) => h.toLowerCase() === "content-type"))
    headers["Content-Type"] = "application/json";
  const response = await exports.default.fetch(
    new Request(`http://credit.test${path}`, { method, headers, body, redirect: "manual" }),
  );
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // not JSON: keep the text
  }
  return { status: response.status, body: parsed, headers: response.headers };
}
