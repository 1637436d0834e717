import type { Context, MiddlewareHandler } from "hono";
import { randomId } from "../ledger/ids";
import { digestMatchesSecret, sha256, sha256Hex, toHex } from "./crypto";
import type { AppEnv } from "./context";
import { ApiError } from "./errors";

export type KeyRole = "admin" | "agent";

export type Principal =
  | { kind: "operator" }
  | { kind: "switch" }
  | { kind: "account-key"; accountId: string; role: KeyRole; keyId: string };

export const API_KEY_PREFIX = "ck_";
/** How long an isolate trusts a key lookup; a revoked key stops working within this. */
export const KEY_CACHE_TTL_MS = 30_000;
const KEY_CACHE_MAX_ENTRIES = 10_000;

interface CachedKey {
  principal: Principal | null;
  expiresAtMs: number;
}
const keyCache = new Map<string, CachedKey>();

/** A new account key: the secret is returned once, only its hash is stored. */
export async function mintApiKey(): Promise<{
  id: string;
  secret: string;
  hash: string;
  prefix: string;
}> {
  const secret = randomId(API_KEY_PREFIX.slice(0, -1), 32);
  return {
    id: randomId("key", 12),
    secret,
    hash: await sha256Hex(secret),
    prefix: secret.slice(0, 10),
  };
}

const unauthorized = (code: string, message: string) =>
  new ApiError(401, code, message, undefined, {
    "WWW-Authenticate": 'Bearer realm="credit-service"',
  });

/** Resolves the bearer token to a principal, or answers 401. */
export const authenticate: MiddlewareHandler<AppEnv> = async (c, next) => {
  const header = c.req.header("Authorization");
  if (!header) throw unauthorized("missing_token", "Send Authorization: Bearer <token>.");
  const match = /^Bearer ([\x21-\x7e]{1,512})$/.exec(header);
  if (!match?.[1])
    throw unauthorized("invalid_token", "The Authorization header is not a bearer token.");
  const principal = await resolveToken(c.env, match[1]);
  if (!principal) throw unauthorized("invalid_token", "The token is not valid.");
  c.set("principal", principal);
  await next();
};

async function resolveToken(env: Env, token: string): Promise<Principal | null> {
  // One digest of the token serves both secret comparisons and the key lookup (keys are
  // stored as this digest). Both comparisons always run, so timing does not tell which
  // secret was close.
  const digest = await sha256(token);
  const [isOperator, isSwitch] = await Promise.all([
    digestMatchesSecret(digest, env.ADMIN_TOKEN),
    digestMatchesSecret(digest, env.SWITCH_TOKEN),
  ]);
  if (isOperator) return { kind: "operator" };
  if (isSwitch) return { kind: "switch" };
  if (!token.startsWith(API_KEY_PREFIX)) return null;
  return lookupKey(env, toHex(digest));
}

async function lookupKey(env: Env, hash: string): Promise<Principal | null> {
  const now = Date.now();
  const cached = keyCache.get(hash);
  if (cached && cached.expiresAtMs > now) return cached.principal;
  const row = await env.DB.prepare(
    "SELECT id, account_id, role FROM api_keys WHERE key_hash = ? AND revoked_at_ms IS NULL",
  )
    .bind(hash)
    .first<{ id: string; account_id: string; role: KeyRole }>();
  const principal: Principal | null = row
    ? { kind: "account-key", accountId: row.account_id, role: row.role, keyId: row.id }
    : null;
  if (keyCache.size >= KEY_CACHE_MAX_ENTRIES) keyCache.clear();
  keyCache.set(hash, { principal, expiresAtMs: now + KEY_CACHE_TTL_MS });
  return principal;
}

const forbidden = (message: string) => new ApiError(403, "forbidden", message);

export function requireOperator(c: Context<AppEnv>): void {
  if (c.get("principal").kind !== "operator")
    throw forbidden("This route needs the operator token.");
}

export function requireSwitch(c: Context<AppEnv>): void {
  if (c.get("principal").kind !== "switch") throw forbidden("This route needs the switch token.");
}

/**
 * Access to one account's routes: the operator, or a key of that account with the role.
 * A key of another account is told the account does not exist, so ids cannot be probed.
 */
export function requireAccount(c: Context<AppEnv>, accountId: string, role: KeyRole | "any"): void {
  c.set("accountId", accountId);
  const principal = c.get("principal");
  if (principal.kind === "operator") return;
  if (principal.kind !== "account-key")
    throw forbidden("This route needs an account key or the operator token.");
  if (principal.accountId !== accountId)
    throw new ApiError(404, "account_not_found", "No such account.");
  if (role === "admin" && principal.role !== "admin")
    throw forbidden("This route needs an admin key of the account.");
}
