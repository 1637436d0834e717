#!/usr/bin/env node
// Local development: applies the D1 migrations to the local databases, starts
// `wrangler dev` with every binding local (Durable Objects, D1, R2, Queues on workerd),
// seeds the demo account through the API once it answers, and prints how to use it.
import { spawn, spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";

const PORT = Number(process.env.PORT ?? 8787);
const BASE = `http://localhost:${PORT}`;
const OPERATOR = "dev-operator-token";
const wrangler = (args, opts) => spawn("npx", ["wrangler", ...args], { stdio: "inherit", ...opts });

// The main database (history shard 0) and every history shard wrangler.toml binds
// (HISTORY_1, HISTORY_2, …), each from its own migrations_dir.
const historyShards = [
  ...readFileSync(new URL("../wrangler.toml", import.meta.url), "utf8").matchAll(
    /^binding = "(HISTORY_\d+)"$/gm,
  ),
].map((match) => match[1]);
// A state directory given to wrangler dev (`--persist-to`) is the one to migrate.
const persistAt = process.argv.indexOf("--persist-to");
const persist = persistAt >= 0 ? ["--persist-to", process.argv[persistAt + 1]] : [];
for (const database of ["DB", ...historyShards]) {
  const apply = ["wrangler", "d1", "migrations", "apply", database, "--local", ...persist];
  const migrate = spawnSync("npx", apply, {
    stdio: "inherit",
    env: { ...process.env, CI: "true" },
  });
  if (migrate.status !== 0) process.exit(migrate.status ?? 1);
}

const dev = wrangler([
  "dev",
  "--port",
  String(PORT),
  "--ip",
  "127.0.0.1",
  ...process.argv.slice(2),
]);
for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => dev.kill(signal));
dev.on("exit", (code) => process.exit(code ?? 0));

async function waitForHealth() {
  for (let i = 0; i < 300; i++) {
    try {
      const res = await fetch(`${BASE}/health`);
      if (res.ok) return;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error("the dev server did not answer /health within a minute");
}

try {
  await waitForHealth();
  const res = await fetch(`${BASE}/dev/seed`, {
    method: "POST",
    headers: { Authorization: `Bearer ${OPERATOR}` },
  });
  if (!res.ok) throw new Error(`seeding failed: ${res.status} ${await res.text()}`);
  const demo = await res.json();
  console.log(`
  Credit service running at ${BASE}
  Billing page     ${BASE}/billing   (sign in with the admin key below)
  API reference    ${BASE}/docs

  Demo account     ${demo.accountId}
  Admin key        ${demo.adminKey}
  Agent key        ${demo.agentKey}
  Operator token   ${demo.operatorToken}
  Switch token     ${demo.switchToken}

  Try:  curl -H "Authorization: Bearer ${demo.adminKey}" ${BASE}/v1/accounts/${demo.accountId}/credit
`);
} catch (error) {
  console.error(String(error));
  dev.kill("SIGTERM");
  process.exitCode = 1;
}
