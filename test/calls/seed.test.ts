import { describe, expect, it } from "vitest";
import { api } from "../helpers";
import { authorize, N } from "./helpers";

describe("dev seed", () => {
  it("uploads the sample decks and the demo plan through the API, and can run again", async () => {
    const first = await api("POST", "/dev/seed");
    expect(first.status, JSON.stringify(first.body)).toBe(200);
    expect(first.body).toMatchObject({ plan: "EU Domestic", rateDecks: { calls: "calls-1", messages: "messages-1", services: "services-1" } });
    const again = await api("POST", "/dev/seed");
    expect(again.body.rateDecks).toEqual(first.body.rateDecks);

    const included = await authorize("demo", "demo-call-1", { from: N.deAccount, to: N.deMobile });
    expect(included.body).toMatchObject({ allowed: true, billing: "included" });
    const credit = await authorize("demo", "demo-call-2", { from: N.deAccount, to: N.usFixed });
    expect(credit.body).toMatchObject({ allowed: true, billing: "credit", chargeReason: "destination_not_in_package" });
  });
});
