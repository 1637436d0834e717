#!/usr/bin/env node
// `npm run bench:history`: the simulation of movement history over several D1 shards with
// months archived to R2 (issue 16), on the built Worker on local workerd with the four
// shards wrangler.toml binds. Accounts are created through the API (each is given its
// shard); their history, a few hundred thousand movements over 20 months, is written
// straight into each account's shard as the outbox would have copied it. It prints:
//
// - the spread of accounts and bytes over the shards (max / mean);
// - the outbox drain rate: movements copied from ledgers to their shards per second;
// - the archive: the service's own cron, tick after tick until nothing is due, rows
//   written to R2 and deleted from D1 per second, with workerd's memory and the
//   Worker's heap;
// - an export and a listing of the largest account across archived months, before and
//   after the archive (they must be equal), through a bench probe (history-probe.ts)
//   beside the Worker.
//
//   npm run bench:history                               # 1 000 accounts, 300 000 movements
//   npm run bench:history -- --accounts 2000 --movements 500000
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { activeDecks, flushLedgers, ledgerRpc, seed } from "./calls.mjs";
import { buildWorker, freePort, historyBinding, PROJECT_ROOT, startWorker } from "./harness.mjs";
import { sampleWorkerHeap } from "./heap.mjs";
import { mib, processMemory, sampleMemory } from "./memory.mjs";
import { seedMovements } from "./seed-movements.mjs";

const args = process.argv.slice(2);
const option = (name, fallback) => {
  const at = args.indexOf(`--${name}`);
  return Number(at >= 0 && args[at + 1] ? args[at + 1] : fallback);
};
const ACCOUNTS = option("accounts", 1000);
const MOVEMENTS = option("movements", 300_000);
const SHARDS = 4;
const DAY_MS = 86_400_000;
const HISTORY_DAYS = 610; // about 20 months: six or seven of them past the 13 kept in D1
/** Movements put in each drain account's ledger before it is asked to copy them. */
const DRAIN_PER_ACCOUNT = 4_096;
const LISTING_PAGE = 500;
const PROBE = "history-probe";
const log = (line) => process.stderr.write(`${line}\n`);

/** A small deterministic generator, so every run seeds the same accounts the same way. */
function random(seed) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

function buildProbe() {
  const outDir = mkdtempSync(join(tmpdir(), "credit-bench-history-probe-"));
  const outfile = join(outDir, "probe.js");
  const built = spawnSync(
    join(PROJECT_ROOT, "node_modules/.bin/esbuild"),
    [
      join(PROJECT_ROOT, "scripts/bench/history-probe.ts"),
      "--bundle",
      "--format=esm",
      "--platform=neutral",
      "--main-fields=module,main",
      "--external:cloudflare:*",
      "--external:node:*",
      `--outfile=${outfile}`,
    ],
    { encoding: "utf8" },
  );
  if (built.status !== 0) throw new Error(`probe build failed:\n${built.stderr}`);
  return outfile;
}

const stat = (values) => {
  const max = Math.max(...values);
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  return { max, mean, ratio: Math.round((max / mean) * 100) / 100 };
};

async function json(url, init) {
  const response = await fetch(url, init);
  const text = await response.text();
  if (!response.ok) throw new Error(`${url} answered ${response.status}: ${text}`);
  return JSON.parse(text);
}

