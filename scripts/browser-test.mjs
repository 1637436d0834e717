#!/usr/bin/env node
// Browser tests of the Billing page: starts the dev server (`scripts/dev.mjs`) on a free port
// with a fresh local state, waits until the demo account answers, runs test-browser/ with
// node's test runner against it, and stops the server. Screenshots go to
// test-results/screenshots/. Needs Chromium at /usr/bin/chromium (or CHROMIUM_PATH).
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

const ROOT = new URL("..", import.meta.url).pathname;
const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const DEMO_KEY = "ck_dev_demo_admin_0000000000000000000000000000";
/** Wrangler's first start compiles the worker; a slow CI machine needs this long. */
const SERVER_START_TIMEOUT_MS = 180_000;

if (!existsSync(CHROMIUM)) {
  console.error(
    `Chromium is not at ${CHROMIUM}. Install it with: apt-get update && apt-get install -y chromium`,
  );
  process.exit(1);
}

const freePort = () =>
  new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });

const port = Number(process.env.BROWSER_TEST_PORT ?? (await freePort()));
const base = `http://127.0.0.1:${port}`;
// A state of its own, so the demo account starts from its seeded 50.00 and a developer's
// local data is neither read nor changed.
const state = mkdtempSync(join(tmpdir(), "billing-browser-state-"));
const migrate = spawnSync(
  "npx",
  ["wrangler", "d1", "migrations", "apply", "DB", "--local", "--persist-to", state],
  {
    cwd: ROOT,
    stdio: ["ignore", "ignore", "inherit"],
    env: { ...process.env, CI: "true" },
  },
);
if (migrate.status !== 0) process.exit(migrate.status ?? 1);

// Screenshots of an earlier run would pass for this one's.
rmSync(join(ROOT, "test-results", "screenshots"), { recursive: true, force: true });
mkdirSync(join(ROOT, "test-results"), { recursive: true });
const serverLog = join(ROOT, "test-results", "browser-dev-server.log");
const server = spawn(
  "sh",
  [
    "-c",
    `exec node scripts/dev.mjs --persist-to "${state}" --var "PUBLIC_BASE_URL:${base}" > "${serverLog}" 2>&1`,
  ],
  { cwd: ROOT, env: { ...process.env, PORT: String(port), CI: "true" }, detached: true },
);
let serverExited = false;
server.on("exit", () => {
  serverExited = true;
});

function stopServer() {
  if (serverExited) return;
  // The dev script, wrangler and workerd form one process group, started detached for this.
  try {
    process.kill(-server.pid, "SIGTERM");
  } catch {
    // already gone
  }
}
for (const signal of ["SIGINT", "SIGTERM"])
  process.on(signal, () => {
    stopServer();
    process.exit(1);
  });

async function waitForDemo() {
  const deadline = Date.now() + SERVER_START_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (serverExited) throw new Error(`the dev server exited; see ${serverLog}`);
    try {
      const res = await fetch(`${base}/v1/accounts/demo/credit`, {
        headers: { Authorization: `Bearer ${DEMO_KEY}` },
      });
      if (res.ok) return;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(
    `the dev server did not seed the demo account within ${SERVER_START_TIMEOUT_MS / 1000} s; see ${serverLog}`,
  );
}

let exitCode = 1;
try {
  await waitForDemo();
  console.log(`dev server ready at ${base} (log: ${serverLog})`);
  const files = readdirSync(join(ROOT, "test-browser"))
    .filter((f) => f.endsWith(".test.mjs"))
    .map((f) => join("test-browser", f));
  const run = spawnSync(process.execPath, ["--test", "--test-concurrency=1", ...files], {
    cwd: ROOT,
    stdio: "inherit",
    env: { ...process.env, BILLING_BASE_URL: base, CHROMIUM_PATH: CHROMIUM },
  });
  exitCode = run.status ?? 1;
} catch (error) {
  console.error(String(error));
} finally {
  stopServer();
  rmSync(state, { recursive: true, force: true });
}
process.exit(exitCode);
