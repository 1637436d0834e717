// Runs the Worker as it ships (the bundle `wrangler deploy --dry-run` builds) on local
// workerd through Miniflare, with the bindings wrangler.toml declares (Durable Objects on
// SQLite, D1, R2, Queues) persisted under one directory and the D1 migrations applied.
// Benchmarks talk to it over plain HTTP, so nothing of `wrangler dev` (its proxy worker,
// its file watcher) sits between the load and the Worker.
//
//   const worker = await startWorker();          // builds, starts, migrates
//   await fetch(`${worker.url}/health`);
//   await worker.stop();                         // stops workerd, removes a temp dir it made
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { convertV4MiniflareOptions, Miniflare } from "miniflare";
import { unstable_getMiniflareWorkerOptions, unstable_splitSqlQuery } from "wrangler";

export const PROJECT_ROOT = resolve(import.meta.dirname, "../..");
/** The Worker's name inside workerd, as the inspector (heap.mjs) addresses it. */
export const WORKER_NAME = "credit-service";
// Run with this node (22, from node_modules): the .bin shim would pick whatever `node` is on PATH.
const WRANGLER_JS = join(PROJECT_ROOT, "node_modules/wrangler/bin/wrangler.js");

/**
 * Builds the Worker bundle into `outDir` (a temp directory by default, so a bench never
 * races `npm run build` over dist/) and returns the path of its entry module.
 */
export function buildWorker({
  outDir = mkdtempSync(join(tmpdir(), "credit-bench-build-")),
  quiet = true,
} = {}) {
  const built = spawnSync(
    process.execPath,
    [WRANGLER_JS, "deploy", "--dry-run", "--outdir", outDir],
    {
      cwd: PROJECT_ROOT,
      encoding: "utf8",
      env: { ...process.env, CI: "true", WRANGLER_SEND_METRICS: "false" },
    },
  );
  if (built.status !== 0)
    throw new Error(`wrangler build failed:\n${built.stdout}\n${built.stderr}`);
  if (!quiet) process.stdout.write(built.stdout);
  const entry =
    readdirSync(outDir).find((name) => name === "index.js") ??
    readdirSync(outDir).find((name) => name.endsWith(".js"));
  if (!entry) throw new Error(`no bundle in ${outDir}`);
  return join(outDir, entry);
}

/** A free TCP port on 127.0.0.1, so the Worker's own URL is known before it starts. */
export async function freePort() {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolvePort(port));
    });
  });
}

/**
 * Starts the Worker. Options:
 * - `scriptPath`: a bundle already built (skips the build; pass it to reuse one bundle
 *   across several starts).
 * - `persistDir`: where D1, R2, DO and queue state live; a temp dir by default, removed by
 *   stop() unless `keepPersistDir`. Pass one to keep data across starts (e.g. seed once,
 *   then measure a fresh process).
 * - `vars`: overrides of wrangler.toml [vars]. PUBLIC_BASE_URL defaults to the Worker's URL.
 * - `workerOptions`: shallow overrides of the Miniflare worker options derived from
 *   wrangler.toml (e.g. `{ ratelimits: {...} }` for a load test).
 * - `onLog(entry)`: receives the Worker's structured console output; by default it is dropped.
 * - `inspectorPort`: open workerd's V8 inspector there (see heap.mjs for the Worker's own heap).
 * - `migrate`: apply migrations/ to D1 (default true; applied ones are skipped, as wrangler does).
 * - `direct`: also serve the Worker on its own socket (`directUrl`), which skips the entry
 *   worker Miniflare puts in front of `url` (a proxy costing more per request than a
 *   no-op route itself); benchmarks load `directUrl`.
 * - `probe`: also run the ledger probe (below) at `probeUrl`; `flushLedger(id)` uses it.
 * - `sharedOptions`: Miniflare's options for the whole workerd (e.g. `unsafeTriggerHandlers`).
 * - `extraWorkers(fromConfig)`: more Workers for the same workerd (bench instruments),
 *   given the options wrangler.toml derives so they can share its D1 and R2; each needs
 *   `unsafeDirectSockets`, and `urlOf(name)` answers where it listens.
 */
