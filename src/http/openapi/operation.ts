import type { z } from "zod";
import type { LedgerRefusal } from "../../ledger/types";
import { idempotencyKey } from "../validate";

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
  /** Defaults to application/json when a schema is given; a list when the route answers either. */
  contentType?: string | string[];
  /**
   * The `error.code` values of this answer that the generator cannot derive (src/http/openapi/
   * answers.ts derives those of the caller kind, body, headers, path, query and refusals).
   */
  codes?: string[];
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
  headers?: Array<{ name: string; required: boolean; description: string; schema?: z.ZodType }>;
  body?: BodySpec;
  /**
   * The route's own answers. The ones that follow from the caller kind, the body, an
   * Idempotency-Key, the path, the query and `refusals` are added by the generator.
   */
  responses: Record<number, ResponseSpec>;
  /** Ledger refusals the route can answer; their statuses and codes come from ledger-client.ts. */
  refusals?: Array<LedgerRefusal["reason"]>;
}

export const IDEMPOTENCY_HEADER = (required: boolean) => ({
  name: "Idempotency-Key",
  required,
  schema: idempotencyKey,
  description:
    "Client-chosen key: a retry with the same key and body answers the same and changes nothing; another body is 409.",
});
