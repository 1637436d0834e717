import { describe, expect, it } from "vitest";
import { api } from "../helpers";
import { authorize, N } from "./helpers";

describe("dev seed", () => {
  it("uploads the sample decks and the demo plan through the API, and can run again", async () => {
    const first = await api("POST", "/dev/seed");
    expect(first.status, JSON.stringify(first.body)).toBe(200);
    expect(first.body).toMatchObject({
      plan: "EU Domestic",
      rateDecks: { calls: "calls-1", messages: "messages-1", services: "services-1" },
    });
    // The demo comes with a morning of traffic: charges from credit and package minutes.
    const usage = await api("GET", "/v1/accounts/demo/usage");
    const categories = (usage.body.spend as Array<{ category: string }>).map((s) => s.category);
    expect(categories).toEqual(expect.arrayContaining(["call", "sms", "stt"]));
    const charged = await api("GET", "/v1/accounts/demo/movements?limit=500");
    const before = charged.body.movements.length;
    expect(before).toBeGreaterThan(3);

    const again = await api("POST", "/dev/seed");
    expect(again.body.rateDecks).toEqual(first.body.rateDecks);
    // Seeding again answers the same and charges nothing twice.
    expect((await api("GET", "/v1/accounts/demo/movements?limit=500")).body.movements).toHaveLength(
      before,
    );

    const included = await authorize("demo", "demo-call-1", { from: N.deAccount, to: N.deMobile });
    expect(included.body).toMatchObject({ allowed: true, billing: "included" });
    const credit = await authorize("demo", "demo-call-2", { from: N.deAccount, to: N.usFixed });
    expect(credit.body).toMatchObject({
      allowed: true,
      billing: "credit",
      chargeReason: "destination_not_in_package",
    });
  });
});