export async function startWorker(options = {}) {
  const scriptPath = options.scriptPath ?? buildWorker();
  const removeBuild = () => {
    if (!options.scriptPath) rmSync(dirname(scriptPath), { recursive: true, force: true });
  };
  const ownsPersistDir = !options.persistDir;
  const persistDir = options.persistDir ?? mkdtempSync(join(tmpdir(), "credit-bench-state-"));
  const port = options.port ?? (await freePort());
  const url = `http://127.0.0.1:${port}`;
  const { workerOptions } = unstable_getMiniflareWorkerOptions(join(PROJECT_ROOT, "wrangler.toml"));

  // The bundle is one self-contained module; wrangler's rules for locating sources do not apply.
  const { modulesRules: _rules, rootPath: _root, ...fromConfig } = workerOptions;
  // wrangler derives options in Miniflare's V4 shape; Miniflare 5 converts them to its own.
  const mf = new Miniflare(
    convertV4MiniflareOptions({
      host: "127.0.0.1",
      port,
      ...(options.inspectorPort ? { inspectorPort: options.inspectorPort } : {}),
      resourcePersistencePath: persistDir,
      ...options.sharedOptions,
      handleStructuredLogs: options.onLog ?? (() => {}),
      workers: [
        {
          ...fromConfig,
          ...options.workerOptions,
          name: WORKER_NAME,
          modules: true,
          scriptPath,
          // Module names are paths relative to this root; the bundle may live in a temp dir.
          modulesRoot: dirname(scriptPath),
          bindings: { ...fromConfig.bindings, PUBLIC_BASE_URL: url, ...options.vars },
          ...(options.direct ? { unsafeDirectSockets: [{ host: "127.0.0.1", port: 0 }] } : {}),
        },
        ...(options.probe
          ? [
              {
                name: PROBE_NAME,
                modules: true,
                script: PROBE_SCRIPT,
                compatibilityDate: fromConfig.compatibilityDate,
                compatibilityFlags: fromConfig.compatibilityFlags,
                durableObjects: {
                  LEDGER: { className: "AccountLedger", scriptName: WORKER_NAME, useSQLite: true },
                },
                unsafeDirectSockets: [{ host: "127.0.0.1", port: 0 }],
              },
            ]
          : []),
        ...(options.extraWorkers?.(fromConfig) ?? []),
      ],
    }),
  );
  try {
    await mf.ready;
    const workerdPid = findWorkerdPid();
    if (options.migrate !== false) {
      await applyMigrations(await mf.getD1Database("DB"));
      for (const shard of historyShardBindings())
        await applyMigrations(await mf.getD1Database(shard), HISTORY_MIGRATIONS_DIR);
    }
    const health = await fetch(`${url}/health`);
    if (!health.ok) throw new Error(`/health answered ${health.status}: ${await health.text()}`);
    return {
      url,
      directUrl: options.direct
        ? (await mf.unsafeGetDirectURL(WORKER_NAME)).href.replace(/\/$/, "")
        : null,
      probeUrl: options.probe
        ? (await mf.unsafeGetDirectURL(PROBE_NAME)).href.replace(/\/$/, "")
        : null,
      /** With `probe`: has the ledger copy its pending movements to D1 now, as an export does. */
      async flushLedger(accountId) {
        const response = await fetch(
          `${this.probeUrl}/flush?account=${encodeURIComponent(accountId)}`,
          { method: "POST" },
        );
        const answer = await response.json().catch(() => null);
        if (!response.ok || !answer?.ok || answer.value.remaining !== 0)
          throw new Error(`flushing ${accountId}: ${response.status} ${JSON.stringify(answer)}`);
      },
      /** With `probe`: runs `work` and returns the rows the account's ledger read and wrote meanwhile. */
      async meterLedgerRows(accountId, work) {
        const meter = (action) =>
          fetch(`${this.probeUrl}/sql-meter/${action}?account=${encodeURIComponent(accountId)}`, {
            method: "POST",
          }).then((response) => response.json());
        await meter("start");
        await work();
        return meter("stop");
      },
      async urlOf(name) {
        return (await mf.unsafeGetDirectURL(name)).href.replace(/\/$/, "");
      },
      mf,
      workerdPid,
      persistDir,
      scriptPath,
      async stop() {
        await mf.dispose();
        if (ownsPersistDir && !options.keepPersistDir)
          rmSync(persistDir, { recursive: true, force: true });
        removeBuild();
      },
    };
  } catch (error) {
    await mf.dispose().catch(() => {});
    if (ownsPersistDir) rmSync(persistDir, { recursive: true, force: true });
    removeBuild();
    throw error;
  }
}

