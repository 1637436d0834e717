import type { Context } from "hono";
import { z } from "zod";
import { sha256Hex } from "./crypto";
import type { AppEnv } from "./context";
import { type ApiError, badRequest, type FieldIssue } from "./errors";

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

/** What a JSON body can be refused with, by `jsonBody` below or the size limit in app.ts. */
export const BODY_ERROR_CODES = [
  "unsupported_content_type",
  "malformed_json",
  "repeated_key",
  "invalid_request",
] as const;
export const BODY_TOO_LARGE = "body_too_large";

/**
 * The first key that appears twice in one object of valid JSON text, or null. JSON.parse
 * keeps the last of them silently; a client that sent two amounts must be told, not guessed.
 */
export function repeatedKey(text: string): string | null {
  // One entry per open object (its keys so far) or array (null).
  const open: Array<Set<string> | null> = [];
  let keyNext = false;
  for (let i = 0; i < text.length; i++) {
    const char = text[i];
    if (char === '"') {
      let end = i + 1;
      while (text[end] !== '"') end += text[end] === "\\" ? 2 : 1;
      const keys = open.at(-1);
      if (keys && keyNext) {
        const key = JSON.parse(text.slice(i, end + 1)) as string;
        if (keys.has(key)) return key;
        keys.add(key);
        keyNext = false;
      }
      i = end;
    } else if (char === "{") {
      open.push(new Set());
      keyNext = true;
    } else if (char === "[") {
      open.push(null);
      keyNext = false;
    } else if (char === "}" || char === "]") {
      open.pop();
      keyNext = false;
    } else if (char === ",") {
      keyNext = open.at(-1) instanceof Set;
    }
  }
  return null;
}

/** Reads and validates a JSON body. Malformed JSON, a repeated key and a wrong content type are 400s. */
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
  const repeated = repeatedKey(text);
  if (repeated !== null) {
    throw badRequest("repeated_key", `${repeated}: the key appears more than once in an object.`, [
      { field: repeated, issue: "appears more than once" },
    ]);
  }
  return parseWith("body", schema, value);
}

export function pathParams<S extends z.ZodType>(c: Context<AppEnv>, schema: S): z.output<S> {
  return parseWith("path", schema, c.req.param());
}

export function queryParams<S extends z.ZodType>(c: Context<AppEnv>, schema: S): z.output<S> {
  return parseWith("query", schema, c.req.query());
}

/** The Idempotency-Key header: 1 to 255 printable ASCII characters. */
export const idempotencyKey = z.string().regex(/^[\x21-\x7e]{1,255}$/);

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
  if (key !== undefined && !idempotencyKey.safeParse(key).success) {
    throw badRequest("invalid_request", "Idempotency-Key: 1 to 255 printable ASCII characters.", [
      { field: "Idempotency-Key", issue: "1 to 255 printable ASCII characters" },
    ]);
  }
  const requestHash = await sha256Hex(JSON.stringify({ scope, request }));
  return { idempotencyKey: key === undefined ? null : `${scope}:${key}`, requestHash };
}
