import { env } from "cloudflare:workers";
import Ajv2020 from "ajv/dist/2020";
import addFormats from "ajv-formats";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openApiDocument } from "../../src/http/openapi";
import { setPlan, uploadSampleDecks } from "../calls/helpers";
import { waitForExport } from "../exports/flow-helpers";
import { api, newAccount, OPERATOR, SWITCH, type ApiAnswer, type TestAccount } from "../helpers";
import { settleLedger } from "../top-ups/helpers";
import { rawJsonText } from "./arbitraries";
import { accountWithKeys, ledgerSnapshot, send } from "./contract";
import { API, type Fixture } from "./fuzz-specs";
import { invalidString, invalidValue, type JsonSchema, validValue } from "./schema-arbitraries";

/**
 * The contract fuzz: requests generated from the served OpenAPI document itself (each
 * operation's parameters and body, valid and invalid, from every kind of caller), sent to
 * the Worker, each answer held to the document. For every request: never a 5xx; the status
 * is listed for the operation; the body is valid against the listed schema (ajv) in the
 * listed media type; a request the document calls valid, from the right caller, is not
 * refused as malformed; a refused mutation leaves the account's credit, movements and
 * settings as they were.
 *
 * Seeded and bounded for CI (FUZZ_RUNS requests in all, spread over the operations);
 * `npm run fuzz` runs a longer one and prints the figures.
 */

const RUNS = Number((env as unknown as { FUZZ_RUNS?: string }).FUZZ_RUNS || 800);
const SEED = Number((env as unknown as { FUZZ_SEED?: string }).FUZZ_SEED || 17);

/** Codes that say the input is malformed: a request the document calls valid never gets one. */
const MALFORMED = new Set([
  "invalid_request",
  "malformed_json",
  "repeated_key",
  "unsupported_content_type",
]);

type CallerToken = "operator" | "switch" | "admin" | "agent" | "other" | "none" | "bad";
const ALL_CALLERS: CallerToken[] = ["operator", "switch", "admin", "agent", "other", "none", "bad"];

/** The callers a route's `x-caller` admits; the others are the wrong kind. */
const RIGHT_CALLERS: Record<string, CallerToken[]> = {
  anyone: ["none"],
  operator: ["operator"],
  switch: ["switch"],
  "account-admin": ["admin", "operator"],
  "account-any": ["admin", "agent", "operator"],
  "switch-or-account": ["switch", "admin", "agent", "operator"],
  "signed-link": ["none"],
  "gateway-signature": ["none"],
  "billing-session": ["none"],
};

/** Operations whose success is heavy or global: a few runs each. */
const FEW_RUNS: Record<string, number> = { "post /dev/seed": 2 };

interface Parameter {
  name: string;
  in: "path" | "query" | "header";
  required: boolean;
  schema: JsonSchema;
}
interface DocOperation {
  "x-caller": string;
  parameters: Parameter[];
  requestBody?: { content: Record<string, { schema: JsonSchema }> };
  responses: Record<string, { content?: Record<string, { schema: JsonSchema }> }>;
}

interface Draw {
  caller: CallerToken;
  valid: boolean;
  values: Record<string, unknown>;
  body: { text: string; contentType: string } | null;
}

interface World {
  acct: TestAccount & { adminKeys: string[] };
  other: TestAccount;
  fixture: Fixture;
}

const stats = {
  requests: 0,
  byStatus: new Map<number, number>(),
  byOperation: new Map<string, Record<number, number>>(),
  undocumented: [] as string[],
  schemaMismatches: [] as string[],
  serverErrors: [] as string[],
  refusedAsMalformed: [] as string[],
  stateChanged: [] as string[],
};

const honoPath = (path: string) => path.replace(/\{([^}]+)\}/g, ":$1");

function tokenOf(world: World, caller: CallerToken, n: number): string | null {
  const keys = world.acct.adminKeys;
  return {
    operator: OPERATOR,
    switch: SWITCH,
    admin: keys[n % keys.length] as string,
    agent: world.acct.agentKey,
    other: world.other.adminKey,
    none: null,
    bad: "ck_not_a_key_of_anyone",
  }[caller];
}