async function main() {
  const bundle = buildWorker();
  const probeBundle = buildProbe();
  const inspectorPort = await freePort();
  const cronEvents = [];
  const worker = await startWorker({
    scriptPath: bundle,
    probe: true,
    inspectorPort,
    // The cron is run as the platform runs it: the scheduled handler, one tick per request.
    sharedOptions: { unsafeTriggerHandlers: true },
    onLog: ({ message }) => {
      if (message.includes('"event":"cron"')) cronEvents.push(JSON.parse(message));
      else if (process.env.BENCH_LOGS) log(message);
    },
    extraWorkers: (config) => [
      {
        name: PROBE,
        modules: true,
        scriptPath: probeBundle,
        modulesRoot: dirname(probeBundle),
        compatibilityDate: config.compatibilityDate,
        compatibilityFlags: config.compatibilityFlags,
        d1Databases: config.d1Databases,
        r2Buckets: config.r2Buckets,
        unsafeDirectSockets: [{ host: "127.0.0.1", port: 0 }],
      },
    ],
  });
  try {
    const probeUrl = await worker.urlOf(PROBE);
    const mainDb = await worker.mf.getD1Database("DB");
    const shardDbs = await Promise.all(
      Array.from({ length: SHARDS }, (_, shard) => worker.mf.getD1Database(historyBinding(shard))),
    );

    // Accounts, through the API: each is given its shard at creation.
    const ids = Array.from({ length: ACCOUNTS }, (_, i) => `sim-${String(i).padStart(6, "0")}`);
    let startMs = performance.now();
    await seed(worker.url, ids);
    log(`${ACCOUNTS} accounts created in ${((performance.now() - startMs) / 1000).toFixed(1)} s`);
    const { results: placed } = await mainDb
      .prepare("SELECT id, history_shard AS shard FROM accounts WHERE id LIKE 'sim-%'")
      .all();
    const shardOf = new Map(placed.map((row) => [row.id, row.shard]));

    // History: an uneven load (exponential weights), as real accounts are.
    const next = random(16);
    const weights = ids.map(() => -Math.log(1 - next()));
    const total = weights.reduce((a, b) => a + b, 0);
    const counts = weights.map((w) => Math.max(1, Math.round((MOVEMENTS * w) / total)));
    const nowMs = Date.now();
    const fromMs = nowMs - HISTORY_DAYS * DAY_MS;
    startMs = performance.now();
    const seeded = new Map();
    for (const [i, id] of ids.entries()) {
      const db = shardDbs[shardOf.get(id)];
      seeded.set(
        id,
        await seedMovements(db, {
          accountId: id,
          count: counts[i],
          fromMs,
          toMs: nowMs - DAY_MS,
          idSalt: i % 4096,
        }),
      );
    }
    const movementCount = counts.reduce((a, b) => a + b, 0);
    log(
      `${movementCount} movements seeded in ${((performance.now() - startMs) / 1000).toFixed(1)} s`,
    );

    const spread = async () => {
      const rows = [];
      for (const [shard, db] of shardDbs.entries()) {
        const accounts = placed.filter((row) => row.shard === shard).length;
        const movements = (await db.prepare("SELECT count(*) AS n FROM movements").first()).n;
        const bytes = (await db.prepare("SELECT 1").run()).meta.size_after;
        rows.push({ shard, accounts, movements, bytes });
      }
      return rows;
    };
    const before = await spread();

    // Outbox drain: one account per shard, its ledger filled faster than its alarm copies.
    const decks = await activeDecks(worker.mf);
    const drainAccounts = Array.from(
      { length: SHARDS },
      (_, shard) => ids.find((id) => shardOf.get(id) === shard) ?? null,
    ).filter((id) => id !== null);
    for (const accountId of drainAccounts) {
      for (let sent = 0; sent < DRAIN_PER_ACCOUNT; sent += 64) {
        const commands = Array.from({ length: 64 }, (_, i) => ({
          kind: "message",
          command: {
            messageId: `drain-${sent + i}`,
            channel: "sms",
            to: `+49151${String(10_000_000 + sent + i)}`,
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
    }
    const inShards = async () =>
      (
        await Promise.all(
          drainAccounts.map((id) =>
            shardDbs[shardOf.get(id)]
              .prepare("SELECT count(*) AS n FROM movements WHERE account_id = ? AND seq > 0")
              .bind(id)
              .first(),
          ),
        )
      ).reduce((n, row) => n + row.n, 0);
    const copiedBefore = await inShards();
    startMs = performance.now();
    await Promise.all(drainAccounts.map((id) => worker.flushLedger(id)));
    const drainS = (performance.now() - startMs) / 1000;
    const drained = (await inShards()) - copiedBefore;
    log(`outbox: ${drained} movements to ${drainAccounts.length} shards in ${drainS.toFixed(2)} s`);

    // What the ledgers still hold goes to the shards first, as an export has it copied.
    await flushLedgers(worker, ids);

    // The largest account's history, read back before anything is archived.
    const largest = ids[counts.indexOf(Math.max(...counts))];
    const views = async () => {
      const exportStartMs = performance.now();
      const exported = await json(
        `${probeUrl}/export?account=${largest}&from=${fromMs - DAY_MS}&to=${nowMs}`,
        { method: "POST" },
      );
      const exportMs = performance.now() - exportStartMs;
      const listingStartMs = performance.now();
      const seqs = [];
      let sumMicros = 0;
      let pages = 0;
      for (let afterSeq = Number.MIN_SAFE_INTEGER; ; pages++) {
        const page = await json(
          `${probeUrl}/listing?account=${largest}&afterSeq=${afterSeq}&throughSeq=0&limit=${LISTING_PAGE}`,
        );
        seqs.push(...page.seqs);
        sumMicros += page.sumMicros;
        if (page.seqs.length < LISTING_PAGE) break;
        afterSeq = page.seqs.at(-1);
      }
      return {
        exported,
        exportMs,
        listing: { rows: seqs.length, sumMicros, pages, first: seqs[0], last: seqs.at(-1) },
        listingMs: performance.now() - listingStartMs,
        seqs,
      };
    };
    const unarchived = await views();

    // The archive: the service's cron, tick after tick, until a tick finds nothing to do.
    const baseline = processMemory(worker.workerdPid);
    const memory = sampleMemory(worker.workerdPid);
    const heap = await sampleWorkerHeap(inspectorPort, {
      wake: () => fetch(`${worker.url}/health`).then((response) => response.text()),
    });
    const ticks = [];
    // Ticks resume where the last stopped; once a whole round of accounts had nothing to do, all is done.
    let idleAccounts = 0;
    startMs = performance.now();
    for (let i = 0; i < 500 && idleAccounts < ACCOUNTS; i++) {
      const tickStartMs = performance.now();
      const seen = cronEvents.length;
      const triggered = await fetch(`${worker.url}/cdn-cgi/local/scheduled?cron=*/5+*+*+*+*`);
      if (!triggered.ok)
        throw new Error(`scheduled: ${triggered.status} ${await triggered.text()}`);
      for (let wait = 0; cronEvents.length === seen && wait < 100; wait++)
        await new Promise((resolve) => setTimeout(resolve, 10));
      const archive = cronEvents.at(-1).historyArchive;
      ticks.push({ ...archive, ms: performance.now() - tickStartMs });
      if (archive.failures > 0) throw new Error(`archive tick failed: ${JSON.stringify(archive)}`);
      const idle = archive.monthsArchived === 0 && archive.rowsDeleted === 0;
      idleAccounts = idle ? idleAccounts + archive.accountsVisited : 0;
    }
    const archiveS = (performance.now() - startMs) / 1000;
    const archiveMemory = memory.stop();
    const archiveHeap = await heap.stop();
    const sum = (field) => ticks.reduce((n, t) => n + t[field], 0);
    const rowsArchived = sum("rowsArchived");
    const rowsDeleted = sum("rowsDeleted");
    log(`archive: ${ticks.length} ticks, ${rowsArchived} rows to R2 in ${archiveS.toFixed(1)} s`);

    const archived = await shardDbs[shardOf.get(largest)]
      .prepare(
        "SELECT count(*) AS months, sum(rows) AS rows FROM history_archive WHERE account_id = ?",
      )
      .bind(largest)
      .first();
    const readMemory = sampleMemory(worker.workerdPid);
    const probeHeap = await sampleWorkerHeap(inspectorPort, {
      workerName: PROBE,
      wake: () => fetch(`${probeUrl}/listing?account=${largest}&afterSeq=0&throughSeq=0&limit=1`),
    });
    const afterArchive = await views();
    const readPeak = readMemory.stop();
    const readHeap = await probeHeap.stop();
    const same =
      afterArchive.exported.sha256 === unarchived.exported.sha256 &&
      afterArchive.exported.rows === unarchived.exported.rows &&
      afterArchive.seqs.join() === unarchived.seqs.join() &&
      afterArchive.listing.sumMicros === unarchived.listing.sumMicros;
    const after = await spread();
    const objects = [];
    let cursor;
    do {
      const listed = await (await worker.mf.getR2Bucket("EXPORTS")).list({
        prefix: "history/",
        cursor,
      });
      objects.push(...listed.objects);
      cursor = listed.truncated ? listed.cursor : undefined;
    } while (cursor);
    const archiveBytes = objects.reduce((n, o) => n + o.size, 0);

    const accountsSpread = stat(before.map((r) => r.accounts));
    const bytesSpread = stat(before.map((r) => r.bytes));
    const rowsSpread = stat(before.map((r) => r.movements));
    const report = [
      [
        "accounts, movements",
        `${ACCOUNTS} accounts, ${movementCount.toLocaleString("en-US")} movements over ${HISTORY_DAYS} days, ${SHARDS} shards`,
      ],
      [
        "accounts per shard (max / mean)",
        `${before.map((r) => r.accounts).join(" / ")}: ${accountsSpread.max} / ${Math.round(accountsSpread.mean)} = ${accountsSpread.ratio}`,
      ],
      [
        "movements per shard (max / mean)",
        `${before.map((r) => r.movements).join(" / ")}: ${rowsSpread.ratio}`,
      ],
      [
        "bytes per shard, MiB (max / mean)",
        `${before.map((r) => mib(r.bytes / 1024)).join(" / ")}: ${bytesSpread.ratio}`,
      ],
      [
        "outbox drain",
        `${drained} movements from ${drainAccounts.length} ledgers to their shards in ${drainS.toFixed(2)} s = ${Math.round(drained / drainS).toLocaleString("en-US")} rows/s`,
      ],
      [
        "archive (cron ticks)",
        `${ticks.length} ticks, ${sum("monthsArchived")} account-months, ${rowsArchived.toLocaleString("en-US")} rows written to R2 and ${rowsDeleted.toLocaleString("en-US")} deleted from D1 in ${archiveS.toFixed(1)} s`,
      ],
      [
        "archive rate",
        `${Math.round(rowsArchived / archiveS).toLocaleString("en-US")} rows/s archived (write + read back + verify + delete), largest tick ${Math.round(Math.max(...ticks.map((t) => t.ms)))} ms`,
      ],
      [
        "archive objects",
        `${objects.length} objects, ${mib(archiveBytes / 1024)} MiB gzip NDJSON (${Math.round(archiveBytes / Math.max(1, rowsArchived))} bytes per movement)`,
      ],
      [
        "D1 after the archive, MiB",
        `${after.map((r) => mib(r.bytes / 1024)).join(" / ")} (SQLite files keep their pages until VACUUM), ${after.map((r) => r.movements).join(" / ")} movements`,
      ],
      [
        "memory during the archive",
        `workerd RSS ${mib(baseline.rssKiB)} → peak ${mib(archiveMemory.peakRssKiB)} MiB (anon ${mib(baseline.anonKiB)} → ${mib(archiveMemory.peakAnonKiB)}); Worker heap peak ${mib(archiveHeap.peakUsedBytes / 1024)} MiB, ${mib((archiveHeap.afterGcBytes ?? 0) / 1024)} after GC`,
      ],
      [
        "largest account",
        `${largest}: ${counts[ids.indexOf(largest)]} movements, ${archived.months} months (${archived.rows} rows) archived`,
      ],
      [
        "export across archived months",
        `${afterArchive.exported.rows} rows, ${mib(afterArchive.exported.bytes / 1024)} MiB CSV: ${Math.round(unarchived.exportMs)} ms all in D1, ${Math.round(afterArchive.exportMs)} ms across R2 + D1 (${Math.round(afterArchive.exported.rows / (afterArchive.exported.writeMs / 1000)).toLocaleString("en-US")} rows/s)`,
      ],
      [
        "listing across archived months",
        `${afterArchive.listing.rows} rows in ${afterArchive.listing.pages + 1} pages of ${LISTING_PAGE}: ${Math.round(unarchived.listingMs)} ms all in D1, ${Math.round(afterArchive.listingMs)} ms across R2 + D1`,
      ],
      [
        "memory while reading back",
        `workerd RSS peak ${mib(readPeak.peakRssKiB)} MiB; probe heap peak ${mib(readHeap.peakUsedBytes / 1024)} MiB, ${mib((readHeap.afterGcBytes ?? 0) / 1024)} after GC`,
      ],
      [
        "same as unarchived",
        same ? "yes: export file (SHA-256), listing seqs and sums identical" : "NO",
      ],
    ];
    console.log("\nMovement history over shards with months archived to R2 (local workerd)\n");
    console.log("| what | measured |\n| --- | --- |");
    for (const [what, measured] of report) console.log(`| ${what} | ${measured} |`);
    if (!same) {
      const { seqs: _a, ...beforeViews } = unarchived;
      const { seqs: _b, ...afterViews } = afterArchive;
      log(`unarchived: ${JSON.stringify(beforeViews)}\narchived: ${JSON.stringify(afterViews)}`);
      process.exitCode = 1;
    }
  } finally {
    await worker.stop();
    rmSync(dirname(probeBundle), { recursive: true, force: true });
    rmSync(dirname(bundle), { recursive: true, force: true });
  }
}

await main();
