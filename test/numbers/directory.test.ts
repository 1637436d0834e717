import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { numbersResponse } from "../../src/http/openapi/operations-switch";
import { api, newAccount, SWITCH } from "../helpers";
import { balanceOf, movementsOf, N, uploadSampleDecks } from "../calls/helpers";

beforeAll(uploadSampleDecks);

function putNumbers(accountId: string, numbers: unknown, token?: string) {
  return api("PUT", `/v1/accounts/${accountId}/numbers`, {
    body: { numbers },
    ...(token !== undefined && { token }),
  });
}

type Step = "authorize" | "extend" | "end";
function switchCall(callId: string, step: Step, body: Record<string, unknown>) {
  return api("POST", `/v1/calls/${callId}/${step}`, { token: SWITCH, body });
}

const outbound = (from: string, to = N.deMobile) => ({
  userId: "user-1",
  direction: "outbound",
  from,
  to,
});
const inbound = (to: string, from = N.frFixed) => ({
  userId: "user-1",
  direction: "inbound",
  from,
  to,
});

describe("PUT /v1/accounts/:id/numbers: the account's numbers", () => {
  it("sets the whole set, classifies each and lists them back", async () => {
    const acct = await newAccount();
    const put = await putNumbers(acct.id, ["+4930123401", N.deTollFree]);
    expect(put.status, JSON.stringify(put.body)).toBe(200);
    expect(put.body).toEqual({
      accountId: acct.id,
      numbers: [
        { number: "+4930123401", country: "DE", type: "fixed", tollFree: false },
        { number: N.deTollFree, country: "DE", type: "toll-free", tollFree: true },
      ],
      moved: [],
      released: [],
    });
    expect(numbersResponse.parse(put.body)).toEqual(put.body); // the reference says what it answers
    const listed = await api("GET", `/v1/accounts/${acct.id}/numbers`, { token: acct.agentKey });
    expect(listed.status).toBe(200);
    expect(listed.body.numbers.map((n: { number: string }) => n.number)).toEqual([
      "+4930123401",
      N.deTollFree,
    ]);
    // Again with one fewer: the other is released.
    const again = await putNumbers(acct.id, ["+4930123401"]);
    expect(again.body.released).toEqual([N.deTollFree]);
  });

  it.each([
    ["a national-format number", ["030 123456"], "numbers.0"],
    ["a number without +", ["4930123456"], "numbers.0"],
    ["a duplicate", ["+4930123402", "+4930123402"], "numbers"],
    ["not a list", "+4930123402", "numbers"],
    ["a number that is not a string", [4930123402], "numbers.0"],
  ])("refuses %s with a 400 naming the field", async (_what, numbers, field) => {
    const acct = await newAccount();
    const res = await putNumbers(acct.id, numbers);
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe("invalid_request");
    expect(res.body.error.details[0].field).toBe(field);
  });

  it("is the operator's: the switch and account keys are refused, an unknown account is 404", async () => {
    const acct = await newAccount();
    expect((await putNumbers(acct.id, ["+4930123403"], SWITCH)).status).toBe(403);
    expect((await putNumbers(acct.id, ["+4930123403"], acct.adminKey)).status).toBe(403);
    const unknown = await putNumbers("no-such-account", ["+4930123403"]);
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.code).toBe("account_not_found");
  });
});

