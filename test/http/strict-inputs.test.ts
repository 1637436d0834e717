import { exports } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { webhookUrlProblem } from "../../src/notify/webhook";
import { CALL_DECK_ROWS_MAX } from "../../src/rating/call-deck";
import { RATE_DECK_BODY_MAX_BYTES } from "../../src/http/routes/rates";
import { repeatedKey } from "../../src/http/validate";
import { authorize, end, N, putCsv, uploadSampleDecks } from "../calls/helpers";
import { api, newAccount, uniqueId } from "../helpers";

/** The findings of the contract review (issue 17), each as the request that showed it. */

const billingForms = [
  "/billing/sign-in",
  "/billing/sign-out",
  "/billing/top-ups",
  "/billing/auto-top-up",
  "/billing/exports",
];

describe("Billing forms whose body is not form data", () => {
  it.each(billingForms)("%s answers 400, not 500, before sign-in or CSRF", async (path) => {
    for (const [type, body] of [
      ["multipart/form-data", "csrf=x"],
      ["multipart/form-data; boundary=zz", "--zz\r\nContent-Disposition: form-data"],
    ] as const) {
      const response = await exports.default.fetch(
        new Request(`https://credit.test${path}`, {
          method: "POST",
          headers: { "Content-Type": type },
          body,
          redirect: "manual",
        }),
      );
      expect(response.status, `${path} ${type}`).toBe(400);
      expect(await response.text()).toContain("could not be read");
    }
  });

  it("answers a missing asset in the error shape", async () => {
    const answer = await api("GET", "/billing/assets/nothing.css", { token: null });
    expect(answer.status).toBe(404);
    expect(answer.body).toEqual({ error: { code: "file_not_found", message: "No such file." } });
  });
});

describe("query values", () => {
  it.each(["0x10", "%2B5", "%20%207", "1e2", "5.0", "-1", "", "0", "501"])(
    "limit=%s is a 400",
    async (limit) => {
      const acct = await newAccount();
      const answer = await api("GET", `/v1/accounts/${acct.id}/movements?limit=${limit}`);
      expect(answer.status).toBe(400);
      expect(answer.body.error.details[0].field).toBe("limit");
    },
  );

  it("reads plain digits, and refuses a range that ends before it starts", async () => {
    const acct = await newAccount({ credit: "1.00" });
    const ok = await api("GET", `/v1/accounts/${acct.id}/movements?limit=007`);
    expect(ok.status).toBe(200);
    expect(ok.body.movements).toHaveLength(1);
    const backwards = await api(
      "GET",
      `/v1/accounts/${acct.id}/movements?from=2026-11-02T00:00:00Z&to=2026-11-01T00:00:00Z`,
    );
    expect(backwards.status).toBe(400);
    expect(backwards.body.error.details).toEqual([
      { field: "from", issue: "must not be after to" },
    ]);
  });
});

describe("account fields", () => {
  it("refuses an email longer than 254 characters", async () => {
    const id = uniqueId();
    const email = `${"a".repeat(64)}@${"b".repeat(63)}.${"c".repeat(63)}.${"d".repeat(63)}.test`;
    expect(email.length).toBeGreaterThan(254);
    const answer = await api("POST", "/v1/accounts", {
      body: { id, name: "Long", currency: "EUR", email },
    });
    expect(answer.status).toBe(400);
    expect(answer.body.error.details[0].field).toBe("email");
  });

  it("stores a time zone under its canonical name", async () => {
    const id = uniqueId();
    const body = { id, name: "Zone", currency: "EUR", email: "z@example.test" };
    const created = await api("POST", "/v1/accounts", { body: { ...body, timezone: "utc" } });
    expect(created.status).toBe(201);
    expect(created.body.timezone).toBe("UTC");
    const prague = await api("POST", "/v1/accounts", {
      body: { ...body, id: uniqueId(), timezone: "europe/prague" },
    });
    expect(prague.body.timezone).toBe("Europe/Prague");
    // The same account again, spelled the other way, is the same account.
    const again = await api("POST", "/v1/accounts", { body: { ...body, timezone: "UTC" } });
    expect(again.status).toBe(200);
  });
});

describe("a JSON body with a repeated key", () => {
  it("is a 400 naming the key, and nothing is booked", async () => {
    const acct = await newAccount({ credit: "10.00" });
    const answer = await api("POST", `/v1/accounts/${acct.id}/adjustments`, {
      rawBody: '{"amount":"0.01","reason":"x","amount":"-999.00"}',
      headers: { "Idempotency-Key": "repeated" },
    });
    expect(answer.status).toBe(400);
    expect(answer.body.error).toMatchObject({
      code: "repeated_key",
      details: [{ field: "amount", issue: "appears more than once" }],
    });
    const credit = await api("GET", `/v1/accounts/${acct.id}/credit`);
    expect(credit.body.balance).toBe("10.00");
  });

  it.each([
    ['{"a":1,"a":2}', "a"],
    ['{"a":{"b":1,"b":2}}', "b"],
    ['[{"a":1},{"a":2}]', null],
    ['{"a":"\\"a","b":["a","a"]}', null],
    ['{"a\\u0062":1,"ab":2}', "ab"],
    ['{"x":{"a":1},"a":2}', null],
    ["[]", null],
  ])("%s repeats %s", (text, key) => {
    expect(repeatedKey(text)).toBe(key);
  });
});

