import { env } from "cloudflare:workers";
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { BILLING_FORM_MAX_BYTES } from "../../src/http/billing/routes";
import { signWebhook } from "../../src/payments/webhook-signature";
import { browse, CookieJar, csrfOf, signIn } from "../billing/helpers";
import { setPlan, uploadSampleDecks } from "../calls/helpers";
import { waitForExport } from "../exports/flow-helpers";
import { api, OPERATOR, SWITCH, type ApiAnswer, type TestAccount } from "../helpers";
import { settleLedger } from "../top-ups/helpers";
import {
  bodyFor,
  encodeSegment,
  moneyLike,
  nastyString,
  nastyValue,
  one,
  pathSegment,
  queryFor,
  rawJsonText,
} from "./arbitraries";
import {
  accountWithKeys,
  expectCoversEveryRoute,
  expectErrorShape,
  ledgerSnapshot,
  send,
} from "./contract";
import {
  API,
  FUZZ_NUMBERS,
  PAGE_ROUTES,
  validCall,
  type Fixture,
  type Spec,
  type Token,
} from "./fuzz-specs";

/**
 * Property-based fuzzing of every route's body, path and query with valid credentials, so
 * input validation is what is exercised. For every input: never a 5xx; on a 4xx the
 * contract's error shape, and nothing moved (the account's balance, holds and movements,
 * and D1's accounts, keys and rate decks).
 */

const BODY_RUNS = 50;
const PATH_RUNS = 25;
const QUERY_RUNS = 20;

async function d1Snapshot() {
  return env.DB.prepare(
    `SELECT (SELECT count(*) FROM accounts) AS accounts, (SELECT count(*) FROM api_keys) AS keys,
            (SELECT count(*) FROM rate_decks) AS decks, (SELECT group_concat(kind || ':' || deck_id) FROM rate_decks_active) AS active`,
  ).first();
}

const tokenOf = (f: Fixture, token: Token) =>
  ({ operator: OPERATOR, switch: SWITCH, admin: f.acct.adminKey, none: null })[token];

function pathOf(
  template: string,
  values: Record<string, string>,
  raw: Record<string, string> = {},
): string {
  return template.replace(
    /:([A-Za-z]+)/g,
    (_, name: string) => raw[name] ?? encodeSegment(values[name] ?? ""),
  );
}

interface Sent {
  path: string;
  json?: unknown;
  raw?: string;
  contentType?: string;
  headers?: Record<string, string>;
}

/** Sends one fuzzed request and checks the properties every answer must have. */
async function probe(route: string, spec: Spec, f: Fixture, input: Sent): Promise<ApiAnswer> {
  const [method = "GET"] = route.split(" ");
  const headers: Record<string, string> = { ...spec.headers?.(), ...input.headers };
  if (input.contentType !== undefined) headers["Content-Type"] = input.contentType;
  const before = await Promise.all([ledgerSnapshot(f.acct.id), d1Snapshot()]);
  const answer = await send(method, input.path, {
    token: tokenOf(f, spec.token),
    headers,
    ...(input.json !== undefined ? { body: input.json } : {}),
    ...(input.raw !== undefined ? { rawBody: input.raw } : {}),
  });
  const where = `${method} ${input.path.slice(0, 200)} ${JSON.stringify(input.json ?? input.raw ?? null)?.slice(0, 300)}`;
  const seen = `${where} → ${answer.status} ${JSON.stringify(answer.body).slice(0, 300)}`;
  expect(answer.status, `${seen}: a 5xx`).toBeLessThan(500);
  expect(answer.status, `${seen}: the fuzz hit a rate limit; spread its keys`).not.toBe(429);
  if (answer.status >= 400) {
    expectErrorShape(answer.body, seen);
    const after = await Promise.all([ledgerSnapshot(f.acct.id), d1Snapshot()]);
    expect(after, `${seen}: a refused request changed state`).toEqual(before);
  } else if (method !== "GET") {
    await spec.afterSuccess?.(f);
  }
  return answer;
}

