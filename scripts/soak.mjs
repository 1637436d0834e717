#!/usr/bin/env node
// Soak with invariants (issue 7): the built Worker on local workerd (scripts/bench/harness.mjs,
// production rate limits kept), mixed traffic from bounded request loops on 127.0.0.1 for a
// set time over N accounts, then the books are checked (scripts/soak/invariants.mjs). Exits
// non-zero, loudly, when any invariant is broken.
//
//   node scripts/soak.mjs [--seconds 60] [--accounts 12] [--loops 12] [--seed N] [--json]
//
// `--sabotage leak|d1` breaks the books on purpose before the checks (a leg never ended; a
// stray row in D1), to see the soak fail as it should.
//
// CI runs the short form, `node scripts/soak.mjs --seconds 20` (build included, under 2 minutes).
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = resolve(import.meta.dirname, "..");

// Miniflare needs Node 22, which the project installs (package.json devDependencies) when
// the `node` on PATH is older: rerun this script with it.
const nodeMajor = Number(process.versions.node.split(".")[0]);
const projectNode = join(ROOT, "node_modules/.bin/node");
if (nodeMajor < 22 && existsSync(projectNode)) {
  const rerun = spawnSync(projectNode, [fileURLToPath(import.meta.url), ...process.argv.slice(2)], {
    stdio: "inherit",
  });
  process.exit(rerun.status ?? 1);
}

const { historyDatabaseOf, historyShardBindings, startWorker } = await import(
  "./bench/harness.mjs"
);
const { Agent, setGlobalDispatcher } = await import("undici");
const { AnswerBook, Client, Stats } = await import("./soak/client.mjs");
const { checkInvariants } = await import("./soak/invariants.mjs");
const { invariantTable, requestTable } = await import("./soak/report.mjs");
const { EU_PLAN, HOT_OPENING_CREDIT, seededRandom, Traffic } = await import("./soak/traffic.mjs");

const args = process.argv.slice(2);
const option = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const seconds = option("seconds", 60);
const accountCount = option("accounts", 12);
const loops = option("loops", 12);
const seed = option("seed", Math.floor(Math.random() * 2 ** 31));
if (!(seconds > 0) || !(accountCount >= 2) || !(loops >= 1)) {
  console.error(
    "usage: node scripts/soak.mjs [--seconds N>0] [--accounts N>=2] [--loops N>=1] [--seed N] [--json] [--sabotage leak|d1]",
  );
  process.exit(2);
}
const ADMIN_KEYS_PER_ACCOUNT = 2;
const OPENING_CREDIT = "100.00";
const SERVICE_RATES = {
  stt: "0.02",
  "ai-voice-agents": "0.10",
  "conversation-intelligence": "0.03",
  "toll-free-inbound": "0.05",
};

const log = (line) => process.stderr.write(`${line}\n`);
const phase = async (name, run) => {
  const startMs = performance.now();
  const value = await run();
  log(`  ${name}: ${((performance.now() - startMs) / 1000).toFixed(1)} s`);
  return value;
};

/** The sample decks as the app ships them, read from source (the soak runs the built bundle). */
async function sampleDeck(name) {
  const { readFileSync } = await import("node:fs");
  const source = readFileSync(join(ROOT, "src/rating/sample-decks.ts"), "utf8");
  const match = new RegExp(`export const ${name} = \`([^\`]*)\``).exec(source);
  if (!match) throw new Error(`${name} not found in src/rating/sample-decks.ts`);
  return match[1];
}

async function setUp(client) {
  const must = async (what, answer) => {
    if (answer.status >= 300)
      throw new Error(`${what} answered ${answer.status}: ${JSON.stringify(answer.body)}`);
    return answer.body;
  };
  await must(
    "calls deck",
    await client.request("setup", "PUT", "/v1/rates/calls", {
      rawBody: await sampleDeck("SAMPLE_CALL_DECK_CSV"),
      contentType: "text/csv",
    }),
  );
  await must(
    "messages deck",
    await client.request("setup", "PUT", "/v1/rates/messages", {
      rawBody: await sampleDeck("SAMPLE_MESSAGE_DECK_CSV"),
      contentType: "text/csv",
    }),
  );
  await must(
    "service rates",
    await client.request("setup", "PUT", "/v1/rates/services", { body: SERVICE_RATES }),
  );
  return Promise.all(
    Array.from({ length: accountCount }, async (_, i) => {
      const id = `soak-${i}`;
      await must(
        id,
        await client.request("setup", "POST", "/v1/accounts", {
          body: {
            id,
            name: `Soak ${i}`,
            currency: "EUR",
            email: `${id}@example.test`,
            timezone: "Europe/Prague",
          },
        }),
      );
      await must(
        `${id} plan`,
        await client.request("setup", "PUT", `/v1/accounts/${id}/plan`, { body: EU_PLAN }),
      );
      await must(
        `${id} credit`,
        await client.request("setup", "POST", `/v1/accounts/${id}/adjustments`, {
          body: {
            amount: i === 0 ? HOT_OPENING_CREDIT : OPENING_CREDIT,
            reason: "soak opening credit",
          },
          headers: { "Idempotency-Key": `soak-opening-${id}` },
        }),
      );
      const adminKeys = [];
      for (let k = 0; k < ADMIN_KEYS_PER_ACCOUNT; k++) {
        adminKeys.push(
          (
            await must(
              `${id} key`,
              await client.request("setup", "POST", `/v1/accounts/${id}/api-keys`, {
                body: { role: "admin" },
              }),
            )
          ).key,
        );
      }
      return { id, adminKeys };
    }),
  );
}

