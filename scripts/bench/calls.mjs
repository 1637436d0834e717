// Call authorization benchmark: authorize → end round trips on local workerd, on one
// account and spread over 100 accounts, next to the no-op route (GET /health) measured on
// the same server in the same run. Target (issue 3): authorize→end throughput ≥ 50 % of
// the no-op route's.
//
//   node_modules/.bin/node scripts/bench/calls.mjs [--seconds 5] [--concurrency 32] [--json]
//   import { benchCalls } from "./bench/calls.mjs"; const rows = await benchCalls();
//
// Each round trip is one outbound credit leg (a US number calling Berlin under an EU
// package: reservation at authorize, movement at end) — the dearest path a call takes.
// Throughput is counted in HTTP requests per second, so an authorize and an end are two
// requests, as a no-op is one; round trips per second are printed beside them. The load
// generator shares the machine with workerd, so workerd's own CPU time per request (from
// /proc) is printed too: it does not depend on how busy the rest of the machine is.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { Agent, setGlobalDispatcher } from "undici";
import { findWorkerdPid, PROJECT_ROOT, startWorker } from "./harness.mjs";

export const TARGET_RATIO = 0.5;
const OPERATOR = "dev-operator-token";
const SWITCH = "dev-switch-token";
const ACCOUNTS_SPREAD = 100;
const OPENING_CREDIT = "100000.00";
const WARM_UP_MS = 1_000;
const EU = ["AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "ES", "FI", "FR", "GR", "HR", "HU", "IE", "IT", "LT", "LU", "LV", "MT", "NL", "PL", "PT", "RO", "SE", "SI", "SK"];

/** Runs the three scenarios and returns one row of figures each. */
export async function benchCalls({ seconds = 5, concurrency = 32, log = console.error } = {}) {
  setGlobalDispatcher(new Agent({ connections: concurrency * 2, pipelining: 1, keepAliveTimeout: 30_000 }));
  log("building and starting the Worker on local workerd…");
  const worker = await startWorker();
  try {
    const { url, workerdPid } = worker;
    log(`seeding rate decks and ${ACCOUNTS_SPREAD + 1} accounts…`);
    await seed(url);
    const durationMs = seconds * 1000;
    const rows = [];

    log(`no-op route: ${concurrency} clients for ${seconds} s…`);
    rows.push({ scenario: "no-op GET /health", ...(await drive(concurrency, durationMs, () => timed(() => get(`${url}/health`)), workerdPid)) });

    const roundTrip = (accountOf) => callRoundTrip(url, accountOf);

    log("authorize → end on one account…");
    rows.push({ scenario: "authorize→end, 1 account", ...(await drive(concurrency, durationMs, roundTrip(() => "bench-one"), workerdPid)) });
    log(`authorize → end across ${ACCOUNTS_SPREAD} accounts…`);
    rows.push({ scenario: `authorize→end, ${ACCOUNTS_SPREAD} accounts`, ...(await drive(concurrency, durationMs, roundTrip((i) => `bench-${i % ACCOUNTS_SPREAD}`), workerdPid)) });

    // Nothing may be left held once every leg has ended.
    for (const accountId of ["bench-one", "bench-0"]) {
      const credit = await get(`${url}/v1/accounts/${accountId}/credit`);
      if (credit.body.reserved !== "0.00") throw new Error(`${accountId} still holds ${credit.body.reserved}`);
    }
    const noop = rows[0];
    const ratio = (a, b) => Math.round((a / b) * 100) / 100;
    return rows.map((row) => ({
      ...row,
      ratio: ratio(row.requestsPerSecond, noop.requestsPerSecond),
      roundTripRatio: ratio(row.roundTripsPerSecond ?? row.requestsPerSecond, noop.requestsPerSecond),
      // Requests per CPU-second of workerd, against the no-op's: throughput once workerd has a core to itself.
      cpuRatio: ratio(noop.serverCpuUsPerRequest, row.serverCpuUsPerRequest),
    }));
  } finally {
    await worker.stop();
  }
}

let call = 0;
/** One outbound credit leg, authorize then end, on the account `accountOf(n)` names. */
export function callRoundTrip(url, accountOf) {
  return async () => {
    const accountId = accountOf(call);
    const callId = `bench-${call++}`;
    // A new Berlin number each time, as a switch's traffic has: nothing learnt about one
    // destination helps the next; the caller id is the account's own and recurs.
    const to = `+4930${1_000_000 + Math.floor(Math.random() * 9_000_000)}`;
    const authorize = await timed(() => post(`${url}/v1/accounts/${accountId}/calls/${callId}/authorize`, { userId: "agent-1", direction: "outbound", from: "+12025550123", to }));
    if (!authorize.body.allowed) throw new Error(`authorize refused: ${JSON.stringify(authorize.body)}`);
    const end = await timed(() => post(`${url}/v1/accounts/${accountId}/calls/${callId}/end`, { durationSeconds: 65 }));
    if (end.body.charged !== "0.02") throw new Error(`end charged ${JSON.stringify(end.body)}`);
    return { requests: 2, latenciesMs: [authorize.ms, end.ms], roundTripMs: authorize.ms + end.ms };
  };
}

/** Seeds the decks and `accounts` accounts and returns a load runner for the profiler. */
export async function callLoad(url, { accounts = 1, concurrency = 32 } = {}) {
  setGlobalDispatcher(new Agent({ connections: concurrency * 2, pipelining: 1, keepAliveTimeout: 30_000 }));
  await seed(url);
  const step = callRoundTrip(url, accounts === 1 ? () => "bench-one" : (i) => `bench-${i % accounts}`);
  return { run: (seconds) => drive(concurrency, seconds * 1000, step, findWorkerdPid()) };
}

async function seed(url) {
  await put(`${url}/v1/rates/calls`, readSample("SAMPLE_CALL_DECK_CSV"), "text/csv");
  await put(`${url}/v1/rates/services`, JSON.stringify({ stt: "0.02", "ai-voice-agents": "0.10", "conversation-intelligence": "0.03", "toll-free-inbound": "0.05" }), "application/json");
  const ids = ["bench-one", ...Array.from({ length: ACCOUNTS_SPREAD }, (_, i) => `bench-${i}`)];
  await Promise.all(
    ids.map(async (id) => {
      await operator(url, "POST", "/v1/accounts", { id, name: id, currency: "EUR", email: `${id}@example.test`, timezone: "Europe/Prague" });
      await operator(url, "POST", `/v1/accounts/${id}/adjustments`, { amount: OPENING_CREDIT, reason: "bench credit" }, { "Idempotency-Key": `bench-${id}` });
      await operator(url, "PUT", `/v1/accounts/${id}/plan`, { package: { name: "EU Domestic", destinations: EU, numberCountries: EU } });
    }),
  );
}

/** The sample deck as the app ships it, read from its source so the bench needs no build step of its own. */
function readSample(name) {
  const source = readFileSync(join(PROJECT_ROOT, "src/rating/sample-decks.ts"), "utf8");
  const match = new RegExp(`export const ${name} = \`([^\`]*)\``).exec(source);
  if (!match) throw new Error(`${name} not found in sample-decks.ts`);
  return match[1];
}

/**
 * `clients` loops run `step` back to back for `durationMs` after a warm-up; every step
 * returns its request latencies. Throughput counts what finished inside the window.
 */
export async function drive(clients, durationMs, step, workerdPid) {
  const warmUntil = performance.now() + WARM_UP_MS;
  await Promise.all(Array.from({ length: clients }, async () => {
    while (performance.now() < warmUntil) await step();
  }));
  const latenciesMs = [];
  const roundTripsMs = [];
  let requests = 0;
  const startMs = performance.now();
  const startCpuMs = cpuMs(workerdPid);
  const stopAt = startMs + durationMs;
  await Promise.all(Array.from({ length: clients }, async () => {
    while (performance.now() < stopAt) {
      const result = await step();
      requests += result.requests;
      latenciesMs.push(...result.latenciesMs);
      if (result.roundTripMs !== undefined) roundTripsMs.push(result.roundTripMs);
    }
  }));
  const elapsedS = (performance.now() - startMs) / 1000;
  const serverCpuMs = cpuMs(workerdPid) - startCpuMs;
  return {
    serverCpuUsPerRequest: Math.round((serverCpuMs * 1000) / requests),
    requests,
    requestsPerSecond: Math.round(requests / elapsedS),
    ...(roundTripsMs.length > 0 && { roundTripsPerSecond: Math.round(roundTripsMs.length / elapsedS) }),
    p50Ms: percentile(latenciesMs, 0.5),
    p99Ms: percentile(latenciesMs, 0.99),
    ...(roundTripsMs.length > 0 && { roundTripP50Ms: percentile(roundTripsMs, 0.5), roundTripP99Ms: percentile(roundTripsMs, 0.99) }),
  };
}

export async function timed(request) {
  const startMs = performance.now();
  const body = await request();
  return { requests: 1, latenciesMs: [performance.now() - startMs], ms: performance.now() - startMs, body: body.body };
}

/** CPU time (user + system) a process has used, from /proc (Linux); clock ticks are 10 ms. */
function cpuMs(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

function percentile(values, q) {
  const sorted = [...values].sort((a, b) => a - b);
  return Math.round(sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] * 100) / 100;
}

export async function get(url) {
  return answer(await fetch(url, { headers: { Authorization: `Bearer ${OPERATOR}` } }), url);
}

export async function post(url, body) {
  return answer(await fetch(url, { method: "POST", headers: { Authorization: `Bearer ${SWITCH}`, "Content-Type": "application/json" }, body: JSON.stringify(body) }), url);
}

async function put(url, body, contentType) {
  return answer(await fetch(url, { method: "PUT", headers: { Authorization: `Bearer ${OPERATOR}`, "Content-Type": contentType }, body }), url);
}

async function operator(url, method, path, body, headers = {}) {
  return answer(
    await fetch(`${url}${path}`, { method, headers: { Authorization: `Bearer ${OPERATOR}`, "Content-Type": "application/json", ...headers }, body: JSON.stringify(body) }),
    path,
  );
}

async function answer(response, what) {
  const text = await response.text();
  if (!response.ok) throw new Error(`${what} answered ${response.status}: ${text}`);
  return { status: response.status, body: text ? JSON.parse(text) : null };
}

export function formatCallsTable(rows) {
  const columns = [
    ["scenario", (r) => r.scenario],
    ["req/s", (r) => r.requestsPerSecond],
    ["round trips/s", (r) => r.roundTripsPerSecond ?? "-"],
    ["p50 ms", (r) => r.p50Ms],
    ["p99 ms", (r) => r.p99Ms],
    ["round trip p50/p99 ms", (r) => (r.roundTripP50Ms === undefined ? "-" : `${r.roundTripP50Ms} / ${r.roundTripP99Ms}`)],
    ["workerd CPU µs/req", (r) => r.serverCpuUsPerRequest],
    ["req/s vs no-op", (r) => `${Math.round(r.ratio * 100)} %`],
    ["round trips/s vs no-op", (r) => `${Math.round(r.roundTripRatio * 100)} %`],
    ["req per CPU-s vs no-op", (r) => `${Math.round(r.cpuRatio * 100)} %`],
  ];
  const cells = [columns.map(([name]) => name), ...rows.map((row) => columns.map(([, cell]) => String(cell(row))))];
  const widths = columns.map((_, i) => Math.max(...cells.map((line) => line[i].length)));
  return cells.map((line) => line.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join("  ")).join("\n");
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const args = process.argv.slice(2);
  const option = (name, fallback) => {
    const i = args.indexOf(`--${name}`);
    return i >= 0 ? Number(args[i + 1]) : fallback;
  };
  const rows = await benchCalls({ seconds: option("seconds", 5), concurrency: option("concurrency", 32) });
  if (args.includes("--json")) console.log(JSON.stringify(rows, null, 2));
  else console.log(formatCallsTable(rows));
  const worst = Math.min(...rows.slice(1).map((r) => r.ratio));
  const worstCpu = Math.min(...rows.slice(1).map((r) => r.cpuRatio));
  console.log(
    `\nauthorize→end request throughput is ${Math.round(worst * 100)} % of the no-op route's at worst ` +
      `(${Math.round(worstCpu * 100)} % per workerd CPU-second; target ≥ ${TARGET_RATIO * 100} %).`,
  );
  process.exitCode = worst >= TARGET_RATIO ? 0 : 1;
}
