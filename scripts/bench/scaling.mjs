// Does throughput across many accounts follow the cores in use? Each account's ledger is
// its own Durable Object, so accounts never wait for each other; in production the objects
// are spread over machines. One workerd process runs JavaScript on one thread, so locally
// the accounts are spread over several workerd processes instead (each with its own
// storage, account i on process i mod n) and the same authorize→extend→end load is driven
// at 1 and at n processes. Cores in use = workerd CPU-seconds per second, summed.
//
//   node_modules/.bin/node scripts/bench/scaling.mjs [--seconds 5] [--accounts 1000] [--processes 2]
import { rmSync } from "node:fs";
import { pathToFileURL } from "node:url";
import { Agent, setGlobalDispatcher } from "undici";
import { buildWorker, startWorker } from "./harness.mjs";
import { callSteps, drive, flushLedgers, seed, stateDir, table } from "./calls.mjs";

/** A third of what one process sustains: unsaturated with one process or two. */
const PACED_ROUND_TRIPS_PER_SECOND = 300;

/** Lets `step` start at most `perSecond` times a second, however many clients call it. */
function pace(step, perSecond) {
  const intervalMs = 1000 / perSecond;
  let nextAtMs = performance.now();
  return async () => {
    const atMs = Math.max(nextAtMs, performance.now());
    nextAtMs = atMs + intervalMs;
    const waitMs = atMs - performance.now();
    if (waitMs > 0) await new Promise((resolve) => setTimeout(resolve, waitMs));
    return step();
  };
}

export async function benchScaling({
  seconds = 5,
  accounts = 1000,
  processes = 2,
  concurrency = 32,
  log = console.error,
} = {}) {
  setGlobalDispatcher(
    new Agent({ connections: concurrency * 2, pipelining: 1, keepAliveTimeout: 30_000 }),
  );
  const bundle = buildWorker();
  const rows = [];
  try {
    for (const count of [...new Set([1, processes])]) {
      log(`${accounts} accounts over ${count} workerd process(es): starting and seeding…`);
      const dirs = Array.from({ length: count }, () => stateDir("memory"));
      const workers = [];
      try {
        for (const persistDir of dirs)
          workers.push(
            await startWorker({ scriptPath: bundle, direct: true, probe: true, persistDir }),
          );
        const ids = Array.from({ length: accounts }, (_, i) => `bench-${i}`);
        const shardOf = (w) => ids.filter((_, i) => i % count === w);
        await Promise.all(workers.map((worker, w) => seed(worker.url, shardOf(w))));
        await Promise.all(workers.map((worker, w) => flushLedgers(worker, shardOf(w))));
        // One step per account in turn; the account decides the process, as placement would.
        const steps = workers.map((worker) =>
          callSteps(worker.directUrl, (n) => ids[n % accounts], { extend: true }),
        );
        let next = 0;
        const step = () => {
          const i = next++ % accounts;
          return steps[i % count](ids[i]);
        };
        const pids = workers.map((w) => w.workerdPid);
        // First at a fixed pace well below saturation: no process and not the load generator
        // is short of a core, so the cost of a request shows undisturbed. (Its copies to D1
        // are left out: a fixed cost that would swamp the per-request figure. It runs before
        // the seeded ledgers' outbox alarms come due.)
        log(`  ${PACED_ROUND_TRIPS_PER_SECOND} round trips/s for ${seconds} s…`);
        const paced = await drive(
          concurrency,
          seconds * 1000,
          pace(step, PACED_ROUND_TRIPS_PER_SECOND),
          pids,
        );
        log(`  then ${concurrency} clients as fast as they go for ${seconds} s…`);
        // Movements are copied to D1 inside the measured time, as in the calls bench.
        const settle = () =>
          Promise.all(workers.map((worker, w) => flushLedgers(worker, shardOf(w))));
        const result = await drive(concurrency, seconds * 1000, step, pids, settle);
        rows.push({
          processes: count,
          ...result,
          perCore: Math.round(result.requestsPerSecond / result.coresInUse),
          paced: {
            requestsPerSecond: paced.requestsPerSecond,
            serverCpuUsPerRequest: paced.serverCpuUsPerRequest,
            coresInUse: paced.coresInUse,
          },
        });
      } finally {
        for (const worker of workers) await worker.stop();
        for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
      }
    }
  } finally {
    rmSync(bundle.replace(/\/[^/]+$/, ""), { recursive: true, force: true });
  }
  return rows;
}

export function formatScalingTable(rows) {
  return table(
    [
      ["workerd processes", (r) => r.processes],
      ["req/s", (r) => r.requestsPerSecond],
      ["cores in use (workerd)", (r) => r.coresInUse],
      ["load generator cores", (r) => r.clientCores],
      ["req/s per core", (r) => r.perCore],
      ["p50 ms", (r) => r.p50Ms],
      ["p99 ms", (r) => r.p99Ms],
      ["workerd CPU µs/req", (r) => r.serverCpuUsPerRequest],
      [`at ${PACED_ROUND_TRIPS_PER_SECOND} round trips/s: req/s`, (r) => r.paced.requestsPerSecond],
      ["workerd cores", (r) => r.paced.coresInUse],
      ["workerd CPU µs/req", (r) => r.paced.serverCpuUsPerRequest],
    ],
    rows,
  );
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const args = process.argv.slice(2);
  const option = (name, fallback) => {
    const i = args.indexOf(`--${name}`);
    return i >= 0 ? Number(args[i + 1]) : fallback;
  };
  const rows = await benchScaling({
    seconds: option("seconds", 5),
    accounts: option("accounts", 1000),
    processes: option("processes", 2),
  });
  console.log(formatScalingTable(rows));
}