const PROBE_NAME = "ledger-probe";
/**
 * A bench instrument, never deployed: a second Worker in the same workerd bound to the
 * service's ledger objects, so the ledger's own cost can be measured without the HTTP
 * routes in front of it. POST /run?account=ID with a JSON array of commands sends them as
 * one ledger RPC (what the Worker's batches do); an empty array is a no-op RPC.
 * POST /flush?account=ID copies the ledger's pending movements to D1 now.
 * POST /sql-meter/start?account=ID and /sql-meter/stop?account=ID count the rows the
 * ledger's statements read and write in between (src/ledger/sql-meter.ts).
 */
const PROBE_SCRIPT = `
export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    const ledger = env.LEDGER.get(env.LEDGER.idFromName(url.searchParams.get("account")));
    if (url.pathname === "/flush") return Response.json(await ledger.flushOutbox());
    if (url.pathname === "/sql-meter/start") {
      await ledger.startSqlMeter();
      return Response.json({ started: true });
    }
    if (url.pathname === "/sql-meter/stop") return Response.json(await ledger.stopSqlMeter());
    return Response.json(await ledger.run(await request.json()));
  },
};
`;

const HISTORY_MIGRATIONS_DIR = join(PROJECT_ROOT, "migrations-history");

/** The history shards' D1 bindings wrangler.toml declares (HISTORY_1, …); shard 0 is DB. */
export function historyShardBindings() {
  const { workerOptions } = unstable_getMiniflareWorkerOptions(join(PROJECT_ROOT, "wrangler.toml"));
  return Object.keys(workerOptions.d1Databases ?? {}).filter((name) => /^HISTORY_\d+$/.test(name));
}

/** The D1 binding of history shard `shard` (0 is the main database). */
export const historyBinding = (shard) => (shard === 0 ? "DB" : `HISTORY_${shard}`);

/** The D1 database holding `accountId`'s movements, as accounts.history_shard records it. */
export async function historyDatabaseOf(mf, accountId) {
  const row = await (await mf.getD1Database("DB"))
    .prepare("SELECT history_shard AS shard FROM accounts WHERE id = ?")
    .bind(accountId)
    .first();
  if (!row) throw new Error(`no account ${accountId} in the main database`);
  return mf.getD1Database(historyBinding(row.shard));
}

/** Applies migrations/*.sql in name order, recording them in d1_migrations as wrangler does. */
export async function applyMigrations(db, dir = join(PROJECT_ROOT, "migrations")) {
  await db
    .prepare(
      `CREATE TABLE IF NOT EXISTS d1_migrations (id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT UNIQUE,
         applied_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP NOT NULL)`,
    )
    .run();
  const applied = new Set(
    (await db.prepare("SELECT name FROM d1_migrations").all()).results.map((row) => row.name),
  );
  const files = readdirSync(dir)
    .filter((name) => name.endsWith(".sql"))
    .sort();
  for (const name of files.filter((file) => !applied.has(file))) {
    const statements = unstable_splitSqlQuery(readFileSync(join(dir, name), "utf8")).map((sql) =>
      db.prepare(sql),
    );
    await db.batch([
      ...statements,
      db.prepare("INSERT INTO d1_migrations (name) VALUES (?)").bind(name),
    ]);
  }
  return files;
}

/** The workerd child this process started last; Miniflare does not expose its pid. */
export function findWorkerdPid(parentPid = process.pid) {
  const children = readdirSync("/proc")
    .filter((name) => /^\d+$/.test(name))
    .map((pid) => {
      try {
        const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
        // comm is in parentheses and may hold spaces; the fields after it are fixed.
        const afterComm = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
        const comm = stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")"));
        return {
          pid: Number(pid),
          ppid: Number(afterComm[1]),
          comm,
          startTicks: Number(afterComm[19]),
        };
      } catch {
        return null; // the process ended while we looked
      }
    })
    .filter((p) => p && p.ppid === parentPid && p.comm.startsWith("workerd"));
  if (children.length === 0) throw new Error("no workerd child process found (Linux /proc only)");
  return children.sort((a, b) => b.startTicks - a.startTicks)[0].pid;
}
