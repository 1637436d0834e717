// The real-time path under load, on local workerd: every figure beside the no-op route
// (GET /health) and a no-op ledger RPC measured on the same server in the same run.
// Targets (issues 3 and 7): authorize→end on one hot account at ≥ 50 % of the no-op
// route's throughput with p99 under 4× the no-op's; across many accounts throughput
// follows the cores in use (scaling.mjs).
//
//   node_modules/.bin/node scripts/bench/calls.mjs [--seconds 5] [--concurrency 32] [--accounts 1000] [--state memory|disk] [--json]
//   import { benchCalls } from "./bench/calls.mjs"; const { rows } = await benchCalls();
//
// The load is sent to the Worker's own socket on workerd (harness.mjs `direct`), not
// through Miniflare's entry worker nor wrangler dev's proxy. Throughput counts requests
// (an authorize and an end are two, as a no-op is one); round trips are printed beside.
// The load generator shares the machine with workerd, so workerd's own CPU time per
// request (from /proc) is printed too: it does not depend on how busy the machine is.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { Agent, setGlobalDispatcher } from "undici";
import { meterRows } from "./cost.mjs";
import { historyDatabaseOf, PROJECT_ROOT, startWorker } from "./harness.mjs";

export const TARGET_RATIO = 0.5;
export const TARGET_P99_MULTIPLE = 4;
/**
 * Client counts of the capacity sweep. At 32 clients the call path is bound by latency
 * (a request waits for its account's batch while workerd has idle time), so the no-op and
 * authorize→end are also each driven at every one of these, and their best are compared.
 */
export const CAPACITY_CLIENTS = [32, 64, 128, 256];
const OPERATOR = "dev-operator-token";
const SWITCH = "dev-switch-token";
const OPENING_CREDIT = "100000.00";
const WARM_UP_MS = 1_000;
const SEED_PARALLELISM = 16;
const DRAIN_MOVEMENTS = 20_000;
const EU = [
  "AT",
  "BE",
  "BG",
  "CY",
  "CZ",
  "DE",
  "DK",
  "EE",
  "ES",
  "FI",
  "FR",
  "GR",
  "HR",
  "HU",
  "IE",
  "IT",
  "LT",
  "LU",
  "LV",
  "MT",
  "NL",
  "PL",
  "PT",
  "RO",
  "SE",
  "SI",
  "SK",
];
const CALLER_ID = "+12025550123";
/** A Berlin caller id: inside the EU package's number region, so a call to Berlin is included. */
const INCLUDED_CALLER_ID = "+493055501234";

/**
 * Where workerd keeps its SQLite files. "memory" (tmpfs) by default: local workerd writes
 * each commit to its files on its one thread, so on disk the figure is this VM's flush
 * latency more than the service; "disk" measures that too.
 */
export function stateDir(state) {
  const base = state === "memory" && process.platform === "linux" ? "/dev/shm" : undefined;
  return mkdtempSync(join(base ?? (process.env.TMPDIR || "/tmp"), "credit-bench-state-"));
}

