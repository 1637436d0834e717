import { describe, expect, it } from "vitest";
import { send } from "./contract";

describe("billing assets", () => {
  // Found by fuzz.test.ts: the asset table was read through Object's prototype, so these
  // names found a function and the route answered 500.
  it("an asset name that is a property of Object.prototype is a 404, not a 500", async () => {
    for (const name of ["constructor", "__proto__", "toString", "valueOf", "hasOwnProperty"]) {
      const answer = await send("GET", `/billing/assets/${name}`, { token: null });
      expect(answer.status, name).toBe(404);
    }
  });
});
