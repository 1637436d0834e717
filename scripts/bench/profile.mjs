// CPU profile of the Worker's isolate under the call load, through workerd's inspector:
// where the authorize→end path spends its time (a tool for tuning, not part of the bench).
//
//   node_modules/.bin/node scripts/bench/profile.mjs [--seconds 5] [--accounts 1] [--clients 32] [--top 40] [--under name]
// --under keeps only the samples below a function of that name (e.g. transactionSync: the ledger).
// Lines are those of the bundle as `npm run build` writes it to dist/index.js.
import { rmSync } from "node:fs";
import { inspectWorker } from "./heap.mjs";
import { freePort, startWorker } from "./harness.mjs";
import { callSteps, drive, seed, stateDir } from "./calls.mjs";

const args = process.argv.slice(2);
const option = (name, fallback) => {
  const at = args.indexOf(`--${name}`);
  return at >= 0 ? Number(args[at + 1]) : fallback;
};
const inspectorPort = await freePort();
const persistDir = stateDir("memory");
const worker = await startWorker({ inspectorPort, direct: true, persistDir });
try {
  const accounts = option("accounts", 1);
  const ids = Array.from({ length: accounts }, (_, i) => `bench-${i}`);
  await seed(worker.url, ids);
  const step = callSteps(worker.directUrl, (n) => ids[n % accounts], { extend: false });
  const load = {
    run: (seconds) => drive(option("clients", 32), seconds * 1000, step, worker.workerdPid),
  };
  const inspector = await inspectWorker(inspectorPort);
  await inspector.call("Profiler.enable");
  await inspector.call("Profiler.setSamplingInterval", { interval: 200 });
  await load.run(1);
  await inspector.call("Profiler.start");
  await load.run(option("seconds", 5));
  const { profile } = await inspector.call("Profiler.stop");
  inspector.close();
  const at = args.indexOf("--under");
  report(profile, option("top", 40), at >= 0 ? args[at + 1] : null);
} finally {
  await worker.stop();
  rmSync(persistDir, { recursive: true, force: true });
}

/** Self and total time per function, from the sampled call tree. */
function report(profile, top, under) {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const selfHits = new Map();
  for (const id of profile.samples) selfHits.set(id, (selfHits.get(id) ?? 0) + 1);
  const parent = new Map();
  for (const node of profile.nodes)
    for (const child of node.children ?? []) parent.set(child, node.id);
  const key = (node) =>
    `${node.callFrame.functionName || "(anon)"} ${node.callFrame.url.split("/").pop()}:${node.callFrame.lineNumber + 1}`;
  const self = new Map();
  const total = new Map();
  let all = 0;
  const isUnder = (id) => {
    for (let at = id; at !== undefined; at = parent.get(at))
      if (byId.get(at).callFrame.functionName === under) return true;
    return false;
  };
  for (const [id, hits] of selfHits) {
    if (under && !isUnder(id)) continue;
    all += hits;
    const node = byId.get(id);
    self.set(key(node), (self.get(key(node)) ?? 0) + hits);
    const seen = new Set();
    for (let at = id; at !== undefined; at = parent.get(at)) {
      const k = key(byId.get(at));
      if (seen.has(k)) continue;
      seen.add(k);
      total.set(k, (total.get(k) ?? 0) + hits);
    }
  }
  const pct = (n) => `${((n / all) * 100).toFixed(1).padStart(5)} %`;
  console.log(
    `${all} samples${under ? ` below ${under}, of ${profile.samples.length}` : ""}\n\nself:`,
  );
  for (const [k, n] of [...self].sort((a, b) => b[1] - a[1]).slice(0, top))
    console.log(`${pct(n)}  ${k}`);
  console.log("\ntotal:");
  for (const [k, n] of [...total].sort((a, b) => b[1] - a[1]).slice(0, top))
    console.log(`${pct(n)}  ${k}`);
  // Hot lines of the bundle (dist/index.js numbering when built the same way).
  const lines = new Map();
  for (const node of profile.nodes) {
    for (const tick of node.positionTicks ?? []) {
      const k = `${node.callFrame.url.split("/").pop()}:${tick.line}`;
      lines.set(k, (lines.get(k) ?? 0) + tick.ticks);
    }
  }
  console.log("\nlines:");
  for (const [k, n] of [...lines].sort((a, b) => b[1] - a[1]).slice(0, top))
    console.log(`${pct(n)}  ${k}`);
}