/** Runs every scenario on one server; returns { rows, capacity, drain, … }. */
export async function benchCalls({
  seconds = 5,
  concurrency = 32,
  accounts = 1000,
  state = "memory",
  capacityClients = CAPACITY_CLIENTS,
  log = console.error,
} = {}) {
  setGlobalDispatcher(
    new Agent({
      connections: Math.max(concurrency, ...capacityClients) * 2,
      pipelining: 1,
      keepAliveTimeout: 30_000,
    }),
  );
  log(`building and starting the Worker on local workerd (state in ${state})…`);
  const persistDir = stateDir(state);
  const worker = await startWorker({ direct: true, probe: true, persistDir });
  try {
    const url = worker.directUrl;
    const pid = worker.workerdPid;
    log(`seeding rate decks and ${accounts + 3} accounts…`);
    const spread = Array.from({ length: accounts }, (_, i) => `bench-${i}`);
    await seed(worker.url, ["bench-one", "bench-rpc", "bench-drain", ...spread]);
    // The opening credits' copies to D1 would otherwise land in whichever row runs 30 s later.
    await flushLedgers(worker, ["bench-one", "bench-rpc", "bench-drain", ...spread]);
    const decks = await activeDecks(worker.mf);
    const durationMs = seconds * 1000;
    // A row that made movements ends by copying them to D1 (which the outbox would do within
    // half a minute, during some later row): its time and CPU count in the row's figures.
    const run = async (scenario, step, madeMovementsIn = [], clients = concurrency) => {
      log(`${scenario}: ${clients} clients for ${seconds} s…`);
      const settle = () => flushLedgers(worker, madeMovementsIn);
      return { scenario, clients, ...(await drive(clients, durationMs, step, pid, settle)) };
    };
    const noopStep = () => timed(() => request("GET", `${url}/health`));
    const hotCallStep = callSteps(url, () => "bench-one", { extend: false });

    const rows = [];
    rows.push(await run("no-op route GET /health", noopStep));
    rows.push(
      await run("no-op ledger RPC", () => timed(() => ledgerRpc(worker.probeUrl, "bench-rpc", []))),
    );
    rows.push(
      await run(
        "ledger RPC: one authorize, then one end",
        ledgerDecisions(worker.probeUrl, "bench-rpc", decks),
        ["bench-rpc"],
      ),
    );
    rows.push(await run("authorize→end, 1 account", hotCallStep, ["bench-one"]));
    rows.push(
      await run(
        "authorize→extend→end, 1 account",
        callSteps(url, () => "bench-one", { extend: true }),
        ["bench-one"],
      ),
    );
    rows.push(
      await run(
        `authorize→extend→end, ${accounts} accounts`,
        callSteps(url, (n) => spread[n % accounts], { extend: true }),
        spread,
      ),
    );
    rows.push(await run("message charge, 1 account", messageStep(url, "bench-one"), ["bench-one"]));
    // Once more at the end: the faster of the two no-op runs is the reference (the stricter one).
    rows.push(await run("no-op route GET /health, again", noopStep));
    // Each at every client count, side by side, so a drift of the machine hits both alike.
    const capacity = [];
    for (const clients of capacityClients) {
      capacity.push({
        clients,
        noop: await run("no-op route GET /health", noopStep, [], clients),
        call: await run("authorize→end, 1 account", hotCallStep, ["bench-one"], clients),
      });
    }

    // Nothing may be left held once every leg has ended.
    for (const accountId of ["bench-one", "bench-rpc", spread[0]]) {
      const credit = await request("GET", `${url}/v1/accounts/${accountId}/credit`, {
        token: OPERATOR,
      });
      if (credit.body.reserved !== "0.00")
        throw new Error(`${accountId} still holds ${credit.body.reserved}`);
    }
    log(`outbox drain: ${DRAIN_MOVEMENTS} movements from one ledger to D1…`);
    const drain = await outboxDrain(worker, decks);
    log("rows each operation reads and writes in its ledger…");
    const ledgerRows = await meterRows(worker, url, "bench-one");

    const noop = [rows[0], rows.at(-1)].reduce((a, b) =>
      b.requestsPerSecond > a.requestsPerSecond ? b : a,
    );
    const noopRpc = rows[1];
    const ratio = (a, b) => Math.round((a / b) * 100) / 100;
    return {
      state,
      rows: rows.map((row) => ({
        ...row,
        ratio: ratio(row.requestsPerSecond, noop.requestsPerSecond),
        rpcRatio: ratio(row.requestsPerSecond, noopRpc.requestsPerSecond),
        p99Multiple: ratio(row.p99Ms, noop.p99Ms),
        // Requests per CPU-second of workerd, against the no-op's: throughput once workerd has a core to itself.
        cpuRatio: ratio(noop.serverCpuUsPerRequest, row.serverCpuUsPerRequest),
      })),
      inLedgerUsPerCommand: rows[2].serverCpuUsPerRequest - noopRpc.serverCpuUsPerRequest,
      capacity,
      drain,
      ledgerRows,
    };
  } finally {
    await worker.stop();
    rmSync(persistDir, { recursive: true, force: true });
  }
}

