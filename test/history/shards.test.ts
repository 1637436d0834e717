import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import {
  boundShards,
  historyDatabase,
  historyDatabaseOf,
  openShardsOf,
  recordedShardOf,
  shardForNewAccount,
} from "../../src/history/shards";
import { api, uniqueId } from "../helpers";
import { envWith } from "./helpers";

describe("shard choice", () => {
  it.each([
    ["acme", [0], 0],
    ["acme", [0, 1, 2, 3], 3],
    ["acme", [3, 1, 2, 0], 3],
    ["demo", [0, 1, 2, 3], 2],
    ["demo", [0, 1], 0],
    ["acct-0001", [0, 1, 2, 3], 2],
    ["acct-0001", [4, 5], 4],
  ])("%s over %j is shard %i, whatever the order the shards are listed in", (id, open, shard) => {
    expect(shardForNewAccount(id, open)).toBe(shard);
  });

  it("spreads many accounts evenly over the shards", () => {
    const counts = [0, 0, 0, 0];
    for (let i = 0; i < 40_000; i++) {
      const shard = shardForNewAccount(`acct-${i}`, [0, 1, 2, 3]);
      counts[shard] = (counts[shard] ?? 0) + 1;
    }
    for (const n of counts) expect(Math.abs(n - 10_000)).toBeLessThan(400);
  });

  it("needs a shard open to new accounts, and every open shard bound", () => {
    expect(() => shardForNewAccount("acme", [])).toThrow("no history shard");
    expect(openShardsOf(envWith({ HISTORY_SHARDS_FOR_NEW_ACCOUNTS: "" }))).toEqual([0]);
    expect(openShardsOf(env)).toEqual([0, 1, 2, 3]);
    expect(() => openShardsOf(envWith({ HISTORY_SHARDS_FOR_NEW_ACCOUNTS: "0,7" }))).toThrow(
      "HISTORY_7",
    );
    expect(() => historyDatabase(env, -1)).toThrow(RangeError);
    expect(boundShards(env)).toEqual([0, 1, 2, 3]);
    expect(historyDatabase(env, 0)).toBe(env.DB);
    expect(historyDatabase(env, 2)).toBe(env.HISTORY_2);
  });

  it("is recorded on the account at creation, and opening more shards later moves no account", async () => {
    const id = uniqueId();
    const body = { id, name: "Shard", currency: "EUR", email: `${id}@example.test` };
    expect((await api("POST", "/v1/accounts", { body })).status).toBe(201);
    const recorded = await recordedShardOf(env, id);
    expect(recorded).toBe(shardForNewAccount(id, [0, 1, 2, 3]));

    // Whatever shards are open to new accounts later, the account's history stays where it is.
    for (const open of ["0", "3", "1,2"]) {
      const later = envWith({ HISTORY_SHARDS_FOR_NEW_ACCOUNTS: open });
      expect(await historyDatabaseOf(later, id)).toBe(historyDatabase(env, recorded as number));
    }
    expect((await api("POST", "/v1/accounts", { body })).status).toBe(200);
    expect(await recordedShardOf(env, id)).toBe(recorded);
    expect(await recordedShardOf(env, "no-such-account")).toBeNull();
    await expect(historyDatabaseOf(env, "no-such-account")).rejects.toThrow("no row");
  });
});