function csvBody(
  header: string,
  cells: readonly string[],
): fc.Arbitrary<{ raw: string; contentType?: string }> {
  const cell = fc.oneof(
    fc.constantFrom(...cells),
    nastyString.map((s) => s.replaceAll("\n", " ")),
    moneyLike,
  );
  const row = fc.array(cell, { minLength: 0, maxLength: 7 }).map((values) => values.join(","));
  const deck = fc.tuple(
    fc.constantFrom(header, "", header.toUpperCase(), `${header},extra`),
    fc.array(row, { maxLength: 6 }),
    fc.constantFrom("\n", "\r\n", "\r"),
  );
  return fc.oneof(
    { weight: 4, arbitrary: deck.map(([head, rows, eol]) => ({ raw: [head, ...rows].join(eol) })) },
    { weight: 1, arbitrary: fc.string({ maxLength: 300 }).map((raw) => ({ raw })) },
    {
      weight: 1,
      arbitrary: deck.map(([head, rows]) => ({
        raw: [head, ...rows].join("\n"),
        contentType: "application/json",
      })),
    },
    { weight: 1, arbitrary: fc.constant({ raw: `${header}\n${'"'.repeat(5000)}` }) },
  );
}

/** Event JSON shaped like the gateway's, with hostile values where the parser reads. */
const eventBody = (accountId: string) =>
  fc
    .record(
      {
        id: fc.oneof(nastyString, one("evt_1")),
        type: fc.oneof(
          one("payment_intent.succeeded", "payment_intent.payment_failed"),
          nastyString,
        ),
        data: fc.oneof(
          nastyValue,
          fc.record({
            object: fc.oneof(
              nastyValue,
              fc.record(
                {
                  id: fc.oneof(one("pi_1"), nastyString),
                  object: fc.oneof(one("payment_intent"), nastyString),
                  amount: fc.oneof(
                    fc.integer(),
                    fc.double(),
                    nastyValue,
                    one(Number.MAX_SAFE_INTEGER, 2 ** 63),
                  ),
                  currency: fc.oneof(one("eur", "EUR", "jpy", "xts", "bhd"), nastyString),
                  metadata: fc.oneof(
                    nastyValue,
                    fc.record(
                      {
                        paymentId: fc.oneof(one("top_aaaaaaaaaaaa", "atu_x"), nastyString),
                        accountId: fc.oneof(one(accountId, ""), nastyString),
                      },
                      { requiredKeys: [] },
                    ),
                  ),
                  last_payment_error: nastyValue,
                },
                { requiredKeys: [] },
              ),
            ),
          }),
        ),
      },
      { requiredKeys: [] },
    )
    .map((event) => JSON.stringify(event));

async function fixtureFor(route: string): Promise<Fixture> {
  const acct = await accountWithKeys("100.00", 0);
  await setPlan(acct.id);
  await api("PUT", `/v1/accounts/${acct.id}/numbers`, { body: { numbers: [...FUZZ_NUMBERS] } });
  if (!route.includes(":exportId") && !route.includes(":topUpId"))
    return { acct, exportId: "exp_none", topUpId: "top_none0000000", downloadQuery: "" };
  const topUp = await api("POST", `/v1/accounts/${acct.id}/top-ups`, {
    body: { amount: "5.00" },
    headers: { "Idempotency-Key": "fuzz-fixture" },
  });
  await settleLedger(acct.id);
  const started = await api("POST", `/v1/accounts/${acct.id}/exports`);
  const ready = await waitForExport(acct, started.body.id);
  const downloadQuery = new URL(ready.downloadUrl).search.slice(1);
  return { acct, exportId: started.body.id, topUpId: topUp.body.id, downloadQuery };
}