/** Accounts with credit and an EU package, created through the API as a customer's would be. */
export async function seed(url, ids) {
  await request("PUT", `${url}/v1/rates/calls`, {
    token: OPERATOR,
    text: readSample("SAMPLE_CALL_DECK_CSV"),
    contentType: "text/csv",
  });
  await request("PUT", `${url}/v1/rates/messages`, {
    token: OPERATOR,
    text: readSample("SAMPLE_MESSAGE_DECK_CSV"),
    contentType: "text/csv",
  });
  await request("PUT", `${url}/v1/rates/services`, {
    token: OPERATOR,
    body: {
      stt: "0.02",
      "ai-voice-agents": "0.10",
      "conversation-intelligence": "0.03",
      "toll-free-inbound": "0.05",
    },
  });
  const queue = [...ids];
  await Promise.all(
    Array.from({ length: SEED_PARALLELISM }, async () => {
      for (let id = queue.shift(); id !== undefined; id = queue.shift()) {
        await request("POST", `${url}/v1/accounts`, {
          token: OPERATOR,
          body: {
            id,
            name: id,
            currency: "EUR",
            email: `${id}@example.test`,
            timezone: "Europe/Prague",
          },
        });
        await request("POST", `${url}/v1/accounts/${id}/adjustments`, {
          token: OPERATOR,
          body: { amount: OPENING_CREDIT, reason: "bench credit" },
          headers: { "Idempotency-Key": `bench-${id}` },
        });
        await request("PUT", `${url}/v1/accounts/${id}/plan`, {
          token: OPERATOR,
          body: { package: { name: "EU Domestic", destinations: EU, numberCountries: EU } },
        });
      }
    }),
  );
}

let sequence = 0;
/** A new Berlin number each time, as a switch's traffic has; the caller id is the account's own and recurs. */
const berlin = () => `+4930${1_000_000 + Math.floor(Math.random() * 9_000_000)}`;
const germanMobile = () => `+49151${10_000_000 + Math.floor(Math.random() * 89_999_999)}`;

/**
 * One outbound credit leg (a US caller id calling Berlin under an EU package: outside the
 * package's number region, so a reservation at authorize and a movement at end) — the
 * dearest path a call takes. With `extend`, the switch re-asks once half-way; with
 * `included`, the caller id is a Berlin number, so the package covers the call. The step
 * takes an account id, or asks `accountOf` for one.
 */
export function callSteps(url, accountOf, { extend, included = false }) {
  return async (chosenAccountId) => {
    const n = sequence++;
    const accountId = chosenAccountId ?? accountOf(n);
    const leg = `${url}/v1/accounts/${accountId}/calls/bench-${n}`;
    const latenciesMs = [];
    const authorize = await timed(() =>
      request("POST", `${leg}/authorize`, {
        body: {
          userId: "agent-1",
          direction: "outbound",
          from: included ? INCLUDED_CALLER_ID : CALLER_ID,
          to: berlin(),
        },
      }),
    );
    if (!authorize.body.allowed)
      throw new Error(`authorize refused: ${JSON.stringify(authorize.body)}`);
    latenciesMs.push(authorize.ms);
    if (extend) {
      const extended = await timed(() =>
        request("POST", `${leg}/extend`, { body: { usedSeconds: 30 } }),
      );
      if (!extended.body.allowed)
        throw new Error(`extend refused: ${JSON.stringify(extended.body)}`);
      latenciesMs.push(extended.ms);
    }
    const end = await timed(() => request("POST", `${leg}/end`, { body: { durationSeconds: 65 } }));
    if (end.body.charged !== (included ? "0.00" : "0.02"))
      throw new Error(`end charged ${JSON.stringify(end.body)}`);
    latenciesMs.push(end.ms);
    return {
      requests: latenciesMs.length,
      latenciesMs,
      roundTripMs: latenciesMs.reduce((a, b) => a + b, 0),
    };
  };
}

export function messageStep(url, accountId) {
  return async () => {
    const charge = await timed(() =>
      request("POST", `${url}/v1/accounts/${accountId}/messages/bench-msg-${sequence++}`, {
        body: { channel: "sms", to: germanMobile(), fragments: 1 },
      }),
    );
    if (charge.body.charged !== "0.075")
      throw new Error(`message charged ${JSON.stringify(charge.body)}`);
    return charge;
  };
}

