import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "./context";
import { ApiError } from "./errors";

/** The limiter's window (wrangler.toml `period`): a refused client may retry after it. */
export const RATE_LIMIT_PERIOD_SECONDS = 60;

const ACCOUNT_IN_PATH = /^\/v1\/accounts\/([^/]+)/;

/**
 * Limits each API key and each account's keys together with the platform's rate limiter,
 * which counts across isolates. The operator and the voice switch are not limited: both
 * are our own infrastructure, and throttling the switch would drop customers' calls (a
 * wrong "no"); a flood from them is an incident, not a client to slow down.
 */
export const rateLimit: MiddlewareHandler<AppEnv> = async (c, next) => {
  const principal = c.get("principal");
  if (principal.kind !== "account-key") return next();
  const accountId = ACCOUNT_IN_PATH.exec(c.req.path)?.[1] ?? principal.accountId;
  const outcomes = await Promise.all([
    c.env.KEY_RATE_LIMIT.limit({ key: principal.keyId }),
    c.env.ACCOUNT_RATE_LIMIT.limit({ key: accountId }),
  ]);
  if (outcomes.some((o) => !o.success)) {
    throw new ApiError(
      429,
      "rate_limited",
      "Too many requests; slow down and retry later.",
      undefined,
      {
        "Retry-After": String(RATE_LIMIT_PERIOD_SECONDS),
      },
    );
  }
  await next();
};
