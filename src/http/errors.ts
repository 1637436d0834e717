import type { Context } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";

/** One entry of `error.details`: which input was wrong and how. */
export interface FieldIssue {
  field: string;
  issue: string;
}

/**
 * The one error type of the HTTP layer. Everything that is not an ApiError reaching the
 * error handler is a bug: it is logged and answered with a plain 500.
 */
export class ApiError extends Error {
  constructor(
    readonly status: ContentfulStatusCode,
    readonly code: string,
    message: string,
    readonly details?: FieldIssue[],
    readonly headers?: Record<string, string>,
  ) {
    super(message);
    this.name = "ApiError";
  }
}

export const badRequest = (code: string, message: string, details?: FieldIssue[]) =>
  new ApiError(400, code, message, details);

export const invalidField = (field: string, issue: string) =>
  badRequest("invalid_request", `${field}: ${issue}`, [{ field, issue }]);

export const notFound = (what: string) =>
  new ApiError(404, `${what}_not_found`, `No such ${what.replaceAll("_", " ")}.`);

export function errorBody(code: string, message: string, details?: FieldIssue[]) {
  return { error: details ? { code, message, details } : { code, message } };
}

export function respondWithError(c: Context, err: ApiError): Response {
  for (const [name, value] of Object.entries(err.headers ?? {})) c.header(name, value);
  return c.json(errorBody(err.code, err.message, err.details), err.status);
}