/** Authorize then end of one leg, each alone in a ledger RPC (no batching): the ledger's own cost per command. */
function ledgerDecisions(probeUrl, accountId, decks) {
  return async () => {
    const n = sequence++;
    const key = { callId: `rpc-${n}`, leg: "primary" };
    const command = {
      ...key,
      userId: "agent-1",
      direction: "outbound",
      from: CALLER_ID,
      to: berlin(),
    };
    const authorize = await timed(() =>
      ledgerRpc(probeUrl, accountId, [{ kind: "authorize", command, decks }]),
    );
    if (!authorize.body[0]?.ok || !authorize.body[0].value.allowed)
      throw new Error(`authorize: ${JSON.stringify(authorize.body)}`);
    const end = await timed(() =>
      ledgerRpc(probeUrl, accountId, [{ kind: "end", command: { ...key, durationSeconds: 65 } }]),
    );
    if (end.body[0]?.value?.chargedMicros !== 20_000)
      throw new Error(`end: ${JSON.stringify(end.body)}`);
    return { requests: 2, latenciesMs: [authorize.ms, end.ms] };
  };
}

/**
 * Movements copied from one ledger to D1 per second: the ledger is filled with message
 * charges (64 per RPC) faster than its alarm copies them, then asked to copy the rest at
 * once (as an export does), counting the rows that reach D1.
 */
async function outboxDrain(worker, decks) {
  const accountId = "bench-drain";
  for (let sent = 0; sent < DRAIN_MOVEMENTS; sent += 64) {
    const commands = Array.from({ length: 64 }, (_, i) => ({
      kind: "message",
      command: {
        messageId: `drain-${sent + i}`,
        channel: "sms",
        to: germanMobile(),
        fragments: 1,
        userId: null,
        requestHash: `h${sent + i}`,
      },
      decks,
    }));
    const outcomes = (await ledgerRpc(worker.probeUrl, accountId, commands)).body;
    if (!outcomes.every((o) => o.ok))
      throw new Error(`drain seeding: ${JSON.stringify(outcomes.find((o) => !o.ok))}`);
  }
  const db = await historyDatabaseOf(worker.mf, accountId);
  const count = async () =>
    (
      await db
        .prepare("SELECT count(*) AS n FROM movements WHERE account_id = ?")
        .bind(accountId)
        .first()
    ).n;
  const before = await count();
  const startMs = performance.now();
  await worker.flushLedger(accountId);
  const elapsedS = (performance.now() - startMs) / 1000;
  const copied = (await count()) - before;
  return {
    movements: copied,
    seconds: Math.round(elapsedS * 100) / 100,
    rowsPerSecond: Math.round(copied / elapsedS),
  };
}

