import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { forgetNumbers, NUMBER_CACHE_TTL_MS, numberOwner } from "../../src/numbers/cache";
import { assignNumbers } from "../../src/numbers/directory";
import { accountNumberOf } from "../../src/numbers/call-owner";
import { newAccount } from "../helpers";

/** The directory's D1 with a count of the statements prepared on it. */
function countingDb(): { db: D1Database; queries: () => number } {
  let queries = 0;
  const db = new Proxy(env.DB, {
    get(target, name) {
      if (name === "prepare") {
        return (sql: string) => {
          queries++;
          return target.prepare(sql);
        };
      }
      const value = Reflect.get(target, name);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
  return { db, queries: () => queries };
}

describe("accountNumberOf: which number is the account's", () => {
  it.each([
    ["inbound", "+33123456789", "+4930123456", "+4930123456"],
    ["outbound", "+4930123456", "+33123456789", "+4930123456"],
  ] as const)("%s from %s to %s: %s", (direction, from, to, expected) => {
    expect(accountNumberOf({ direction, from, to })).toBe(expected);
  });
});

describe("numberOwner: the isolate cache of the directory", () => {
  it("asks D1 once per number within the TTL, again after it, and at once when forgotten", async () => {
    const acct = await newAccount();
    await assignNumbers(env.DB, acct.id, ["+4930123460"], Date.now());
    const { db, queries } = countingDb();
    const nowMs = Date.now();
    expect(await numberOwner(db, "+4930123460", nowMs)).toEqual({
      accountId: acct.id,
      region: null,
    });
    expect(queries()).toBe(1);
    // Warm: answered without a promise, so without any I/O.
    expect(numberOwner(db, "+4930123460", nowMs + 1_000)).toEqual({
      accountId: acct.id,
      region: null,
    });
    expect(queries()).toBe(1);
    await numberOwner(db, "+4930123460", nowMs + NUMBER_CACHE_TTL_MS + 1_000);
    expect(queries()).toBe(2);
    forgetNumbers(["+4930123460"]);
    await numberOwner(db, "+4930123460");
    expect(queries()).toBe(3);
  });

  it("remembers that no account holds a number, too", async () => {
    const { db, queries } = countingDb();
    expect(await numberOwner(db, "+4930123469")).toBeNull();
    expect(numberOwner(db, "+4930123469")).toBeNull();
    expect(queries()).toBe(1);
  });
});
