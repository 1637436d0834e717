// Export benchmark: seeds N movements for one account, asks for an export through the API
// and lets the real queue consumer write it to R2, on local workerd. For each size a fresh
// workerd process runs the export alone (the seeding ran in another one), so its VmHWM is
// the export's peak; the Worker's own V8 heap is sampled through the inspector beside it.
// Target (issue 5): ≥ 20 000 rows/s, and memory flat from 100 k to 1 M.
//
//   node_modules/.bin/node scripts/bench/export.mjs [sizes…]      e.g. 100000 1000000
//   import { benchExport } from "./bench/export.mjs"; const rows = await benchExport({ sizes });
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { pathToFileURL } from "node:url";
import { buildWorker, freePort, historyDatabaseOf, startWorker } from "./harness.mjs";
import { sampleWorkerHeap } from "./heap.mjs";
import { mib, processMemory, sampleMemory } from "./memory.mjs";
import { seedMovements } from "./seed-movements.mjs";

export const DEFAULT_SIZES = [100_000, 1_000_000];
export const TARGET_ROWS_PER_SECOND = 20_000;
const OPERATOR = "dev-operator-token";
const DAY_MS = 86_400_000;
const STATUS_POLL_MS = 200;
const HEAP_SAMPLE_MS = 250;
const EXPORT_TIMEOUT_MS = 30 * 60_000;

/**
 * Runs one export per size and returns a row of figures per size. Options: `sizes`,
 * `verify` (download the file and check rows and the credit sum; default true),
 * `scriptPath` (a bundle already built), `log` (progress lines; default console.error).
 */
export async function benchExport({
  sizes = DEFAULT_SIZES,
  verify = true,
  scriptPath,
  log = console.error,
} = {}) {
  const bundle = scriptPath ?? buildWorker();
  try {
    const results = [];
    for (const size of sizes) results.push(await benchOneSize(size, { bundle, verify, log }));
    return results;
  } finally {
    if (!scriptPath) rmSync(dirname(bundle), { recursive: true, force: true });
  }
}

async function benchOneSize(movements, { bundle, verify, log }) {
  const persistDir = mkdtempSync(join(tmpdir(), "credit-bench-export-"));
  const accountId = `bench-export-${movements}`;
  try {
    const seedStartMs = Date.now();
    const seeder = await startWorker({ scriptPath: bundle, persistDir });
    let seeded;
    try {
      await api(seeder.url, "POST", "/v1/accounts", {
        id: accountId,
        name: "Export bench",
        currency: "EUR",
        email: "bench@example.test",
        timezone: "Europe/Prague",
      });
      const nowMs = Date.now();
      // Inside the window (today and the 30 days before) with a day to spare at the start.
      seeded = await seedMovements(await historyDatabaseOf(seeder.mf, accountId), {
        accountId,
        count: movements,
        fromMs: nowMs - 29 * DAY_MS,
        toMs: nowMs - 60_000,
      });
    } finally {
      await seeder.stop();
    }
    const seedMs = Date.now() - seedStartMs;
    log(`seeded ${movements} movements in ${(seedMs / 1000).toFixed(1)} s`);

    const consumerEvents = [];
    const inspectorPort = await freePort();
    const worker = await startWorker({
      scriptPath: bundle,
      persistDir,
      inspectorPort,
      onLog: ({ message }) => {
        if (message.includes('"export_written"')) consumerEvents.push(JSON.parse(message));
      },
    });
    try {
      const baseline = processMemory(worker.workerdPid);
      const sampler = sampleMemory(worker.workerdPid);
      const heapSampler = await sampleWorkerHeap(inspectorPort, {
        intervalMs: HEAP_SAMPLE_MS,
        wake: () => fetch(`${worker.url}/health`).then((response) => response.text()),
      });
      const started = await api(worker.url, "POST", `/v1/accounts/${accountId}/exports`);
      const job = await waitUntilFinished(worker.url, accountId, started.id);
      const memory = sampler.stop();
      const heap = await heapSampler.stop();
      if (job.status !== "ready") throw new Error(`export ${job.id} ended ${job.status}`);
      const written = consumerEvents.find((event) => event.exportId === job.id);
      const endToEndMs = Date.parse(job.finishedAt) - Date.parse(job.requestedAt);
      const result = {
        movements,
        rows: job.rows,
        bytesMiB: written ? mib(written.bytes / 1024) : null,
        parts: written?.parts ?? null,
        consumerMs: written?.elapsedMs ?? null,
        endToEndMs,
        rowsPerSecond: written ? Math.round(job.rows / (written.elapsedMs / 1000)) : null,
        endToEndRowsPerSecond: Math.round(job.rows / (endToEndMs / 1000)),
        workerHeapPeakMiB: mib(heap.peakTotalBytes / 1024),
        workerHeapUsedPeakMiB: mib(heap.peakUsedBytes / 1024),
        workerHeapAfterGcMiB: heap.afterGcBytes === null ? null : mib(heap.afterGcBytes / 1024),
        baselineRssMiB: mib(baseline.rssKiB),
        peakRssMiB: mib(memory.peakRssKiB),
        peakOverBaselineMiB: mib(memory.peakRssKiB - baseline.rssKiB),
        baselineAnonMiB: mib(baseline.anonKiB),
        peakAnonMiB: mib(memory.peakAnonKiB),
        endFileMiB: mib(memory.last.fileKiB),
        hwmMiB: mib(memory.hwmKiB),
        seedSeconds: Math.round(seedMs / 100) / 10,
        verified: null,
      };
      if (verify)
        result.verified = await verifyDownload(job.downloadUrl, movements, seeded.sumMicros);
      log(`exported ${movements}: ${JSON.stringify(result)}`);
      return result;
    } finally {
      await worker.stop();
    }
  } finally {
    rmSync(persistDir, { recursive: true, force: true });
  }
}