/** Path values of the fixture, so valid draws reach the routes' logic, not only their 404s. */
function fixtureValue(world: World, name: string): string | null {
  return (
    { id: world.acct.id, topUpId: world.fixture.topUpId, exportId: world.fixture.exportId }[name] ??
    null
  );
}

function drawFor(op: DocOperation, world: World): fc.Arbitrary<Draw> {
  const right = RIGHT_CALLERS[op["x-caller"]] ?? ["none"];
  const wrong = ALL_CALLERS.filter((c) => !right.includes(c));
  const caller = fc.oneof(
    { weight: 5, arbitrary: fc.constantFrom(...right) },
    { weight: 1, arbitrary: fc.constantFrom(...wrong) },
  );
  const value = (p: Parameter, valid: boolean) => {
    const schema = p.schema;
    if (!valid) return fc.oneof(invalidString(schema), validValue(schema));
    const fixed = p.in === "path" ? fixtureValue(world, p.name) : null;
    const generated = validValue(schema).map(String);
    return fixed === null
      ? generated
      : fc.oneof({ weight: 4, arbitrary: fc.constant(fixed) }, { weight: 1, arbitrary: generated });
  };
  /** Optional values are sometimes left out; opaque ones (cursors) only a server can make. */
  const parameter = (p: Parameter, valid: boolean) => {
    const opaque = String(p.schema.description ?? "").startsWith("Opaque");
    if (p.required) return value(p, valid);
    if (opaque && valid) return fc.constant(undefined);
    return fc.option(value(p, valid), { nil: undefined, freq: 2 });
  };
  const media = Object.entries(op.requestBody?.content ?? {});
  const body = (valid: boolean): fc.Arbitrary<Draw["body"]> => {
    const [entry] = media;
    if (!entry) return fc.constant(null);
    const [contentType, { schema }] = entry;
    const drawn = valid ? validValue(schema) : invalidValue(schema);
    if (contentType === "application/json") {
      const json = drawn.map((v) => ({ text: JSON.stringify(v) ?? "null", contentType }));
      if (valid) return json;
      return fc.oneof(
        { weight: 4, arbitrary: json },
        { weight: 1, arbitrary: rawJsonText.map((text) => ({ text, contentType })) },
        {
          weight: 1,
          arbitrary: json.map(({ text }) => ({ text, contentType: "text/plain" })),
        },
      );
    }
    if (contentType === "application/x-www-form-urlencoded") {
      return drawn.map((v) => ({
        text: new URLSearchParams(
          Object.entries(typeof v === "object" && v !== null ? v : {}).map(([k, x]) => [
            k,
            String(x),
          ]),
        ).toString(),
        contentType: valid ? contentType : "multipart/form-data",
      }));
    }
    return (valid ? validValue(schema) : fc.string({ maxLength: 400 })).map((v) => ({
      text: String(v),
      contentType,
    }));
  };
  // A draw is valid throughout, or has one wrong value: a parameter, or the body (last).
  const slots = op.parameters.length + (media.length > 0 ? 1 : 0);
  const wrongAt = fc.oneof(
    { weight: 1, arbitrary: fc.constant(-1) },
    ...(slots > 0 ? [{ weight: 1, arbitrary: fc.nat({ max: slots - 1 }) }] : []),
  );
  return wrongAt.chain((wrong) =>
    fc.record({
      caller,
      valid: fc.constant(wrong === -1),
      values: fc.record(
        Object.fromEntries(
          op.parameters.map((p, i) => [`${p.in}:${p.name}`, parameter(p, i !== wrong)]),
        ),
      ),
      body: body(wrong !== op.parameters.length),
    }),
  );
}

/** What a refused mutation must leave as it was: money, movements, settings, D1's catalogue. */
async function stateOf(accountId: string) {
  const [ledger, credit, spend, plan, d1] = await Promise.all([
    ledgerSnapshot(accountId),
    api("GET", `/v1/accounts/${accountId}/credit`),
    api("GET", `/v1/accounts/${accountId}/spend-controls`),
    api("GET", `/v1/accounts/${accountId}/plan`),
    env.DB.prepare(
      `SELECT (SELECT count(*) FROM accounts) AS accounts, (SELECT count(*) FROM api_keys) AS keys,
              (SELECT group_concat(kind || ':' || deck_id) FROM rate_decks_active) AS active`,
    ).first(),
  ]);
  return { ledger, credit: credit.body, spend: spend.body, plan: plan.body, d1 };
}