describe("POST /v1/calls/:callId/…: the account found from the numbers", () => {
  it("outbound by the calling number: authorize, extend and end reach the holder's ledger", async () => {
    const acct = await newAccount({ credit: "10.00" });
    await putNumbers(acct.id, ["+4930123410"]);
    const call = outbound("+4930123410");
    const a = await switchCall("dir-out-1", "authorize", call);
    expect(a.status, JSON.stringify(a.body)).toBe(200);
    expect(a.body).toMatchObject({ allowed: true, billing: "credit", accountId: acct.id });
    const x = await switchCall("dir-out-1", "extend", {
      direction: call.direction,
      from: call.from,
      to: call.to,
      usedSeconds: 60,
    });
    expect(x.body).toMatchObject({ allowed: true, accountId: acct.id });
    const e = await switchCall("dir-out-1", "end", {
      direction: call.direction,
      from: call.from,
      to: call.to,
      durationSeconds: 65,
    });
    expect(e.status).toBe(200);
    expect(e.body).toMatchObject({ billedSeconds: 120, accountId: acct.id });
    expect(await movementsOf(acct.id)).toHaveLength(2); // the opening credit and the call
    expect((await balanceOf(acct.id)).reserved).toBe("0.00");
  });

  it("inbound by the dialled number: at zero credit a standard number rings, a toll-free one is refused", async () => {
    const acct = await newAccount();
    await putNumbers(acct.id, ["+4930123411", "+498001234511"]);
    const standard = await switchCall("dir-in-1", "authorize", inbound("+4930123411"));
    expect(standard.body).toMatchObject({ allowed: true, billing: "free", accountId: acct.id });
    const tollFree = await switchCall("dir-in-2", "authorize", inbound("+498001234511"));
    expect(tollFree.body).toMatchObject({
      allowed: false,
      reason: "credit_exhausted",
      accountId: acct.id,
    });
  });

  it("an unknown number is a 404 in the error shape, naming the field looked up", async () => {
    const out = await switchCall("dir-unknown-1", "authorize", outbound("+4930123419"));
    expect(out.status).toBe(404);
    expect(out.body).toEqual({
      error: {
        code: "number_not_found",
        message: expect.stringContaining("+4930123419"),
        details: [{ field: "from", issue: "no account holds this number" }],
      },
    });
    const end = await switchCall("dir-unknown-2", "end", {
      direction: "inbound",
      from: N.frFixed,
      to: "+4930123419",
      durationSeconds: 3,
    });
    expect(end.status).toBe(404);
    expect(end.body.error.details[0].field).toBe("to");
  });

  it("a moved number finds its new account at once, and the answer says where it came from", async () => {
    const first = await newAccount({ credit: "5.00" });
    const second = await newAccount({ credit: "5.00" });
    await putNumbers(first.id, ["+4930123420", "+4930123421"]);
    const before = await switchCall("dir-move-1", "authorize", outbound("+4930123420"));
    expect(before.body.accountId).toBe(first.id);
    const moved = await putNumbers(second.id, ["+4930123420"]);
    expect(moved.body.moved).toEqual([{ number: "+4930123420", fromAccountId: first.id }]);
    const after = await switchCall("dir-move-2", "authorize", outbound("+4930123420"));
    expect(after.body.accountId).toBe(second.id);
    const firstNumbers = await api("GET", `/v1/accounts/${first.id}/numbers`);
    expect(firstNumbers.body.numbers.map((n: { number: string }) => n.number)).toEqual([
      "+4930123421",
    ]);
  });

  it("a released number is unknown at once in the isolate that released it", async () => {
    const acct = await newAccount({ credit: "5.00" });
    await putNumbers(acct.id, ["+4930123430"]);
    expect((await switchCall("dir-rel-1", "authorize", outbound("+4930123430"))).status).toBe(200);
    await putNumbers(acct.id, []);
    expect((await switchCall("dir-rel-2", "authorize", outbound("+4930123430"))).status).toBe(404);
  });

  it("warm, a call makes no D1 round trip: the row removed behind its back still resolves", async () => {
    const acct = await newAccount({ credit: "5.00" });
    await putNumbers(acct.id, ["+4930123440"]);
    expect((await switchCall("dir-warm-1", "authorize", outbound("+4930123440"))).status).toBe(200);
    await env.DB.prepare("DELETE FROM numbers WHERE number = ?").bind("+4930123440").run();
    const warm = await switchCall("dir-warm-2", "authorize", outbound("+4930123440"));
    expect(warm.status).toBe(200);
    expect(warm.body.accountId).toBe(acct.id);
  });

  it("validates the body and needs the switch token", async () => {
    const bad = await switchCall("dir-bad-1", "authorize", { direction: "outbound", from: "x" });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe("invalid_request");
    const noNumbers = await switchCall("dir-bad-2", "end", { durationSeconds: 3 });
    expect(noNumbers.status).toBe(400);
    expect(noNumbers.body.error.details.map((d: { field: string }) => d.field)).toContain(
      "direction",
    );
    const badId = await switchCall("bad id!", "authorize", outbound("+4930123450"));
    expect(badId.status).toBe(400);
    const operator = await api("POST", "/v1/calls/dir-bad-3/authorize", {
      body: outbound("+4930123450"),
    });
    expect(operator.status).toBe(403);
  });
});
