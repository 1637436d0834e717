import { z } from "zod";
import type { Caller, Operation, ResponseSpec } from "./openapi/operation";
import { CREDIT_OPERATIONS } from "./openapi/operations-credit";
import { HISTORY_OPERATIONS } from "./openapi/operations-history";
import { PAGE_OPERATIONS } from "./openapi/operations-pages";
import { RATING_OPERATIONS } from "./openapi/operations-rating";
import { SWITCH_OPERATIONS } from "./openapi/operations-switch";
import { money } from "./schemas";

/** Every route of the app, in the order the reference lists them. */
export const OPERATIONS: readonly Operation[] = [
  ...CREDIT_OPERATIONS,
  ...RATING_OPERATIONS,
  ...SWITCH_OPERATIONS,
  ...PAGE_OPERATIONS,
  ...HISTORY_OPERATIONS,
];

export const API_VERSION = "1.0.0";

type JsonSchema = Record<string, unknown>;

/** /v1/accounts/:id/credit → /v1/accounts/{id}/credit */
export const openApiPath = (honoPath: string) => honoPath.replace(/:([A-Za-z0-9_]+)/g, "{$1}");

export const CALLER_WORDS: Record<Caller, string> = {
  anyone: "Anyone; no token.",
  operator: "The platform operator: `Authorization: Bearer <ADMIN_TOKEN>`.",
  switch: "The voice switch: `Authorization: Bearer <SWITCH_TOKEN>`.",
  "account-admin":
    "An admin API key of the account (`ck_…`), or the operator token. A key of another account gets 404.",
  "account-any": "Any API key of the account (admin or agent), or the operator token.",
  "switch-or-account": "The switch token, any API key of the account, or the operator token.",
  "signed-link": "The signed link itself (`expires` and `signature`); no token.",
  "gateway-signature": "The payment gateway, by the `Stripe-Signature` header; no token.",
  "billing-session":
    "A browser signed in to the Billing page (session cookie; forms also carry a CSRF token).",
};

const SECURITY: Record<Caller, Array<Record<string, string[]>>> = {
  anyone: [],
  "signed-link": [],
  "gateway-signature": [],
  operator: [{ bearerAuth: [] }],
  switch: [{ bearerAuth: [] }],
  "account-admin": [{ bearerAuth: [] }],
  "account-any": [{ bearerAuth: [] }],
  "switch-or-account": [{ bearerAuth: [] }],
  "billing-session": [{ billingSession: [] }],
};

/** The inner string schema every money field is built on; refinements keep it. */
const MONEY_INPUT = (money as unknown as { _zod: { def: { in: unknown } } })._zod.def.in;

/** JSON Schema of what a client sends: zod's input side, money fields marked as such. */
export function inputSchema(schema: z.ZodType): JsonSchema {
  const json = z.toJSONSchema(schema, {
    io: "input",
    unrepresentable: "any",
    override: (ctx) => {
      const def = (ctx.zodSchema as unknown as { _zod: { def: { type: string; in?: unknown } } })
        ._zod.def;
      if (def.type === "pipe" && def.in === MONEY_INPUT) {
        ctx.jsonSchema.description =
          'Money: a decimal string in the account currency, at most 6 decimals, e.g. "25.00".';
        ctx.jsonSchema.examples = ["25.00"];
      }
    },
  }) as JsonSchema;
  delete json.$schema;
  return json;
}

function parameters(op: Operation): JsonSchema[] {
  const params: JsonSchema[] = [];
  const pathSchema = op.pathParams ? inputSchema(op.pathParams) : null;
  for (const [, name] of op.path.matchAll(/:([A-Za-z0-9_]+)/g)) {
    const schema = (pathSchema?.properties as Record<string, JsonSchema> | undefined)?.[
      name as string
    ] ?? { type: "string" };
    params.push({ name, in: "path", required: true, schema });
  }
  if (op.query) {
    const query = inputSchema(op.query);
    const required = new Set((query.required as string[] | undefined) ?? []);
    for (const [name, schema] of Object.entries(
      (query.properties as Record<string, JsonSchema>) ?? {},
    )) {
      params.push({ name, in: "query", required: required.has(name), schema });
    }
  }
  if (op.caller === "signed-link") {
    params.push({
      name: "expires",
      in: "query",
      required: true,
      schema: { type: "string" },
      description: "Unix seconds, from the link",
    });
    params.push({
      name: "signature",
      in: "query",
      required: true,
      schema: { type: "string" },
      description: "From the link",
    });
  }
  for (const header of op.headers ?? []) {
    params.push({
      name: header.name,
      in: "header",
      required: header.required,
      description: header.description,
      schema: { type: "string" },
    });
  }
  return params;
}