/** The decks in force as D1 has them, in the shape the Worker sends to the ledger. */
export async function activeDecks(mf) {
  const db = await mf.getD1Database("DB");
  const { results } = await db
    .prepare("SELECT kind, deck_id, version FROM rate_decks_active")
    .all();
  const decks = { calls: null, messages: null, services: null };
  for (const row of results)
    decks[row.kind] = { deckId: row.deck_id, version: `${row.kind}-${row.version}` };
  return decks;
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
 * returns its request latencies. Throughput counts what finished inside the window;
 * `settle` runs after the clients stop, inside the measured time and CPU. `pids` are the
 * workerd processes whose CPU time is counted.
 */
export async function drive(clients, durationMs, step, pids, settle = async () => {}) {
  const workerds = [pids].flat();
  const warmUntil = performance.now() + WARM_UP_MS;
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (performance.now() < warmUntil) await step();
    }),
  );
  const latenciesMs = [];
  const roundTripsMs = [];
  let requests = 0;
  const startMs = performance.now();
  const startCpuMs = workerds.map(cpuMs);
  const startClientCpu = process.cpuUsage();
  const stopAt = startMs + durationMs;
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (performance.now() < stopAt) {
        const result = await step();
        requests += result.requests;
        latenciesMs.push(...result.latenciesMs);
        if (result.roundTripMs !== undefined) roundTripsMs.push(result.roundTripMs);
      }
    }),
  );
  await settle();
  const elapsedS = (performance.now() - startMs) / 1000;
  const serverCpuMs = workerds.reduce((sum, pid, i) => sum + cpuMs(pid) - startCpuMs[i], 0);
  const clientCpu = process.cpuUsage(startClientCpu);
  return {
    serverCpuUsPerRequest: Math.round((serverCpuMs * 1000) / requests),
    coresInUse: Math.round((serverCpuMs / 1000 / elapsedS) * 100) / 100,
    // The load generator's own share of the machine (it runs beside workerd).
    clientCores: Math.round(((clientCpu.user + clientCpu.system) / 1e6 / elapsedS) * 100) / 100,
    requests,
    requestsPerSecond: Math.round(requests / elapsedS),
    ...(roundTripsMs.length > 0 && {
      roundTripsPerSecond: Math.round(roundTripsMs.length / elapsedS),
    }),
    p50Ms: percentile(latenciesMs, 0.5),
    p99Ms: percentile(latenciesMs, 0.99),
  };
}

export async function timed(send) {
  const startMs = performance.now();
  const answer = await send();
  const ms = performance.now() - startMs;
  return { requests: 1, latenciesMs: [ms], ms, body: answer.body };
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

/** One request; the switch's token unless told otherwise. Any non-2xx answer throws. */
export async function request(
  method,
  url,
  { token = SWITCH, body, text, contentType = "application/json", headers = {} } = {},
) {
  const payload = text ?? (body === undefined ? undefined : JSON.stringify(body));
  const response = await fetch(url, {
    method,
    headers: {
      Authorization: `Bearer ${token}`,
      ...(payload !== undefined && { "Content-Type": contentType }),
      ...headers,
    },
    body: payload,
  });
  const answer = await response.text();
  if (!response.ok) throw new Error(`${method} ${url} answered ${response.status}: ${answer}`);
  return { status: response.status, body: answer ? JSON.parse(answer) : null };
}

/** Has each ledger copy its pending movements to D1 now (through the probe), a few at a time. */
export async function flushLedgers(worker, accountIds) {
  const queue = [...accountIds];
  await Promise.all(
    Array.from({ length: SEED_PARALLELISM }, async () => {
      for (let id = queue.shift(); id !== undefined; id = queue.shift())
        await worker.flushLedger(id);
    }),
  );
}

export const ledgerRpc = (probeUrl, accountId, commands) =>
  request("POST", `${probeUrl}/run?account=${accountId}`, { body: commands });

export function formatCallsTable(rows) {
  const columns = [
    ["scenario", (r) => r.scenario],
    ["req/s", (r) => r.requestsPerSecond],
    ["round trips/s", (r) => r.roundTripsPerSecond ?? "-"],
    ["p50 ms", (r) => r.p50Ms],
    ["p99 ms", (r) => r.p99Ms],
    ["workerd CPU µs/req", (r) => r.serverCpuUsPerRequest],
    ["req/s vs no-op route*", (r) => `${Math.round(r.ratio * 100)} %`],
    ["req/s vs no-op RPC", (r) => `${Math.round(r.rpcRatio * 100)} %`],
    ["p99 vs no-op route", (r) => `${r.p99Multiple}×`],
    ["req per CPU-s vs no-op route", (r) => `${Math.round(r.cpuRatio * 100)} %`],
  ];
  return table(columns, rows);
}

export function table(columns, rows) {
  const cells = [
    columns.map(([name]) => name),
    ...rows.map((row) => columns.map(([, cell]) => String(cell(row)))),
  ];
  const widths = columns.map((_, i) => Math.max(...cells.map((line) => line[i].length)));
  return cells
    .map((line) =>
      line
        .map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i])))
        .join("  "),
    )
    .join("\n");
}