/** Adjustments may drain the fixture; credit is put back so charges keep reaching the ledger. */
async function keepCredit(accountId: string) {
  const { body } = await api("GET", `/v1/accounts/${accountId}/credit`);
  const missing = 100 - Number(body.balance);
  if (missing <= 50) return;
  const topped = await api("POST", `/v1/accounts/${accountId}/adjustments`, {
    body: { amount: missing.toFixed(2), reason: "contract fuzz: credit back" },
    headers: { "Idempotency-Key": crypto.randomUUID() },
  });
  expect(topped.status).toBe(201);
}

const mediaType = (header: string | null) => (header ?? "").split(";")[0]?.trim().toLowerCase();

function check(
  key: string,
  op: DocOperation,
  draw: Draw,
  answer: ApiAnswer,
  validators: Map<string, (body: unknown) => string | null>,
  seen: string,
) {
  stats.requests++;
  stats.byStatus.set(answer.status, (stats.byStatus.get(answer.status) ?? 0) + 1);
  const mine = stats.byOperation.get(key) ?? {};
  mine[answer.status] = (mine[answer.status] ?? 0) + 1;
  stats.byOperation.set(key, mine);
  if (answer.status >= 500) stats.serverErrors.push(seen);
  const documented = op.responses[String(answer.status)];
  if (!documented) {
    stats.undocumented.push(seen);
    return;
  }
  const content = documented.content;
  if (content) {
    const type = mediaType(answer.headers.get("Content-Type"));
    if (!type || !(type in content)) {
      stats.schemaMismatches.push(`${seen}: Content-Type ${type} is not listed`);
    } else if (type === "application/json") {
      const problem = validators.get(`${key} ${answer.status}`)?.(answer.body) ?? null;
      if (problem) stats.schemaMismatches.push(`${seen}: ${problem}`);
    }
  }
  const right = (RIGHT_CALLERS[op["x-caller"]] ?? []).includes(draw.caller);
  const code = (answer.body as { error?: { code?: string } })?.error?.code;
  if (draw.valid && right && answer.status === 400 && code && MALFORMED.has(code))
    stats.refusedAsMalformed.push(seen);
}

