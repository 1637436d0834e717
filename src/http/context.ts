import type { Context } from "hono";
import type { Principal } from "./auth";
import type { RequestScope } from "../ledger-client/batches";

/** What every handler can read from the Hono context. */
export interface AppEnv {
  Bindings: Env;
  Variables: {
    requestId: string;
    principal: Principal;
    /** Set by routes that act on one account, for the request log. */
    accountId?: string;
    /** A short word for the log: the decision and its reason on call routes. */
    decision?: string;
  };
}

/** Background work outlives the response only through waitUntil; app.request has none. */
export function waitUntilOf(c: Context<AppEnv>): ((promise: Promise<unknown>) => void) | undefined {
  try {
    const ctx = c.executionCtx;
    return (promise) => ctx.waitUntil(promise);
  } catch {
    return undefined;
  }
}

/** The request as the ledger client needs it: bindings and a way to outlive the response. */
export function scopeOf(c: Context<AppEnv>): RequestScope {
  return { env: c.env, waitUntil: waitUntilOf(c) };
}
