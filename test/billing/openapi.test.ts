import { describe, expect, it } from "vitest";
import { createApp } from "../../src/http/app";
import { OPERATIONS, openApiDocument, openApiPath } from "../../src/http/openapi";
import * as responses from "../../src/http/openapi/responses";
import { adjust, api, newAccount } from "../helpers";
import { settleLedger } from "../top-ups/helpers";

/** The app's own routes, as Hono registered them; middleware is registered as ALL. */
function appRoutes(): string[] {
  const routes = createApp().routes.filter((r) => r.method !== "ALL");
  return [...new Set(routes.map((r) => `${r.method.toLowerCase()} ${openApiPath(r.path)}`))].sort();
}

function documentedRoutes(): string[] {
  const paths = openApiDocument().paths as Record<string, Record<string, unknown>>;
  return Object.entries(paths)
    .flatMap(([path, item]) => Object.keys(item).map((method) => `${method} ${path}`))
    .sort();
}

describe("the OpenAPI document", () => {
  it("documents every route of the app, and no route that does not exist", () => {
    const routes = appRoutes();
    const documented = documentedRoutes();
    expect(routes.length).toBeGreaterThan(20);
    expect(
      routes.filter((r) => !documented.includes(r)),
      "routes missing from src/http/openapi/operations-*.ts",
    ).toEqual([]);
    expect(
      documented.filter((r) => !routes.includes(r)),
      "documented routes the app does not have",
    ).toEqual([]);
    expect(new Set(OPERATIONS.map((op) => `${op.method} ${op.path}`)).size).toBe(OPERATIONS.length);
  });

  it("is OpenAPI 3.1 with the request schemas of the routes themselves", () => {
    const doc = openApiDocument() as any;
    expect(doc.openapi).toBe("3.1.0");
    const topUp = doc.paths["/v1/accounts/{id}/top-ups"].post;
    expect(topUp.parameters).toContainEqual(
      expect.objectContaining({ name: "Idempotency-Key", in: "header", required: true }),
    );
    expect(topUp.requestBody.content["application/json"].schema).toMatchObject({
      type: "object",
      required: ["amount"],
      properties: {
        amount: { type: "string", examples: ["25.00"] },
        paymentMethod: { type: "string" },
      },
    });
    const movements = doc.paths["/v1/accounts/{id}/movements"].get.parameters.map(
      (p: any) => `${p.in}:${p.name}`,
    );
    expect(movements).toEqual(["path:id", "query:from", "query:to", "query:cursor", "query:limit"]);
    expect(doc.paths["/v1/accounts/{id}/credit"].get.security).toEqual([{ bearerAuth: [] }]);
    expect(doc.paths["/v1/exports/{exportId}/download"].get.security).toEqual([]);
  });

  it("describes what the main routes really answer", async () => {
    const acct = await newAccount({ credit: "30.00" });
    await adjust(acct.id, "-1.00", `r-${acct.id}`);
    const as = { token: acct.adminKey };
    const check = async (
      schema: { parse(v: unknown): unknown },
      answer: Promise<{ status: number; body: unknown }>,
      status = 200,
    ) => {
      const res = await answer;
      expect(res.status).toBe(status);
      expect(() => schema.parse(res.body)).not.toThrow();
    };
    await check(responses.healthResponse, api("GET", "/health", { token: null }));
    await check(responses.accountResponse, api("GET", `/v1/accounts/${acct.id}`, as));
    await check(responses.movementsResponse, api("GET", `/v1/accounts/${acct.id}/movements`, as));
    await check(responses.usageReportResponse, api("GET", `/v1/accounts/${acct.id}/usage`, as));
    const topUp = api("POST", `/v1/accounts/${acct.id}/top-ups`, {
      ...as,
      body: { amount: "10.00" },
      headers: { "Idempotency-Key": "k" },
    });
    await check(responses.topUpResponse, topUp, 202);
    await check(
      responses.autoTopUpResponse,
      api("PUT", `/v1/accounts/${acct.id}/auto-top-up`, {
        ...as,
        body: { enabled: true, threshold: "5.00", amount: "20.00" },
      }),
    );
    await check(responses.creditResponse, api("GET", `/v1/accounts/${acct.id}/credit`, as));
    await check(
      responses.alertsResponse,
      api("PUT", `/v1/accounts/${acct.id}/alerts`, { ...as, body: { lowBalanceLevel: "3.00" } }),
    );
    await check(responses.exportResponse, api("POST", `/v1/accounts/${acct.id}/exports`, as), 202);
    await check(
      responses.errorResponse,
      api("GET", `/v1/accounts/${acct.id}/credit`, { token: acct.agentKey }),
      403,
    );
    await settleLedger(acct.id);
    const id = (await topUp).body as unknown as { id: string };
    await check(
      responses.topUpResponse,
      api("GET", `/v1/accounts/${acct.id}/top-ups/${id.id}`, as),
    );
  });

  it("is served at /openapi.json, and /docs lists every path", async () => {
    const json = await api("GET", "/openapi.json", { token: null });
    expect(json.status).toBe(200);
    expect(json.body).toEqual(JSON.parse(JSON.stringify(openApiDocument())));
    const docs = await api("GET", "/docs", { token: null });
    expect(docs.status).toBe(200);
    for (const path of Object.keys(openApiDocument().paths as object))
      expect(docs.body).toContain(`<code class="docs-path">${path}</code>`);
  });
});
