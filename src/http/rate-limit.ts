import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "./context";
import { ApiError } from "./errors";

/** The limiter's window (wrangler.toml `period`): a refused client may retry after it. */
export const RATE_LIMIT_PERIOD_SECONDS = 60;

const ACCOUNT_IN_PATH = /^\/v1\/accounts\/([^/]+)/;

/**
 * Limits each API key and each account with the platform's rate limiter, which counts
 * across isolates. The operator is not limited; the switch is limited per account only,
 * since one switch token carries every account's calls.
 */
export const rateLimit: MiddlewareHandler<AppEnv> = async (c, next) => {
  const principal = c.get("principal");
  const accountId = ACCOUNT_IN_PATH.exec(c.req.path)?.[1];
  const checks: Array<Promise<{ success: boolean }>> = [];
  if (principal.kind === "account-key") checks.push(c.env.KEY_RATE_LIMIT.limit({ key: principal.keyId }));
  if (principal.kind !== "operator" && accountId) checks.push(c.env.ACCOUNT_RATE_LIMIT.limit({ key: accountId }));
  const outcomes = await Promise.all(checks);
  if (outcomes.some((o) => !o.success)) {
    throw new ApiError(429, "rate_limited", "Too many requests; slow down and retry later.", undefined, {
      "Retry-After": String(RATE_LIMIT_PERIOD_SECONDS),
    });
  }
  await next();
};
