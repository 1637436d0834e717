import type { Context } from "hono";
import type { z } from "zod";
import { sha256Hex } from "./crypto";
import type { AppEnv } from "./context";
import { type ApiError, badRequest, invalidField, type FieldIssue } from "./errors";

/** Turns zod issues into the contract's 400, naming each field by its path. */
function validationError(where: "body" | "query" | "path" | "header", error: z.ZodError): ApiError {
  const details: FieldIssue[] = error.issues.map((issue) => ({
    field: issue.path.length > 0 ? issue.path.join(".") : where,
    issue: issue.message,
  }));
  const first = details[0] as FieldIssue;
  const more = details.length > 1 ? ` (and ${details.length - 1} more)` : "";
  return badRequest("invalid_request", `${first.field}: ${first.issue}${more}`, details);
}

export function parseWith<S extends z.ZodType>(
  where: "body" | "query" | "path" | "header",
  schema: S,
  input: unknown,
): z.output<S> {
  const result = schema.safeParse(input);
  if (!result.success) throw validationError(where, result.error);
  return result.data;
}

/** Reads and validates a JSON body. Malformed JSON and a wrong content type are 400s. */
export async function jsonBody<S extends z.ZodType>(
  c: Context<AppEnv>,
  schema: S,
): Promise<z.output<S>> {
  const type = c.req.header("Content-Type") ?? "";
  if (!/^application\/json\b/i.test(type)) {
    throw badRequest(
      "unsupported_content_type",
      "Content-Type: send the body as application/json.",
      [{ field: "Content-Type", issue: "must be application/json" }],
    );
  }
  const text = await c.req.text();
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw badRequest("malformed_json", "The body is not valid JSON.", [
      { field: "body", issue: "not valid JSON" },
    ]);
  }
  return parseWith("body", schema, value);
}

/**
 * A form body's text fields. A body that says multipart/form-data but is not (no boundary,
 * broken parts) is the client's mistake: a 400 naming the body, never a 500.
 */
export async function formFields(c: Context<AppEnv>): Promise<Record<string, string>> {
  let body: Record<string, string | File | (string | File)[]>;
  try {
    body = await c.req.parseBody();
  } catch {
    throw invalidField("body", "is not a valid form body (a multipart body needs its boundary)");
  }
  const fields: Record<string, string> = {};
  for (const [name, value] of Object.entries(body))
    if (typeof value === "string") fields[name] = value;
  return fields;
}

export function pathParams<S extends z.ZodType>(c: Context<AppEnv>, schema: S): z.output<S> {
  return parseWith("path", schema, c.req.param());
}

export function queryParams<S extends z.ZodType>(c: Context<AppEnv>, schema: S): z.output<S> {
  return parseWith("query", schema, c.req.query());
}

const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,255}$/;

/**
 * The client's Idempotency-Key with a hash of what it is attached to. The hash covers
 * the route and the validated body, so the same key with another request is told apart.
 */
export async function idempotency(
  c: Context<AppEnv>,
  scope: string,
  request: unknown,
  required: boolean,
): Promise<{ idempotencyKey: string | null; requestHash: string }> {
  const key = c.req.header("Idempotency-Key");
  if (key === undefined && required) {
    throw badRequest("missing_idempotency_key", "Idempotency-Key: this request needs one.", [
      { field: "Idempotency-Key", issue: "required" },
    ]);
  }
  if (key !== undefined && !IDEMPOTENCY_KEY.test(key)) {
    throw badRequest("invalid_request", "Idempotency-Key: 1 to 255 printable ASCII characters.", [
      { field: "Idempotency-Key", issue: "1 to 255 printable ASCII characters" },
    ]);
  }
  const requestHash = await sha256Hex(JSON.stringify({ scope, request }));
  return { idempotencyKey: key === undefined ? null : `${scope}:${key}`, requestHash };
}