/** Breaks an invariant on purpose (`--sabotage`), so the checks can be seen to catch it. */
async function sabotage(client, mf, accounts) {
  const i = args.indexOf("--sabotage");
  const what = i >= 0 ? args[i + 1] : null;
  if (what === null) return;
  const id = accounts[1].id;
  if (what === "leak") {
    const leg = {
      userId: "agent-1",
      direction: "outbound",
      from: "+12025550123",
      to: "+4930123456",
    };
    await client.request("sabotage", "POST", `/v1/accounts/${id}/calls/never-ended/authorize`, {
      token: "dev-switch-token",
      body: leg,
    });
  } else if (what === "d1") {
    await (await historyDatabaseOf(mf, id))
      .prepare(
        "INSERT INTO movements (id, account_id, seq, at_ms, description, interaction_id, amount_micros, balance_after_micros) VALUES (?, ?, ?, ?, 'adjustment', 'stray', -1, 0)",
      )
      .bind(`stray-${Date.now()}`, id, 1_000_000_000, Date.now())
      .run();
  } else {
    throw new Error(`--sabotage leak|d1, not ${what}`);
  }
  log(`  sabotaged: ${what} on ${id}`);
}

async function main() {
  log(`soak: ${seconds} s, ${accountCount} accounts, ${loops} loops, seed ${seed}`);
  setGlobalDispatcher(
    new Agent({ connections: loops * 2, pipelining: 1, keepAliveTimeout: 30_000 }),
  );
  const workerErrors = [];
  const worker = await phase("build and start the Worker on workerd", () =>
    startWorker({
      probe: true,
      onLog: (entry) => {
        const text = typeof entry === "string" ? entry : JSON.stringify(entry);
        if (/unhandled_error|uncaught|exception/i.test(text) && workerErrors.length < 10)
          workerErrors.push(text.slice(0, 600));
      },
    }),
  );
  try {
    const stats = new Stats();
    const client = new Client(worker.url, stats);
    const accounts = await phase(`set up decks and ${accountCount} accounts`, () => setUp(client));
    // Count the traffic and the checks, not the set-up.
    stats.kinds.clear();

    const random = seededRandom(seed);
    const book = new AnswerBook();
    const traffic = new Traffic({ client, book, accounts, random, startedAtMs: Date.now() });
    const trafficStartMs = performance.now();
    await phase(`traffic (${loops} loops)`, () => traffic.run(loops, Date.now() + seconds * 1000));
    const trafficSeconds = (performance.now() - trafficStartMs) / 1000;
    const trafficRequests = stats.total();

    // D1 read directly through Miniflare, beside the Worker: the copy the outbox made, in
    // every history shard (each account's movements are in the one it records).
    const historyDbs = await Promise.all(
      ["DB", ...historyShardBindings()].map((name) => worker.mf.getD1Database(name)),
    );
    await sabotage(client, worker.mf, accounts);
    const checks = await phase("settle and check", () =>
      checkInvariants({
        client,
        historyDbs,
        accounts,
        traffic,
        book,
        random,
        stats,
        loops,
        flushOutbox: (accountId) => worker.flushLedger(accountId),
      }),
    );
    return { stats, checks, trafficSeconds, trafficRequests, workerErrors };
  } finally {
    await worker.stop();
  }
}

const startedMs = performance.now();
const outcome = await main();
const { stats, checks, trafficSeconds, trafficRequests, workerErrors } = outcome;
console.log("");
console.log(requestTable(stats, trafficSeconds));
console.log(
  `traffic: ${trafficRequests} requests, ${Math.round(trafficRequests / trafficSeconds)} req/s over ${loops} loops (seed ${seed})`,
);
console.log("");
console.log(invariantTable(checks));
console.log(`\nsoak finished in ${((performance.now() - startedMs) / 1000).toFixed(1)} s`);
if (args.includes("--json"))
  console.log(
    JSON.stringify(
      { seed, seconds, trafficRequests, trafficSeconds, checks: checks.results },
      null,
      2,
    ),
  );
if (checks.failed.length > 0) {
  console.error(
    `\n!!! SOAK FAILED: ${checks.failed.length} invariant(s) broken: ${checks.failed.map((c) => c.name).join("; ")}`,
  );
  if (workerErrors.length > 0) console.error(`Worker errors:\n${workerErrors.join("\n")}`);
  console.error(`Rerun with --seed ${seed} to replay the same traffic choices.`);
  process.exit(1);
}
console.log("soak passed: every invariant holds.");
