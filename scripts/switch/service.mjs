// The credit service for the switch e2e: `wrangler dev` on 127.0.0.1 with every binding
// local and a state folder of its own, which survives a stop and a start (the "service
// stopped mid-call" scenario), and a small client of its public API.
import { spawn, spawnSync } from "node:child_process";
import { openSync } from "node:fs";

const ROOT = new URL("../..", import.meta.url).pathname;
/** Wrangler's first start compiles the worker; a slow CI machine needs this long. */
const START_TIMEOUT_MS = 180_000;
export const OPERATOR_TOKEN = "dev-operator-token";
export const SWITCH_TOKEN = "dev-switch-token";
/**
 * Nothing may reach the internet at test time: no telemetry, no `Request.cf` download
 * (workers.cloudflare.com), and no banner, whose update check asks registry.npmjs.org.
 */
const OFFLINE = {
  ...process.env,
  CI: "true",
  WRANGLER_SEND_METRICS: "false",
  CLOUDFLARE_CF_FETCH_ENABLED: "false",
  WRANGLER_HIDE_BANNER: "true",
};

export class CreditService {
  constructor({ port, state, log }) {
    this.port = port;
    this.state = state;
    this.log = log;
    this.base = `http://127.0.0.1:${port}`;
    this.process = null;
  }

  migrate() {
    const run = spawnSync(
      "npx",
      ["wrangler", "d1", "migrations", "apply", "DB", "--local", "--persist-to", this.state],
      { cwd: ROOT, stdio: ["ignore", "ignore", "inherit"], env: OFFLINE },
    );
    if (run.status !== 0) throw new Error("applying the D1 migrations failed");
  }

  async start() {
    const out = openSync(this.log, "a");
    // Its own process group, so wrangler and workerd stop together.
    this.process = spawn(
      "npx",
      ["wrangler", "dev", "--port", String(this.port), "--ip", "127.0.0.1"].concat([
        "--persist-to",
        this.state,
        "--show-interactive-dev-session=false",
      ]),
      {
        cwd: ROOT,
        stdio: ["ignore", out, out],
        detached: true,
        env: OFFLINE,
      },
    );
    const exited = new Promise((resolve) => this.process.once("exit", resolve));
    const deadline = Date.now() + START_TIMEOUT_MS;
    while (Date.now() < deadline) {
      const gone = await Promise.race([exited.then(() => true), sleep(300).then(() => false)]);
      if (gone) throw new Error(`the service exited while starting; see ${this.log}`);
      try {
        if ((await fetch(`${this.base}/health`)).ok) return;
      } catch {
        // not up yet
      }
    }
    throw new Error(`the service did not answer within ${START_TIMEOUT_MS / 1000} s`);
  }

  async stop() {
    const child = this.process;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once("exit", resolve));
    try {
      process.kill(-child.pid, "SIGTERM");
    } catch {
      return;
    }
    const late = setTimeout(() => {
      try {
        process.kill(-child.pid, "SIGKILL");
      } catch {
        // already gone
      }
    }, 5_000);
    await exited;
    clearTimeout(late);
    // workerd may outlive its parent for a moment; wait until the port is free.
    for (let i = 0; i < 50; i++) {
      try {
        await fetch(`${this.base}/health`);
        await sleep(100);
      } catch {
        break;
      }
    }
    this.process = null;
  }

  /** One request; throws on an error answer unless `allowErrors`, then answers {status, body}. */
  async call(
    method,
    path,
    { body, token = OPERATOR_TOKEN, contentType, headers = {}, allowErrors = false } = {},
  ) {
    const init = { method, headers: { Authorization: `Bearer ${token}`, ...headers } };
    if (body !== undefined) {
      init.body = typeof body === "string" ? body : JSON.stringify(body);
      init.headers["Content-Type"] = contentType ?? "application/json";
    }
    const res = await fetch(`${this.base}${path}`, init);
    const text = await res.text();
    let parsed = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      // not JSON
    }
    if (allowErrors) return { status: res.status, body: parsed };
    if (!res.ok) throw new Error(`${method} ${path} answered ${res.status}: ${text}`);
    return parsed;
  }
}

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