describe("the contract fuzz, from the served OpenAPI document", () => {
  let world: World;
  let doc: { paths: Record<string, Record<string, DocOperation>> };
  const validators = new Map<string, (body: unknown) => string | null>();
  const served = openApiDocument() as unknown as typeof doc;
  const operations = Object.entries(served.paths).flatMap(([path, item]) =>
    Object.keys(item).map((method) => ({ path, method, key: `${method} ${path}` })),
  );
  const runsEach = Math.max(4, Math.ceil(RUNS / operations.length));

  beforeAll(async () => {
    await uploadSampleDecks();
    const answer = await send("GET", "/openapi.json", { token: null });
    expect(answer.status).toBe(200);
    doc = answer.body as typeof doc;
    const ajv = new Ajv2020({ strict: false, allErrors: false });
    addFormats(ajv);
    for (const { path, method, key } of operations) {
      const op = doc.paths[path]?.[method] as DocOperation;
      for (const [status, response] of Object.entries(op.responses)) {
        const schema = response.content?.["application/json"]?.schema;
        if (!schema) continue;
        const validate = ajv.compile(schema);
        validators.set(`${key} ${status}`, (body) =>
          validate(body) ? null : ajv.errorsText(validate.errors).slice(0, 300),
        );
      }
    }
    const acct = await accountWithKeys("100.00", Math.ceil(RUNS / 1_000));
    await setPlan(acct.id);
    const topUp = await api("POST", `/v1/accounts/${acct.id}/top-ups`, {
      body: { amount: "5.00" },
      headers: { "Idempotency-Key": "contract-fixture" },
    });
    await settleLedger(acct.id);
    const started = await api("POST", `/v1/accounts/${acct.id}/exports`);
    const ready = await waitForExport(acct, started.body.id);
    world = {
      acct,
      other: await newAccount(),
      fixture: {
        acct,
        topUpId: topUp.body.id,
        exportId: started.body.id,
        downloadQuery: new URL(ready.downloadUrl).search.slice(1),
      },
    };
  });

  afterAll(() => {
    const byStatus = Object.fromEntries([...stats.byStatus].sort(([a], [b]) => a - b));
    console.log(
      JSON.stringify({
        event: "contract_fuzz",
        seed: SEED,
        requests: stats.requests,
        byStatus,
        undocumented: stats.undocumented.length,
        schemaMismatches: stats.schemaMismatches.length,
        serverErrors: stats.serverErrors.length,
        refusedAsMalformed: stats.refusedAsMalformed.length,
        stateChanged: stats.stateChanged.length,
      }),
    );
    console.log(
      JSON.stringify({
        event: "contract_fuzz_operations",
        ...Object.fromEntries(stats.byOperation),
      }),
    );
  });

  it("serves the document the code generates", () => {
    expect(doc).toEqual(JSON.parse(JSON.stringify(served)));
  });

  it.each(operations)(
    "$key",
    async ({ path, method, key }) => {
      const op = doc.paths[path]?.[method] as DocOperation;
      const spec = API[`${method.toUpperCase()} ${honoPath(path)}`];
      const mutation = method !== "get";
      let n = 0;
      const lists = [
        ["5xx", stats.serverErrors],
        ["statuses not listed for the operation", stats.undocumented],
        ["answers unlike the document", stats.schemaMismatches],
        ["valid by the document, refused as malformed", stats.refusedAsMalformed],
        ["refused, yet the account changed", stats.stateChanged],
      ] as const;
      const marks = lists.map(([, list]) => list.length);
      await fc.assert(
        fc.asyncProperty(drawFor(op, world), async (draw) => {
          n++;
          let url = path;
          const query = new URLSearchParams();
          const headers: Record<string, string> = {};
          for (const p of op.parameters) {
            const value = draw.values[`${p.in}:${p.name}`];
            if (value === undefined) continue;
            if (p.in === "path")
              url = url.replace(`{${p.name}}`, encodeURIComponent(String(value)) || "%20");
            else if (p.in === "query") query.set(p.name, String(value));
            else headers[p.name] = String(value).replace(/[^\x20-\x7e]/g, "?");
          }
          // Two instants of a range are each valid alone; in order, the pair is too.
          const [from, to] = [query.get("from"), query.get("to")];
          if (draw.valid && from && to && Date.parse(from) > Date.parse(to)) {
            query.set("from", to);
            query.set("to", from);
          }
          if (op["x-caller"] === "signed-link" && draw.valid)
            for (const [k, v] of new URLSearchParams(world.fixture.downloadQuery)) query.set(k, v);
          if (draw.body) headers["Content-Type"] = draw.body.contentType;
          const target = `${url}${query.size > 0 ? `?${query}` : ""}`;
          const was = mutation ? await stateOf(world.acct.id) : null;
          const answer = await send(method.toUpperCase(), target, {
            token: tokenOf(world, draw.caller, n),
            headers,
            ...(draw.body ? { rawBody: draw.body.text } : {}),
          });
          const seen = `${key} as ${draw.caller} (${draw.valid ? "valid" : "invalid"}) ${target.slice(0, 160)} ${draw.body?.text.slice(0, 200) ?? ""} → ${answer.status} ${JSON.stringify(answer.body).slice(0, 300)}`;
          check(key, op, draw, answer, validators, seen);
          if (!mutation) return;
          if (answer.status >= 400) {
            const now = await stateOf(world.acct.id);
            if (JSON.stringify(now) !== JSON.stringify(was))
              stats.stateChanged.push(`${seen}: ${JSON.stringify(was)} → ${JSON.stringify(now)}`);
          } else {
            await spec?.afterSuccess?.(world.fixture);
            await settleLedger(world.acct.id);
            await keepCredit(world.acct.id);
          }
        }),
        { numRuns: FEW_RUNS[key] ?? runsEach, seed: SEED },
      );
      lists.forEach(([what, list], i) => {
        expect(list.slice(marks[i]).slice(0, 5), what).toEqual([]);
      });
    },
    30_000 + runsEach * 500,
  );
});
