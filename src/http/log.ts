import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "./context";

/**
 * One structured line per request: id, route, account, decision, status, latency. Never
 * a token, a key or a body, which may carry secrets.
 */
export const requestLog: MiddlewareHandler<AppEnv> = async (c, next) => {
  const startedMs = performance.now();
  const requestId = c.req.header("cf-ray") ?? crypto.randomUUID();
  c.set("requestId", requestId);
  await next();
  c.header("X-Request-Id", requestId);
  console.log(
    JSON.stringify({
      requestId,
      method: c.req.method,
      route: c.req.routePath,
      status: c.res.status,
      accountId: c.get("accountId"),
      principal: c.get("principal")?.kind,
      decision: c.get("decision"),
      latencyMs: Math.round((performance.now() - startedMs) * 100) / 100,
    }),
  );
};
