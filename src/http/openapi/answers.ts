import type { LedgerRefusal } from "../../ledger/types";
import { refusalToError } from "../ledger-client";
import { RATE_LIMIT_PERIOD_SECONDS, RATE_LIMITED_PATHS } from "../rate-limit";
import { interactionId } from "../routes/calls";
import { BODY_ERROR_CODES, BODY_TOO_LARGE } from "../validate";
import type { Caller, Operation } from "./operation";

type JsonSchema = Record<string, unknown>;

/** One status an operation can answer, before it is rendered. */
export interface Answer {
  description: string;
  /** The `error.code` values this status can carry; empty for successes and pages. */
  codes: string[];
  headers?: Record<string, { description: string; schema: JsonSchema }>;
  /** Pages answer their refusals as HTML; everything else in the JSON error shape. */
  contentType?: string;
}

const TOKEN_REFUSED: Answer = {
  description: "No bearer token, or not a valid one",
  codes: ["missing_token", "invalid_token"],
  headers: {
    "WWW-Authenticate": {
      description: 'Always `Bearer realm="credit-service"`',
      schema: { type: "string" },
    },
  },
};
const forbidden = (needs: string): Answer => ({
  description: `Another kind of caller: this route needs ${needs}`,
  codes: ["forbidden"],
});
const OTHER_ACCOUNT: Answer = {
  description: "No such account (also for a key of another account)",
  codes: ["account_not_found"],
};

/** What each kind of caller is refused with before the route runs (src/http/auth.ts). */
const CALLER_ANSWERS: Record<Caller, Record<number, Answer>> = {
  anyone: {},
  operator: { 401: TOKEN_REFUSED, 403: forbidden("the operator token") },
  switch: { 401: TOKEN_REFUSED, 403: forbidden("the switch token") },
  "account-admin": {
    401: TOKEN_REFUSED,
    403: forbidden("an admin key of the account or the operator token"),
    404: OTHER_ACCOUNT,
  },
  "account-any": {
    401: TOKEN_REFUSED,
    403: forbidden("a key of the account or the operator token"),
    404: OTHER_ACCOUNT,
  },
  "switch-or-account": { 401: TOKEN_REFUSED, 404: OTHER_ACCOUNT },
  "signed-link": {
    403: {
      description: "The link expired or is not valid",
      codes: ["link_expired", "link_invalid"],
    },
  },
  "gateway-signature": {},
  "billing-session": {},
};

const BEARER_CALLERS = new Set<Caller>([
  "operator",
  "switch",
  "account-admin",
  "account-any",
  "switch-or-account",
]);

const RATE_LIMITED: Answer = {
  description: "Too many requests from this key or account; retry after `Retry-After` seconds",
  codes: ["rate_limited"],
  headers: {
    "Retry-After": {
      description: `Seconds to wait: ${RATE_LIMIT_PERIOD_SECONDS}`,
      schema: { type: "string", pattern: "^[0-9]+$" },
    },
  },
};

const snake = (camel: string) => camel.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`);

/** A refusal of the given reason as the refusal mapping answers it: its status and code. */
function refusalAnswer(reason: LedgerRefusal["reason"]): { status: number; code: string } {
  const sample = { reason, availableMicros: 0, requestedMicros: 0, field: "", what: "", id: "" };
  const error = refusalToError(sample as unknown as LedgerRefusal);
  return { status: error.status, code: error.code };
}

/**
 * Every status an operation can answer that follows from what it declares: its caller kind,
 * its body, its headers, its path and query, and the ledger refusals it names. The reference
 * renders these beside the operation's own responses, so an operation declared without them
 * still lists every answer.
 */
export function derivedAnswers(op: Operation): Record<number, Answer> {
  const answers: Record<number, Answer> = {};
  const add = (status: number, answer: Answer) => {
    const had = answers[status];
    answers[status] = had
      ? {
          description: had.description.includes(answer.description)
            ? had.description
            : `${had.description}; ${answer.description}`,
          codes: [...new Set([...had.codes, ...answer.codes])],
          headers: { ...had.headers, ...answer.headers },
          contentType: had.contentType ?? answer.contentType,
        }
      : { ...answer, codes: [...answer.codes] };
  };
  for (const [status, answer] of Object.entries(CALLER_ANSWERS[op.caller])) add(+status, answer);
  if (BEARER_CALLERS.has(op.caller) && op.path.startsWith(RATE_LIMITED_PATHS.slice(0, -1)))
    add(429, RATE_LIMITED);

  const page = op.body?.kind === "form";
  if (op.body) {
    const unreadable = page
      ? "The form could not be read"
      : "The body is not what the route reads; `details` names each field";
    const as = page ? { codes: [], contentType: "text/html" } : null;
    if (op.body.kind !== "raw")
      add(400, { description: unreadable, ...(as ?? { codes: [...BODY_ERROR_CODES] }) });
    add(413, {
      description: "The body is larger than the route accepts",
      ...(as ?? { codes: [BODY_TOO_LARGE] }),
    });
  }
  for (const header of op.headers ?? []) {
    if (header.name !== "Idempotency-Key") continue;
    add(400, {
      description: "A malformed or missing Idempotency-Key",
      codes: ["invalid_request", ...(header.required ? ["missing_idempotency_key"] : [])],
    });
    add(409, {
      description: "This Idempotency-Key was used with another request",
      codes: ["idempotency_key_reused"],
    });
  }
  const pathShape = (op.pathParams as { shape?: Record<string, unknown> } | undefined)?.shape;
  for (const [, name = ""] of op.path.matchAll(/:([A-Za-z0-9_]+)/g)) {
    if (pathShape)
      add(400, { description: "A path value is malformed", codes: ["invalid_request"] });
    // Call, message and usage ids are the caller's own: they are recorded, never looked up.
    if (pathShape?.[name] === interactionId) continue;
    const what = name === "id" && op.path.startsWith("/v1/accounts/") ? "account" : name;
    add(404, {
      description: `No such ${snake(what.replace(/Id$/, "")).replaceAll("_", " ")}`,
      codes: page ? [] : [`${snake(what.replace(/Id$/, ""))}_not_found`],
    });
  }
  if (op.query) add(400, { description: "A query value is malformed", codes: ["invalid_request"] });
  for (const reason of op.refusals ?? []) {
    const { status, code } = refusalAnswer(reason);
    add(status, { description: `Refused by the ledger: \`${code}\``, codes: [code] });
  }
  return answers;
}
