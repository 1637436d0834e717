import { beforeAll, describe, expect, it } from "vitest";
import { adjust, api, ledger, newAccount, SWITCH } from "../helpers";
import {
  authorize,
  balanceOf,
  end,
  EU_PLAN,
  extend,
  movementsOf,
  N,
  setPlan,
  uploadSampleDecks,
} from "./helpers";

beforeAll(uploadSampleDecks);

async function packagedAccount(credit = "10.00", plan: unknown = EU_PLAN) {
  const acct = await newAccount(credit === "0" ? {} : { credit });
  await setPlan(acct.id, plan);
  return acct;
}

describe("authorize → end through HTTP: the seeds' examples", () => {
  it("EU package, Germany from a German number: included, nothing reserved or charged, minutes counted", async () => {
    const acct = await packagedAccount();
    const a = await authorize(acct.id, "inc-1", { from: N.deAccount, to: N.deMobile });
    expect(a.status).toBe(200);
    expect(a.body).toEqual({ allowed: true, billing: "included", grantSeconds: 600 });
    expect((await balanceOf(acct.id)).reserved).toBe("0.00");
    const e = await end(acct.id, "inc-1", 65);
    expect(e.body).toMatchObject({
      charged: "0.00",
      billedSeconds: 0,
      movementId: null,
      billing: "included",
      includedSeconds: 65,
    });
    expect(await movementsOf(acct.id)).toHaveLength(1);
    const usage = await api("GET", `/v1/accounts/${acct.id}/usage`, { token: acct.adminKey });
    expect(usage.body.users).toEqual([
      expect.objectContaining({
        userId: "user-1",
        packageSecondsUsed: 65,
        fairUseMinutes: 3000,
        overFairUse: false,
      }),
    ]);
  });

  it("EU package, Germany called from a US number: credit; 65 s is billed as 120 s", async () => {
    const acct = await packagedAccount();
    const a = await authorize(acct.id, "us-de", { from: N.usAccount, to: N.deFixedBerlin });
    expect(a.body).toMatchObject({
      allowed: true,
      billing: "credit",
      chargeReason: "number_outside_package_region",
      explanation: "number outside package region",
      ratePerMinute: "0.01",
      grantSeconds: 300,
      rate: {
        prefix: "4930",
        destination: "Germany fixed Berlin",
        initialIncrementSeconds: 60,
        subsequentIncrementSeconds: 60,
      },
    });
    expect(await balanceOf(acct.id)).toMatchObject({
      balance: "10.00",
      reserved: "0.05",
      available: "9.95",
    });

    const e = await end(acct.id, "us-de", 65);
    expect(e.body).toMatchObject({
      charged: "0.02",
      billedSeconds: 120,
      billing: "credit",
      creditSeconds: 65,
    });
    expect(await balanceOf(acct.id)).toMatchObject({ balance: "9.98", reserved: "0.00" });
    const call = (await movementsOf(acct.id)).find((m) => m.description === "call");
    expect(call).toMatchObject({
      id: e.body.movementId,
      interactionId: "us-de",
      units: "seconds",
      unitsCharged: 120,
      valuePerUnit: "0.01",
      amount: "-0.02",
      userId: "user-1",
      reason: "Call to Germany fixed Berlin: number outside package region",
      details: {
        leg: "primary",
        chargeReason: "number_outside_package_region",
        deckVersion: a.body.rate.deckVersion,
        ratePrefix: "4930",
        ratePerMinute: "0.01",
        initialIncrementSeconds: 60,
        subsequentIncrementSeconds: 60,
        durationSeconds: 65,
        billedSeconds: 120,
        abandoned: false,
      },
    });
  });

  it("each reason to charge: destination not in package, premium number, forwarded leg, toll-free inbound", async () => {
    const acct = await packagedAccount();
    const us = await authorize(acct.id, "to-us", { from: N.deAccount, to: N.usFixed });
    expect(us.body).toMatchObject({
      billing: "credit",
      chargeReason: "destination_not_in_package",
      ratePerMinute: "0.008",
    });
    const premium = await authorize(acct.id, "premium", { from: N.deAccount, to: N.dePremium });
    expect(premium.body).toMatchObject({
      billing: "credit",
      chargeReason: "premium_number",
      ratePerMinute: "2.50",
    });
    const tollFree = await authorize(acct.id, "tf-in", {
      direction: "inbound",
      from: N.frFixed,
      to: N.deTollFree,
    });
    expect(tollFree.body).toMatchObject({
      billing: "credit",
      chargeReason: "toll_free_inbound",
      ratePerMinute: "0.05",
      rate: { prefix: null, destination: "toll-free-inbound" },
    });

    // A forwarded call: the original leg is included, the forwarding leg is credit and billed on its own.
    expect(
      (await authorize(acct.id, "fwd", { from: N.deAccount, to: N.deMobile })).body.billing,
    ).toBe("included");
    const forward = await authorize(acct.id, "fwd", {
      leg: "forward",
      from: N.deAccount,
      to: N.deMobile,
    });
    expect(forward.body).toMatchObject({
      billing: "credit",
      chargeReason: "forwarded_leg",
      ratePerMinute: "0.035",
    });
    expect((await end(acct.id, "fwd", 30)).body).toMatchObject({
      charged: "0.00",
      billing: "included",
    });
    expect((await end(acct.id, "fwd", 30, "forward")).body).toMatchObject({
      charged: "0.035",
      billedSeconds: 60,
    });
    expect((await end(acct.id, "tf-in", 30)).body).toMatchObject({
      charged: "0.05",
      billedSeconds: 60,
    });
    for (const id of ["to-us", "premium"])
      expect((await end(acct.id, id, 0)).body).toMatchObject({ charged: "0.00", billedSeconds: 0 });

    const calls = (await movementsOf(acct.id)).filter((m) => m.description === "call");
    expect(calls.map((m) => [m.interactionId, m.details.leg, m.details.chargeReason])).toEqual([
      ["fwd", "forward", "forwarded_leg"],
      ["tf-in", "primary", "toll_free_inbound"],
    ]);
    expect(await balanceOf(acct.id)).toMatchObject({ balance: "9.915", reserved: "0.00" });
  });

  it("no rate for a destination: refused with the reason; a short code is never in a package", async () => {
    const acct = await packagedAccount();
    const short = await authorize(acct.id, "short", { from: N.deAccount, to: N.shortCode });
    expect(short.body).toMatchObject({
      allowed: false,
      reason: "no_rate_for_destination",
      billing: "credit",
      chargeReason: "special_number",
      grantSeconds: 0,
    });
    expect((await end(acct.id, "short", 0)).body).toMatchObject({
      charged: "0.00",
      movementId: null,
    });
  });

  it("zero credit: outbound refused even with package minutes left, toll-free inbound refused, standard inbound free", async () => {
    const acct = await packagedAccount("0");
    for (const user of ["user-1", "user-2"]) {
      const out = await authorize(acct.id, `out-${user}`, {
        userId: user,
        from: N.deAccount,
        to: N.deMobile,
      });
      expect(out.body).toMatchObject({
        allowed: false,
        reason: "credit_exhausted",
        billing: "included",
        grantSeconds: 0,
      });
    }
    const credit = await authorize(acct.id, "out-credit", { from: N.usAccount, to: N.deMobile });
    expect(credit.body).toMatchObject({ allowed: false, reason: "credit_exhausted" });
    const tollFree = await authorize(acct.id, "in-tf", {
      direction: "inbound",
      from: N.frFixed,
      to: N.deTollFree,
    });
    expect(tollFree.body).toMatchObject({
      allowed: false,
      reason: "credit_exhausted",
      billing: "credit",
    });
    const standard = await authorize(acct.id, "in-std", {
      direction: "inbound",
      from: N.frFixed,
      to: N.deAccount,
    });
    expect(standard.body).toEqual({ allowed: true, billing: "free", grantSeconds: 14_400 });
    expect((await extend(acct.id, "in-std", 14_000)).body).toMatchObject({
      allowed: true,
      billing: "free",
    });
    expect((await end(acct.id, "in-std", 20_000)).body).toMatchObject({
      charged: "0.00",
      billing: "free",
    });
    expect(await movementsOf(acct.id)).toHaveLength(0);
  });

  it("running calls are not extended once credit is ≤ 0, and stop at the end of their grant", async () => {
    const acct = await packagedAccount("1.00");
    expect(
      (await authorize(acct.id, "run-credit", { from: N.usAccount, to: N.deFixedBerlin })).body
        .grantSeconds,
    ).toBe(300);
    expect(
      (await authorize(acct.id, "run-included", { from: N.deAccount, to: N.deMobile })).body
        .grantSeconds,
    ).toBe(600);
    expect((await adjust(acct.id, "-1.00", "drain")).status).toBe(201);
    expect((await extend(acct.id, "run-credit", 240)).body).toMatchObject({
      allowed: false,
      reason: "credit_exhausted",
      grantSeconds: 0,
    });
    expect((await extend(acct.id, "run-included", 540)).body).toMatchObject({
      allowed: false,
      reason: "credit_exhausted",
    });
    // The refused leg keeps its reservation and runs to the end of what it was granted.
    expect((await balanceOf(acct.id)).reserved).toBe("0.05");
    expect((await end(acct.id, "run-credit", 300)).body).toMatchObject({
      charged: "0.05",
      billedSeconds: 300,
    });
    expect(await balanceOf(acct.id)).toMatchObject({ balance: "-0.05", reserved: "0.00" });
  });

  it("extend moves the grant and the reservation; a retry of an extend changes nothing", async () => {
    const acct = await packagedAccount("10.00");
    await authorize(acct.id, "ext", { from: N.usAccount, to: N.deFixedBerlin });
    const first = await extend(acct.id, "ext", 290);
    expect(first.body).toEqual({ allowed: true, billing: "credit", grantSeconds: 250 });
    expect((await balanceOf(acct.id)).reserved).toBe("0.09");
    expect((await extend(acct.id, "ext", 290)).body).toEqual(first.body);
    expect((await balanceOf(acct.id)).reserved).toBe("0.09");
    expect((await end(acct.id, "ext", 500)).body).toMatchObject({
      charged: "0.09",
      billedSeconds: 540,
    });
    expect((await extend(acct.id, "ext", 600)).body).toMatchObject({
      allowed: false,
      reason: "leg_ended",
    });
  });

  it("fair use: an included call crossing the limit is split; the user's running calls hold their minutes", async () => {
    const acct = await packagedAccount("10.00", {
      ...EU_PLAN,
      package: { ...EU_PLAN.package, fupMinutesPerUser: 2 },
    });
    const a = await authorize(acct.id, "fup-a", { from: N.deAccount, to: N.deMobile });
    expect(a.body).toMatchObject({ billing: "included", grantSeconds: 120 });
    // While "fup-a" holds the last 2 included minutes, the same user's next call pays.
    const b = await authorize(acct.id, "fup-b", { from: N.deAccount, to: N.deMobile });
    expect(b.body).toMatchObject({ billing: "credit", chargeReason: "over_fair_use" });
    const other = await authorize(acct.id, "fup-other", {
      userId: "user-2",
      from: N.deAccount,
      to: N.deMobile,
    });
    expect(other.body).toMatchObject({ billing: "included" });

    const crossing = await extend(acct.id, "fup-a", 120);
    expect(crossing.body).toMatchObject({ allowed: true, billing: "credit", grantSeconds: 300 });
    const e = await end(acct.id, "fup-a", 150);
    expect(e.body).toMatchObject({
      includedSeconds: 120,
      creditSeconds: 30,
      billedSeconds: 60,
      charged: "0.035",
      billing: "credit",
    });
    const split = (await movementsOf(acct.id)).find((m) => m.interactionId === "fup-a");
    expect(split).toMatchObject({
      reason: "Call to Germany mobile: over fair use",
      details: {
        chargeReason: "over_fair_use",
        legBilling: "included",
        includedSeconds: 120,
        creditSeconds: 30,
      },
    });
    for (const id of ["fup-b", "fup-other"]) await end(acct.id, id, 10);

    const usage = await api("GET", `/v1/accounts/${acct.id}/usage`, { token: acct.adminKey });
    expect(usage.body.fairUseMinutesPerUser).toBe(2);
    expect(usage.body.users).toEqual([
      expect.objectContaining({
        userId: "user-1",
        packageSecondsUsed: 120,
        overFairUse: true,
        creditCallSeconds: 40,
        creditCallSpend: "0.07",
      }),
      expect.objectContaining({
        userId: "user-2",
        packageSecondsUsed: 10,
        overFairUse: false,
        creditCallSeconds: 0,
      }),
    ]);
  });

  it("idempotent per call id + leg: same answer and one reservation; end twice, one movement", async () => {
    const acct = await packagedAccount("10.00");
    const tries = await Promise.all(
      Array.from({ length: 5 }, () =>
        authorize(acct.id, "idem", { from: N.usAccount, to: N.deFixedBerlin }),
      ),
    );
    for (const t of tries) expect(t.body).toEqual(tries[0]!.body);
    expect((await balanceOf(acct.id)).reserved).toBe("0.05");
    const other = await authorize(acct.id, "idem", { from: N.usAccount, to: N.frFixed });
    expect(other.status).toBe(409);
    expect(other.body.error.code).toBe("id_reused");

    const ends = await Promise.all(Array.from({ length: 5 }, () => end(acct.id, "idem", 61)));
    for (const e of ends) expect(e.body).toEqual(ends[0]!.body);
    expect((await end(acct.id, "idem", 300)).body).toEqual(ends[0]!.body);
    expect((await movementsOf(acct.id)).filter((m) => m.description === "call")).toHaveLength(1);
    expect(await balanceOf(acct.id)).toMatchObject({ balance: "9.98", reserved: "0.00" });

    // A refused leg is answered the same way again too, even after a top-up.
    const poor = await packagedAccount("0");
    const refused = await authorize(poor.id, "idem-refused", {
      from: N.usAccount,
      to: N.deFixedBerlin,
    });
    expect(refused.body.allowed).toBe(false);
    await adjust(poor.id, "5.00", "top-up-later");
    expect(
      (await authorize(poor.id, "idem-refused", { from: N.usAccount, to: N.deFixedBerlin })).body,
    ).toEqual(refused.body);
  });

  it("spend controls: off by default; a maximum cost per call and a daily cap refuse or shorten legs", async () => {
    const acct = await packagedAccount("10.00");
    const path = `/v1/accounts/${acct.id}/spend-controls`;
    expect((await api("GET", path, { token: acct.adminKey })).body).toEqual({
      maxCostPerCall: null,
      dailyCap: null,
    });

    expect(
      (await api("PUT", path, { token: acct.adminKey, body: { maxCostPerCall: "1.00" } })).body,
    ).toEqual({ maxCostPerCall: "1.00", dailyCap: null });
    const premium = await authorize(acct.id, "cap-premium", { from: N.deAccount, to: N.dePremium });
    expect(premium.body).toMatchObject({
      allowed: false,
      reason: "max_call_cost_reached",
      message: expect.any(String),
    });
    expect(
      (await authorize(acct.id, "cap-berlin", { from: N.usAccount, to: N.deFixedBerlin })).body,
    ).toMatchObject({ allowed: true, grantSeconds: 300 });
    await end(acct.id, "cap-berlin", 60);

    await api("PUT", path, {
      token: acct.adminKey,
      body: { maxCostPerCall: null, dailyCap: "0.04" },
    });
    // 0.01 spent today; 0.03 left of the cap covers three minutes, reserved for this leg.
    const first = await authorize(acct.id, "daily-1", { from: N.usAccount, to: N.deFixedBerlin });
    expect(first.body).toMatchObject({ allowed: true, grantSeconds: 180 });
    const second = await authorize(acct.id, "daily-2", { from: N.usAccount, to: N.deFixedBerlin });
    expect(second.body).toMatchObject({ allowed: false, reason: "daily_spend_cap_reached" });
    expect((await extend(acct.id, "daily-1", 180)).body).toMatchObject({
      allowed: false,
      reason: "daily_spend_cap_reached",
    });
    expect(
      (await api("PUT", path, { token: acct.agentKey, body: { dailyCap: "1.00" } })).status,
    ).toBe(403);
    expect(
      (await api("PUT", path, { token: acct.adminKey, body: { dailyCap: "-1" } })).status,
    ).toBe(400);
  });

  it("quote: what a call would cost and why, changing nothing", async () => {
    const acct = await packagedAccount("10.00");
    const quote = await api("POST", `/v1/accounts/${acct.id}/calls/quote`, {
      token: acct.agentKey,
      body: {
        userId: "user-1",
        direction: "outbound",
        from: N.usAccount,
        to: N.deFixedBerlin,
        durationSeconds: 65,
      },
    });
    expect(quote.body).toMatchObject({
      priced: true,
      billing: "credit",
      chargeReason: "number_outside_package_region",
      billedSeconds: 120,
      cost: "0.02",
      rate: { prefix: "4930" },
    });
    const included = await api("POST", `/v1/accounts/${acct.id}/calls/quote`, {
      token: SWITCH,
      body: {
        userId: "user-1",
        direction: "outbound",
        from: N.deAccount,
        to: N.deMobile,
        durationSeconds: 65,
      },
    });
    expect(included.body).toMatchObject({
      priced: true,
      billing: "included",
      includedSeconds: 65,
      cost: "0.00",
    });
    expect(await balanceOf(acct.id)).toMatchObject({ balance: "10.00", reserved: "0.00" });
    expect(await movementsOf(acct.id)).toHaveLength(1);
  });

  it("only the switch authorizes; bad input is a 400 naming the field; unknown accounts are 404", async () => {
    const acct = await packagedAccount("1.00");
    const asAdmin = await api("POST", `/v1/accounts/${acct.id}/calls/c/authorize`, {
      token: acct.adminKey,
      body: { userId: "u", direction: "outbound", from: N.deAccount, to: N.deMobile },
    });
    expect(asAdmin.status).toBe(403);
    const bad = await authorize(acct.id, "bad", {
      direction: "sideways" as "inbound",
      from: N.deAccount,
      to: N.deMobile,
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details[0].field).toBe("direction");
    expect((await extend(acct.id, "bad", -1)).body.error.details[0].field).toBe("usedSeconds");
    expect((await end(acct.id, "bad", 1.5)).body.error.details[0].field).toBe("durationSeconds");
    expect(
      (await authorize("no-such-account", "c", { from: N.deAccount, to: N.deMobile })).status,
    ).toBe(404);
    expect((await end("no-such-account", "c", 1)).status).toBe(404);
    expect(await ledger(acct.id).audit()).toMatchObject({
      reservedMicros: 0,
      legsReservedMicros: 0,
    });
  });
});