describe("alert webhook URLs", () => {
  it.each([
    ["https://hooks.example.com/credit", false, null],
    ["http://hooks.example.com/credit", false, "must be https"],
    ["https://127.0.0.1:9/", false, "must be a public host, not loopback"],
    ["https://localhost/", false, "must be a public host, not loopback"],
    ["http://127.0.0.1:9/", true, null],
    ["http://169.254.169.254/latest/meta-data", true, "private"],
    ["https://169.254.169.254/latest/meta-data", false, "private"],
    ["https://10.1.2.3/", false, "private"],
    ["https://192.168.0.1/", false, "private"],
    ["https://172.20.0.1/", false, "private"],
    ["https://100.64.0.1/", false, "private"],
    ["https://0x7f.1/", false, "loopback"],
    ["https://[::1]/", false, "loopback"],
    ["https://[::ffff:10.0.0.1]/", false, "private"],
    ["https://[fd00::1]/", false, "private"],
    ["https://[fe80::1]/", false, "private"],
    ["https://metadata.google.internal/", false, "public host name"],
    ["https://intranet/", false, "public host name"],
    ["https://user:pw@hooks.example.com/", false, "credentials"],
    ["https://8.8.8.8/hook", false, null],
    ["https://[2606:4700::1111]/hook", false, null],
  ])("%s (development %s): %s", (url, development, problem) => {
    const found = webhookUrlProblem(url, development);
    if (problem === null) expect(found).toBeNull();
    else expect(found).toContain(problem);
  });

  it("refuses a metadata address through the API", async () => {
    const acct = await newAccount();
    const answer = await api("PUT", `/v1/accounts/${acct.id}/alerts`, {
      body: { lowBalanceLevel: "1.00", webhookUrl: "http://169.254.169.254/latest/meta-data" },
    });
    expect(answer.status).toBe(400);
    expect(answer.body.error.details[0].field).toBe("webhookUrl");
  });
});

describe("ending a call again", () => {
  beforeAll(uploadSampleDecks);

  it("with the same duration replays the first answer; with another it is 409", async () => {
    const acct = await newAccount({ credit: "20.00" });
    const callId = `c-${crypto.randomUUID()}`;
    const started = await authorize(acct.id, callId, { from: N.usAccount, to: N.deFixedBerlin });
    expect(started.body.allowed).toBe(true);
    const first = await end(acct.id, callId, 30);
    expect(first.status).toBe(200);
    const settled = await api("GET", `/v1/accounts/${acct.id}/credit`);
    const replay = await end(acct.id, callId, 30);
    expect(replay.body).toEqual(first.body);
    const other = await end(acct.id, callId, 3000);
    expect(other.status).toBe(409);
    expect(other.body.error.code).toBe("id_reused");
    expect((await api("GET", `/v1/accounts/${acct.id}/credit`)).body).toEqual(settled.body);
  });
});

describe("the app", () => {
  it("answers a known path asked with another method with 405 and Allow", async () => {
    const acct = await newAccount();
    const answer = await api("DELETE", `/v1/accounts/${acct.id}/credit`);
    expect(answer.status).toBe(405);
    expect(answer.headers.get("Allow")).toBe("GET, HEAD");
    expect(answer.body.error.code).toBe("method_not_allowed");
    const spend = await api("POST", `/v1/accounts/${acct.id}/spend-controls`, { body: {} });
    expect(spend.headers.get("Allow")).toBe("GET, HEAD, PUT");
    const unknown = await api("GET", "/v1/nothing-here");
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.code).toBe("route_not_found");
  });
});

describe("deck limits", () => {
  it("fit a full deck of real rows: the body limit is the row limit times a long row", () => {
    const row = "4930123456,Germany - Berlin fixed line (Deutsche Telekom),0.012345,60,60\n";
    expect(row.length * CALL_DECK_ROWS_MAX).toBeLessThanOrEqual(RATE_DECK_BODY_MAX_BYTES);
  });

  it("accept a 200 000-row deck of 8.9 MB as a deck to check, not as too large", async () => {
    const header = "prefix,destination,rate_per_minute,initial_increment,subsequent_increment\n";
    const rows = Array.from(
      { length: CALL_DECK_ROWS_MAX },
      (_, i) => `${4_900_000_000 + i},Germany - Berlin fixed line DTAG,0.012345,60,60\n`,
    );
    // One bad cell at the end: the whole deck is read and refused, so nothing is replaced.
    rows[rows.length - 1] = "49,Germany,not-a-rate,60,60\n";
    const csv = header + rows.join("");
    expect(csv.length).toBeGreaterThan(8.9e6);
    const answer = await putCsv("/v1/rates/calls", csv);
    expect(answer.status, JSON.stringify(answer.body).slice(0, 300)).toBe(400);
    expect(answer.body.error.code).toBe("invalid_rate_deck");
    expect(answer.body.error.message).toContain(`Line ${CALL_DECK_ROWS_MAX + 1}`);
  });
});
