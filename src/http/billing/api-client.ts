import type { Context, Hono } from "hono";
import type { AppEnv } from "../context";
import type { FieldIssue } from "../errors";

export type ApiAnswer<T> =
  | { ok: true; status: number; body: T }
  | { ok: false; status: number; error: { code: string; message: string; details?: FieldIssue[] } };

export interface BillingApi {
  get<T>(path: string): Promise<ApiAnswer<T>>;
  send<T>(
    method: "POST" | "PUT",
    path: string,
    body: unknown,
    headers?: Record<string, string>,
  ): Promise<ApiAnswer<T>>;
}

/**
 * The page is a client of the public API like any other: each call goes through the app's
 * own routes with the signed-in admin key as the bearer token, so it is authenticated,
 * validated, rate limited and logged exactly as a script's call would be.
 */
export function billingApi(app: Hono<AppEnv>, c: Context<AppEnv>, apiKey: string): BillingApi {
  const call = async <T>(
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<ApiAnswer<T>> => {
    const init: RequestInit = {
      method,
      headers: {
        Authorization: `Bearer ${apiKey}`,
        ...(body === undefined ? {} : { "Content-Type": "application/json" }),
        ...headers,
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    };
    const response = await app.request(
      new URL(path, c.req.url).toString(),
      init,
      c.env,
      executionContextOf(c),
    );
    const parsed: unknown = await response.json().catch(() => null);
    if (response.ok) return { ok: true, status: response.status, body: parsed as T };
    const error = (
      parsed as { error?: { code: string; message: string; details?: FieldIssue[] } } | null
    )?.error;
    return {
      ok: false,
      status: response.status,
      error: error ?? {
        code: "unexpected_answer",
        message: `The service answered ${response.status}.`,
      },
    };
  };
  return {
    get: (path) => call("GET", path),
    send: (method, path, body, headers) => call(method, path, body, headers),
  };
}

/** Hono's getter throws where there is none (e.g. `app.request` in a unit test). */
function executionContextOf(c: Context<AppEnv>): ExecutionContext | undefined {
  try {
    return c.executionCtx as ExecutionContext;
  } catch {
    return undefined;
  }
}