describe("fuzzing every route", () => {
  beforeAll(uploadSampleDecks);

  it("has a spec for every route of the app", () => {
    expectCoversEveryRoute([...Object.keys(API), ...PAGE_ROUTES], "the fuzz specs");
  });

  describe.each(Object.entries(API).map(([route, spec]) => ({ route, spec })))(
    "$route",
    ({ route, spec }) => {
      const [method = "GET", template = "/"] = route.split(" ");
      const paramNames = [...template.matchAll(/:([A-Za-z]+)/g)].map((m) => m[1] as string);
      let f: Fixture;
      beforeAll(async () => {
        f = await fixtureFor(route);
        // A leg the extend fuzz can find.
        if (route.endsWith("/extend")) {
          const leg = await api("POST", `/v1/accounts/${f.acct.id}/calls/fz-running/authorize`, {
            token: SWITCH,
            body: validCall(),
          });
          expect(leg.body.allowed).toBe(true);
        }
      });
      const validPath = () => pathOf(template, spec.params?.(f) ?? {});
      const validQuery = () => (route.endsWith("/download") ? `?${f.downloadQuery}` : "");
      const body = spec.body ?? { kind: "none" as const };
      const validBody = (): Omit<Sent, "path"> =>
        body.kind === "json" ? { json: body.valid(f) } : {};

      if (body.kind === "json") {
        it("body", async () => {
          await fc.assert(
            fc.asyncProperty(
              bodyFor(body.fields, () => body.valid(f)),
              async (input) => {
                await probe(route, spec, f, { path: validPath(), ...input });
              },
            ),
            { numRuns: BODY_RUNS },
          );
        });
      }
      if (body.kind === "csv") {
        it("CSV body", async () => {
          await fc.assert(
            fc.asyncProperty(csvBody(body.header, body.cells), async (input) => {
              await probe(route, spec, f, { path: validPath(), contentType: "text/csv", ...input });
            }),
            { numRuns: BODY_RUNS },
          );
        });
      }
      if (body.kind === "webhook") {
        it("signed and unsigned events", async () => {
          await fc.assert(
            fc.asyncProperty(
              fc.oneof(eventBody(f.acct.id), rawJsonText),
              fc.boolean(),
              async (raw, signed) => {
                const headers: Record<string, string> = signed
                  ? {
                      "Stripe-Signature": await signWebhook(
                        env.PAYMENT_WEBHOOK_SECRET,
                        raw,
                        Date.now() / 1000,
                      ),
                    }
                  : {};
                const answer = await probe(route, spec, f, {
                  path: template,
                  raw,
                  contentType: "application/json",
                  headers,
                });
                if (!signed) expect(answer.status).toBe(raw.length > 64 * 1024 ? 413 : 400);
                // No payment of this account was started, so no event can credit it.
                if (answer.status === 200) expect(answer.body.applied).toBe(false);
              },
            ),
            { numRuns: BODY_RUNS },
          );
        });
      }
      if (paramNames.length > 0) {
        it("path", async () => {
          await fc.assert(
            fc.asyncProperty(fc.constantFrom(...paramNames), pathSegment, async (name, segment) => {
              const path = pathOf(template, spec.params?.(f) ?? {}, { [name]: segment });
              await probe(route, spec, f, { path: `${path}${validQuery()}`, ...validBody() });
            }),
            { numRuns: PATH_RUNS * paramNames.length },
          );
        });
      }
      if (spec.query !== undefined || method === "GET" || body.kind === "none") {
        it("query", async () => {
          await fc.assert(
            fc.asyncProperty(queryFor(spec.query ?? []), async (query) => {
              await probe(route, spec, f, { path: `${validPath()}?${query}`, ...validBody() });
            }),
            { numRuns: route === "POST /dev/seed" ? 5 : QUERY_RUNS },
          );
        });
      }
    },
  );
});

