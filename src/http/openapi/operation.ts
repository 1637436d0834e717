import type { z } from "zod";

/** Who may call a route; each maps to a security requirement and a sentence in the reference. */
export type Caller =
  | "anyone"
  | "operator"
  | "switch"
  | "account-admin"
  | "account-any"
  | "switch-or-account"
  | "signed-link"
  | "gateway-signature"
  | "billing-session";

export interface ResponseSpec {
  description: string;
  schema?: z.ZodType;
  /** Defaults to application/json when a schema is given. */
  contentType?: string;
}

export type BodySpec =
  | { kind: "json"; schema: z.ZodType }
  | { kind: "form"; fields: Record<string, string> }
  | { kind: "raw"; contentType: string; description: string };

/**
 * One route as the reference shows it. The request schemas are the very zod objects the
 * route validates with, exported from its file; only the answers are described here.
 */
export interface Operation {
  method: "get" | "post" | "put" | "delete";
  /** Hono's form, e.g. /v1/accounts/:id/credit. */
  path: string;
  tag: string;
  summary: string;
  description?: string;
  caller: Caller;
  pathParams?: z.ZodType;
  query?: z.ZodType;
  headers?: Array<{ name: string; required: boolean; description: string }>;
  body?: BodySpec;
  responses: Record<number, ResponseSpec>;
}

export const IDEMPOTENCY_HEADER = (required: boolean) => ({
  name: "Idempotency-Key",
  required,
  description:
    "Client-chosen key: a retry with the same key and body answers the same and changes nothing; another body is 409.",
});
