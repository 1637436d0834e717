import { exports, env } from "cloudflare:workers";
import { it, expect } from "vitest";
it("works", async () => {
  const r = await exports.default.fetch("http://x/health");
  expect(await r.json()).toEqual({ ok: true, p: "pong" });
  const row = await env.DB.prepare("select count(*) as n from accounts").first();
  expect(row).toEqual({ n: 0 });
});
