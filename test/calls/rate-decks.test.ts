import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { runCron } from "../../src/cron";
import { SUPERSEDED_DECKS_KEPT } from "../../src/rate-decks/d1-store";
import {
  SAMPLE_CALL_DECK_CSV,
  SAMPLE_MESSAGE_DECK_CSV,
  SAMPLE_SERVICE_RATES,
} from "../../src/rating/sample-decks";
import { api, newAccount, SWITCH } from "../helpers";
import { authorize, N, putCsv, sendMessage } from "./helpers";

// One file, one D1: the decks uploaded here are the only ones, so versions are predictable.
describe("rate decks", () => {
  it("a valid call deck becomes calls-1, the same deck again changes nothing, a new one is calls-2", async () => {
    const first = await putCsv("/v1/rates/calls", SAMPLE_CALL_DECK_CSV);
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({
      kind: "calls",
      version: "calls-1",
      replaced: null,
      changed: true,
    });
    expect(first.body.rows).toBeGreaterThan(300);

    const again = await putCsv("/v1/rates/calls", SAMPLE_CALL_DECK_CSV);
    expect(again.body).toMatchObject({ version: "calls-1", changed: false });

    const dearer = SAMPLE_CALL_DECK_CSV.replace(
      "4930,Germany fixed Berlin,0.0100,60,60",
      "4930,Germany fixed Berlin,0.0600,60,60",
    );
    const second = await putCsv("/v1/rates/calls", dearer);
    expect(second.body).toMatchObject({ version: "calls-2", replaced: "calls-1", changed: true });

    const acct = await newAccount({ credit: "10.00" });
    const leg = await authorize(acct.id, "deck-v2", { from: N.usAccount, to: N.deFixedBerlin });
    expect(leg.body).toMatchObject({
      allowed: true,
      billing: "credit",
      ratePerMinute: "0.06",
      rate: { deckVersion: "calls-2", prefix: "4930" },
    });

    // Back to the sample prices for the rest of the file.
    expect((await putCsv("/v1/rates/calls", SAMPLE_CALL_DECK_CSV)).body).toMatchObject({
      version: "calls-3",
      changed: true,
    });
  });

  it("a deck replaced mid-call does not re-rate a running leg", async () => {
    expect((await putCsv("/v1/rates/calls", SAMPLE_CALL_DECK_CSV)).status).toBe(200);
    const acct = await newAccount({ credit: "10.00" });
    const before = await authorize(acct.id, "mid-call", { from: N.usAccount, to: N.deFixedBerlin });
    const dearer = SAMPLE_CALL_DECK_CSV.replace(
      "4930,Germany fixed Berlin,0.0100,60,60",
      "4930,Germany fixed Berlin,0.0900,60,60",
    );
    const replaced = await putCsv("/v1/rates/calls", dearer);
    expect(replaced.body.changed).toBe(true);
    expect(
      (
        await api("POST", `/v1/accounts/${acct.id}/calls/mid-call/extend`, {
          token: SWITCH,
          body: { usedSeconds: 290 },
        })
      ).body.allowed,
    ).toBe(true);
    const ended = await api("POST", `/v1/accounts/${acct.id}/calls/mid-call/end`, {
      token: SWITCH,
      body: { durationSeconds: 400 },
    });
    expect(ended.body).toMatchObject({ charged: "0.07", billedSeconds: 420 });
    const after = await authorize(acct.id, "next-call", { from: N.usAccount, to: N.deFixedBerlin });
    expect(after.body.rate.deckVersion).toBe(replaced.body.version);
    expect(after.body.ratePerMinute).toBe("0.09");
    expect(before.body.rate.deckVersion).not.toBe(replaced.body.version);
    expect((await putCsv("/v1/rates/calls", SAMPLE_CALL_DECK_CSV)).status).toBe(200);
  });

  it("a bad CSV is refused with its line and field, and the deck in force stays in force", async () => {
    expect((await putCsv("/v1/rates/calls", SAMPLE_CALL_DECK_CSV)).status).toBe(200);
    const before = await api("GET", "/v1/rates");
    const bad = [
      "prefix,destination,rate_per_minute",
      "49,Germany,0.012",
      "4930,Berlin,0.01,60,60",
      "33,France,abc",
      "44,UK,0.02,0,60",
    ].join("\n");
    const res = await putCsv("/v1/rates/calls", bad);
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe("invalid_rate_deck");
    expect(res.body.error.message).toMatch(
      /^Line 4, rate_per_minute: .*\(and 1 more\)\. Nothing was replaced; calls-\d+ is still in force\.$/,
    );
    expect(res.body.error.details).toEqual([
      { line: 4, field: "rate_per_minute", issue: expect.stringContaining('"abc"') },
      { line: 5, field: "initial_increment", issue: expect.stringContaining('"0"') },
    ]);
    expect(await api("GET", "/v1/rates")).toMatchObject({ status: 200, body: before.body });

    // The old deck still prices calls: France is in it at the sample rate, not at the bad file's.
    const acct = await newAccount({ credit: "10.00" });
    const leg = await authorize(acct.id, "after-bad-upload", { from: N.deAccount, to: N.frFixed });
    expect(leg.body.rate.deckVersion).toBe(
      before.body.decks.find((d: any) => d.kind === "calls").version,
    );
  });

  it("reports every kind of row error, duplicates with the first line, and an empty file", async () => {
    const dup = await putCsv("/v1/rates/calls", "49,Germany,0.01\n49,Germany again,0.02\n");
    expect(dup.body.error.details).toEqual([
      { line: 2, field: "prefix", issue: "duplicate prefix 49, first on line 1" },
    ]);
    const empty = await putCsv("/v1/rates/calls", "prefix,destination,rate_per_minute\n");
    expect(empty.body.error.details).toEqual([
      { line: 1, field: "file", issue: "the deck has no rates" },
    ]);
    const messages = await putCsv(
      "/v1/rates/messages",
      "country,channel,price_per_fragment\nDE,fax,0.01\nXX,sms,0.01\n",
    );
    expect(messages.status).toBe(400);
    expect(messages.body.error.details.map((d: any) => [d.line, d.field])).toEqual([
      [2, "channel"],
      [3, "country"],
    ]);
  });

  it("message and service decks are versioned on their own", async () => {
    const messages = await putCsv("/v1/rates/messages", SAMPLE_MESSAGE_DECK_CSV);
    expect(messages.body).toMatchObject({ kind: "messages", version: "messages-1" });
    const services = await api("PUT", "/v1/rates/services", { body: SAMPLE_SERVICE_RATES });
    expect(services.body).toMatchObject({ kind: "services", version: "services-1", rows: 4 });
    const badServices = await api("PUT", "/v1/rates/services", {
      body: { ...SAMPLE_SERVICE_RATES, stt: "0.0000001", extra: "1" },
    });
    expect(badServices.status).toBe(400);
    expect(badServices.body.error.details.map((d: any) => d.field).sort()).toEqual(
      ["body", "stt"].sort(),
    );
    const listed = await api("GET", "/v1/rates");
    expect(listed.body.decks.map((d: any) => d.kind)).toEqual(["calls", "messages", "services"]);

    const acct = await newAccount({ credit: "1.00" });
    const sms = await sendMessage(acct.id, "m-versioned", {
      channel: "sms",
      to: N.deMobile,
      fragments: 1,
    });
    expect(sms.body.deckVersion).toBe("messages-1");
  });

  it("a deck larger than the JSON limit is accepted; the operator token is required; CSV only", async () => {
    const rows = ["prefix,destination,rate_per_minute"];
    for (let i = 0; i < 20_000; i++)
      rows.push(`99${String(i).padStart(6, "0")},Test range ${i},0.0${(i % 90) + 10}`);
    const big = rows.join("\n");
    expect(big.length).toBeGreaterThan(64 * 1024);
    const res = await putCsv("/v1/rates/calls", big);
    expect(res.status, JSON.stringify(res.body).slice(0, 300)).toBe(200);
    expect(res.body.rows).toBe(20_000);
    expect((await putCsv("/v1/rates/calls", SAMPLE_CALL_DECK_CSV)).status).toBe(200);

    const acct = await newAccount();
    expect((await putCsv("/v1/rates/calls", SAMPLE_CALL_DECK_CSV, SWITCH)).status).toBe(403);
    expect((await putCsv("/v1/rates/calls", SAMPLE_CALL_DECK_CSV, acct.adminKey)).status).toBe(403);
    expect(
      (await putCsv("/v1/rates/calls", SAMPLE_CALL_DECK_CSV, null as unknown as string)).status,
    ).toBe(401);
    const json = await api("PUT", "/v1/rates/calls", { body: { prefix: "49" } });
    expect(json.status).toBe(400);
    expect(json.body.error.code).toBe("unsupported_content_type");
    // The JSON routes keep their small limit.
    const huge = await api("PUT", "/v1/accounts/x/plan", { rawBody: "x".repeat(70 * 1024) });
    expect(huge.status).toBe(413);
  });

  it("the cron keeps the deck in force and the last superseded ones, and deletes older decks with their rows", async () => {
    for (let cents = 1; cents <= SUPERSEDED_DECKS_KEPT + 3; cents++) {
      const deck = { ...SAMPLE_SERVICE_RATES, stt: `0.0${cents}` };
      expect((await api("PUT", "/v1/rates/services", { body: deck })).body.changed).toBe(true);
    }
    const versions = async () =>
      (
        await env.DB.prepare(
          "SELECT version FROM rate_decks WHERE kind = 'services' ORDER BY version",
        ).all<{ version: number }>()
      ).results.map((r) => r.version);
    const all = await versions();
    const newest = all.at(-1)!;
    expect(all.length).toBeGreaterThan(SUPERSEDED_DECKS_KEPT + 1);

    const decks = async () =>
      (await env.DB.prepare("SELECT count(*) AS n FROM rate_decks").first<{ n: number }>())!.n;
    const before = await decks();
    const ran = await runCron(env, Date.now());
    expect(ran.rateDecksPruned).toBe(before - (await decks()));
    expect(await versions()).toEqual(
      Array.from(
        { length: SUPERSEDED_DECKS_KEPT + 1 },
        (_, i) => newest - SUPERSEDED_DECKS_KEPT + i,
      ),
    );
    const orphans = await env.DB.prepare(
      "SELECT count(*) AS n FROM rate_deck_chunks WHERE deck_id NOT IN (SELECT id FROM rate_decks)",
    ).first<{ n: number }>();
    expect(orphans?.n).toBe(0);
    // The deck in force still prices: speech-to-text at its rate.
    const acct = await newAccount({ credit: "10.00" });
    const charged = await api("POST", `/v1/accounts/${acct.id}/usage/prune-check`, {
      token: SWITCH,
      body: { service: "stt", seconds: 60 },
    });
    expect(charged.body).toMatchObject({ charged: `0.0${SUPERSEDED_DECKS_KEPT + 3}` });
    expect((await runCron(env, Date.now())).rateDecksPruned).toBe(0);
  });
});