function requestBody(op: Operation): JsonSchema | undefined {
  const body = op.body;
  if (!body) return undefined;
  switch (body.kind) {
    case "json":
      return {
        required: true,
        content: { "application/json": { schema: inputSchema(body.schema) } },
      };
    case "form": {
      const properties = Object.fromEntries(
        Object.entries(body.fields).map(([name, description]) => [
          name,
          { type: "string", description },
        ]),
      );
      return {
        required: true,
        content: {
          "application/x-www-form-urlencoded": { schema: { type: "object", properties } },
        },
      };
    }
    case "raw":
      return {
        required: true,
        description: body.description,
        content: { [body.contentType]: { schema: { type: "string" } } },
      };
    default: {
      const unmapped: never = body;
      throw new Error(`unmapped body ${JSON.stringify(unmapped)}`);
    }
  }
}

function response(spec: ResponseSpec): JsonSchema {
  if (spec.schema) {
    const schema = z.toJSONSchema(spec.schema, {
      io: "output",
      unrepresentable: "any",
    }) as JsonSchema;
    delete schema.$schema;
    return {
      description: spec.description,
      content: { [spec.contentType ?? "application/json"]: { schema } },
    };
  }
  return spec.contentType
    ? { description: spec.description, content: { [spec.contentType]: {} } }
    : { description: spec.description };
}

const operationId = (op: Operation) =>
  op.method +
  op.path
    .split(/[/:{}-]+/)
    .filter(Boolean)
    .map((word) => word.charAt(0).toUpperCase() + word.slice(1))
    .join("");

let cached: JsonSchema | null = null;

/** The OpenAPI 3.1 document, built once per isolate from the routes' own schemas. */
export function openApiDocument(): JsonSchema {
  if (cached) return cached;
  const paths: Record<string, Record<string, JsonSchema>> = {};
  for (const op of OPERATIONS) {
    const path = openApiPath(op.path);
    const item = paths[path] ?? {};
    paths[path] = item;
    item[op.method] = {
      operationId: operationId(op),
      tags: [op.tag],
      summary: op.summary,
      description: [`**Who:** ${CALLER_WORDS[op.caller]}`, op.description]
        .filter(Boolean)
        .join("\n\n"),
      "x-caller": op.caller,
      security: SECURITY[op.caller],
      parameters: parameters(op),
      ...(op.body ? { requestBody: requestBody(op) } : {}),
      responses: Object.fromEntries(
        Object.entries(op.responses).map(([status, spec]) => [status, response(spec)]),
      ),
    };
  }
  cached = {
    openapi: "3.1.0",
    info: {
      title: "Prepaid credit service",
      version: API_VERSION,
      description:
        "The prepaid credit wallet of the telephony platform: balances, real-time call authorization, messages and AI usage, top-ups, auto top-up, alerts and CSV exports. JSON in and out; money is a decimal string; errors are `{error: {code, message, details?}}`.",
    },
    servers: [{ url: "/" }],
    tags: [...new Set(OPERATIONS.map((op) => op.tag))].map((name) => ({ name })),
    components: {
      securitySchemes: {
        bearerAuth: {
          type: "http",
          scheme: "bearer",
          description: "The operator token, the switch token, or an account API key (ck_…).",
        },
        billingSession: {
          type: "apiKey",
          in: "cookie",
          name: "__Host-billing_session",
          description: "The Billing page's session (billing_session on http://localhost).",
        },
      },
    },
    paths,
  };
  return cached;
}