describe("fuzzing the Billing page", () => {
  let acct: TestAccount;
  let jar: CookieJar;
  let csrf: string;

  beforeAll(async () => {
    await uploadSampleDecks();
    acct = await accountWithKeys("100.00", 0);
  });

  /** Pages answer HTML; what matters is no 5xx and, when refused, nothing moved. */
  async function probePage(
    method: "GET" | "POST",
    path: string,
    form?: Record<string, string>,
    headers?: Record<string, string>,
  ) {
    const before = await ledgerSnapshot(acct.id);
    const answer = await browse(jar, method, path, form, headers);
    const seen = `${method} ${path.slice(0, 200)} ${JSON.stringify(form ?? null).slice(0, 300)} → ${answer.status} ${answer.text.slice(0, 200)}`;
    expect(answer.status, seen).toBeLessThan(500);
    if (answer.status >= 400)
      expect(await ledgerSnapshot(acct.id), `${seen}: a refused form changed the ledger`).toEqual(
        before,
      );
    else {
      await api("PUT", `/v1/accounts/${acct.id}/auto-top-up`, {
        body: { enabled: false, threshold: "0.00", amount: "10.00" },
      });
      await settleLedger(acct.id);
    }
    return answer;
  }

  const field = fc.oneof(
    nastyString,
    moneyLike,
    fc.string({ maxLength: 20_000 }).filter((s) => s.length > 600 || s.length < 20),
  );

  // Each top-up it sends is charged at once (on-session), so 80 requests need more than 5 s.
  it("signed-in forms and queries", async () => {
    ({ jar, csrf } = await signIn(acct));
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.record({
            route: fc.constant("/billing/top-ups"),
            form: fc.record(
              { amount: field, paymentMethod: field, idempotencyKey: field },
              { requiredKeys: [] },
            ),
          }),
          fc.record({
            route: fc.constant("/billing/auto-top-up"),
            form: fc.record(
              {
                enabled: fc.oneof(fc.constant("on"), field),
                threshold: field,
                amount: field,
                paymentMethod: field,
              },
              { requiredKeys: [] },
            ),
          }),
          fc.record({
            route: fc.constant("/billing/exports"),
            form: fc.dictionary(nastyString, field, { maxKeys: 2 }),
          }),
        ),
        async ({ route, form }) => {
          await probePage("POST", route, { ...form, csrf });
        },
      ),
      { numRuns: 40 },
    );
    await fc.assert(
      fc.asyncProperty(queryFor(["month", "topUp", "notice"]), async (query) => {
        await probePage("GET", `/billing?${query}`);
      }),
      { numRuns: 20 },
    );
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom("top-ups", "exports"),
        pathSegment,
        async (kind, segment) => {
          const answer = await probePage("GET", `/billing/${kind}/${segment}/status`);
          expect([200, 400, 404], String(answer.status)).toContain(answer.status);
        },
      ),
      { numRuns: 20 },
    );
  }, 30_000);

  it("the billing details form", async () => {
    ({ jar, csrf } = await signIn(acct));
    await fc.assert(
      fc.asyncProperty(
        fc.record(
          {
            companyName: field,
            addressLine1: field,
            addressLine2: field,
            city: field,
            postalCode: field,
            country: fc.oneof(fc.constantFrom("DE", "de", "GR", "US"), field),
            taxId: fc.oneof(fc.constantFrom("DE136695976", "EL094259216", ""), field),
            invoiceEmail: fc.oneof(fc.constant("billing@example.test"), field),
          },
          { requiredKeys: [] },
        ),
        async (form) => {
          await probePage("POST", "/billing/billing-details", { ...form, csrf });
        },
      ),
      { numRuns: 25 },
    );
  }, 30_000);

  it("forms with a wrong or missing token, from another site, or too large", async () => {
    ({ jar, csrf } = await signIn(acct));
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(
          "/billing/top-ups",
          "/billing/auto-top-up",
          "/billing/exports",
          "/billing/sign-out",
        ),
        fc.option(field),
        fc.constantFrom<Record<string, string>>(
          {},
          { Origin: "https://evil.test" },
          { "Sec-Fetch-Site": "cross-site" },
        ),
        async (route, token, headers) => {
          const form = { ...(token === null ? {} : { csrf: token }), amount: "5.00" };
          const answer = await probePage("POST", route, form, headers);
          const tooLarge = new URLSearchParams(form).toString().length > BILLING_FORM_MAX_BYTES;
          expect(answer.status, `${route} with csrf ${JSON.stringify(token)?.slice(0, 40)}`).toBe(
            tooLarge ? 413 : 403,
          );
        },
      ),
      { numRuns: 25 },
    );
  });

  it("sign-in with hostile account ids and keys", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(nastyString, one(acct.id)),
        fc.oneof(nastyString, one(acct.adminKey, acct.agentKey, `${acct.adminKey}x`)),
        async (accountId, apiKey) => {
          jar = new CookieJar();
          const form = await browse(jar, "GET", "/billing/sign-in");
          await probePage("POST", "/billing/sign-in", {
            csrf: csrfOf(form.text),
            accountId,
            apiKey,
          });
        },
      ),
      { numRuns: 30 },
    );
  });

  it("public pages, assets and the API reference with hostile paths and queries", async () => {
    jar = new CookieJar();
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom("/", "/billing", "/billing/sign-in", "/openapi.json", "/docs"),
        queryFor(["notice", "month", "topUp"]),
        async (path, query) => {
          await probePage("GET", `${path}?${query}`);
        },
      ),
      { numRuns: 20 },
    );
    await fc.assert(
      fc.asyncProperty(pathSegment, async (segment) => {
        const answer = await probePage("GET", `/billing/assets/${segment}`);
        expect([200, 404]).toContain(answer.status);
      }),
      { numRuns: 20 },
    );
  });
});