async function waitUntilFinished(url, accountId, exportId) {
  const deadline = Date.now() + EXPORT_TIMEOUT_MS;
  while (Date.now() < deadline) {
    const job = await api(url, "GET", `/v1/accounts/${accountId}/exports/${exportId}`);
    if (job.status !== "processing") return job;
    await new Promise((resolve) => setTimeout(resolve, STATUS_POLL_MS));
  }
  throw new Error(`export ${exportId} did not finish in ${EXPORT_TIMEOUT_MS / 60_000} min`);
}

/** Streams the file through the signed link: row count and the exact credit sum must match the seed. */
async function verifyDownload(downloadUrl, expectedRows, expectedSumMicros) {
  const response = await fetch(downloadUrl);
  if (!response.ok) throw new Error(`download answered ${response.status}`);
  let rows = -1; // the header
  let sumMicros = 0n;
  let pending = "";
  const decoder = new TextDecoder();
  const take = (text) => {
    pending += text;
    // Seeded quoted fields hold commas and quotes but never CR/LF, so CRLF ends a record.
    for (let end = pending.indexOf("\r\n"); end >= 0; end = pending.indexOf("\r\n")) {
      const record = pending.slice(0, end);
      pending = pending.slice(end + 2);
      rows += 1;
      if (rows > 0) sumMicros += creditMicros(record);
    }
  };
  for await (const chunk of response.body) take(decoder.decode(chunk, { stream: true }));
  take(decoder.decode());
  if (rows !== expectedRows) throw new Error(`file has ${rows} rows, seeded ${expectedRows}`);
  if (sumMicros !== BigInt(expectedSumMicros))
    throw new Error(`credit column sums to ${sumMicros}, seeded ${expectedSumMicros}`);
  return true;
}

/** The Credit movement field (7th), counted from the end so quoted commas before it do not matter. */
function creditMicros(record) {
  const fields = record.split(",");
  // Columns after it: Balance after, User, Reason (unquoted in the seed).
  const text = fields[fields.length - 4];
  const [whole, fraction = ""] = text.replace("-", "").split(".");
  const micros = BigInt(whole) * 1_000_000n + BigInt(fraction.padEnd(6, "0"));
  return text.startsWith("-") ? -micros : micros;
}

async function api(url, method, path, body) {
  const response = await fetch(`${url}${path}`, {
    method,
    headers: {
      Authorization: `Bearer ${OPERATOR}`,
      ...(body ? { "Content-Type": "application/json" } : {}),
    },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${path} answered ${response.status}: ${text}`);
  return JSON.parse(text);
}

export function formatExportTable(results) {
  const columns = [
    ["movements", (r) => r.movements.toLocaleString("en-US")],
    ["CSV MiB", (r) => r.bytesMiB],
    ["parts", (r) => r.parts],
    ["consumer s", (r) => (r.consumerMs / 1000).toFixed(2)],
    ["rows/s", (r) => r.rowsPerSecond?.toLocaleString("en-US")],
    ["e2e rows/s", (r) => r.endToEndRowsPerSecond.toLocaleString("en-US")],
    ["heap peak MiB", (r) => r.workerHeapPeakMiB],
    ["heap after GC MiB", (r) => r.workerHeapAfterGcMiB],
    ["workerd RSS before", (r) => r.baselineRssMiB],
    ["workerd VmHWM", (r) => r.hwmMiB],
    ["verified", (r) => (r.verified === null ? "-" : r.verified ? "yes" : "NO")],
  ];
  const cells = [
    columns.map(([name]) => name),
    ...results.map((r) => columns.map(([, value]) => String(value(r) ?? "-"))),
  ];
  const widths = columns.map((_, i) => Math.max(...cells.map((row) => row[i].length)));
  return cells.map((row) => row.map((cell, i) => cell.padStart(widths[i])).join("  ")).join("\n");
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const sizes = process.argv
    .slice(2)
    .map(Number)
    .filter((n) => Number.isSafeInteger(n) && n > 0);
  const results = await benchExport({ sizes: sizes.length > 0 ? sizes : DEFAULT_SIZES });
  console.log(
    `\nExport of credit movements on local workerd (target ≥ ${TARGET_ROWS_PER_SECOND.toLocaleString("en-US")} rows/s, memory flat)\n`,
  );
  console.log(formatExportTable(results));
  console.log(`
heap: the Worker isolate's V8 heap (allocated peak, and what a full GC leaves), read through
workerd's inspector; the figure a production isolate's memory limit applies to.
workerd RSS/VmHWM: the whole local process, which also runs the D1, R2 and Queues simulators.`);
}