/** The capacity sweep: the no-op and authorize→end on one account at each client count. */
export function formatCapacityTable(capacity) {
  const columns = [
    ["clients", (r) => r.clients],
    ["no-op req/s", (r) => r.noop.requestsPerSecond],
    ["no-op p99 ms", (r) => r.noop.p99Ms],
    ["no-op CPU µs/req", (r) => r.noop.serverCpuUsPerRequest],
    ["authorize→end req/s", (r) => r.call.requestsPerSecond],
    ["authorize→end p99 ms", (r) => r.call.p99Ms],
    ["authorize→end CPU µs/req", (r) => r.call.serverCpuUsPerRequest],
    ["workerd cores (no-op / call)", (r) => `${r.noop.coresInUse} / ${r.call.coresInUse}`],
  ];
  return table(columns, capacity);
}

/**
 * The targets on one hot account, judged on capacity: each side's best throughput over the
 * sweep, and p99 at the client count where authorize→end peaks against the no-op's there.
 */
function capacityVerdict(capacity) {
  const best = (side) =>
    capacity.reduce((a, b) => (b[side].requestsPerSecond > a[side].requestsPerSecond ? b : a));
  const noopPeak = best("noop");
  const callPeak = best("call");
  const ratio = callPeak.call.requestsPerSecond / noopPeak.noop.requestsPerSecond;
  const p99Multiple = callPeak.call.p99Ms / callPeak.noop.p99Ms;
  const perCpu = noopPeak.noop.serverCpuUsPerRequest / callPeak.call.serverCpuUsPerRequest;
  return {
    ratio,
    p99Multiple,
    perCpu,
    noopPeak,
    callPeak,
    met: ratio >= TARGET_RATIO && p99Multiple < TARGET_P99_MULTIPLE,
  };
}

/** The lines under the tables: the targets, met or not, in words. */
export function callsVerdict({ rows, inLedgerUsPerCommand, capacity, drain, state }) {
  const hot = rows.find((r) => r.scenario === "authorize→end, 1 account");
  const peak = capacityVerdict(capacity);
  const pct = (x) => `${Math.round(x * 100)} %`;
  const times = (x) => `${Math.round(x * 100) / 100}×`;
  return [
    `State ${state === "disk" ? "on disk" : "in memory (tmpfs)"}. In the ledger, one decision plus its commit costs ${inLedgerUsPerCommand} µs of workerd CPU beyond a no-op ledger RPC.`,
    `Outbox drain: ${drain.movements} movements to D1 in ${drain.seconds} s = ${drain.rowsPerSecond} rows/s.`,
    `At ${hot.clients} clients, authorize→end on one account makes ${pct(hot.ratio)} of the no-op route's requests/s, p99 ${hot.p99Multiple}× the no-op's.`,
    `Capacity (each at its best client count): authorize→end on one account ${peak.callPeak.call.requestsPerSecond} req/s at ${peak.callPeak.clients} clients, ` +
      `the no-op ${peak.noopPeak.noop.requestsPerSecond} req/s at ${peak.noopPeak.clients}: ${pct(peak.ratio)} (target ≥ ${pct(TARGET_RATIO)}); ` +
      `p99 ${times(peak.p99Multiple)} the no-op's at ${peak.callPeak.clients} clients (target < ${TARGET_P99_MULTIPLE}×): ${peak.met ? "met" : "NOT met"}.`,
    `Per workerd CPU-second (what a load generator on its own machine would see): ${pct(peak.perCpu)} of the no-op's requests.`,
  ].join("\n");
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const args = process.argv.slice(2);
  const option = (name, fallback) => {
    const i = args.indexOf(`--${name}`);
    return i >= 0 ? args[i + 1] : fallback;
  };
  const result = await benchCalls({
    seconds: Number(option("seconds", 5)),
    concurrency: Number(option("concurrency", 32)),
    accounts: Number(option("accounts", 1000)),
    state: option("state", "memory"),
  });
  if (args.includes("--json")) console.log(JSON.stringify(result, null, 2));
  else
    console.log(
      `${formatCallsTable(result.rows)}\n* the faster of the two no-op runs.\n\n${formatCapacityTable(result.capacity)}\n\n${callsVerdict(result)}`,
    );
}
