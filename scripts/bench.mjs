#!/usr/bin/env node
// `npm run bench`: every benchmark of the service, one table each, on the built Worker
// running on local workerd (scripts/bench/harness.mjs starts it through Miniflare and the
// load goes to the Worker's own socket: neither `wrangler dev`'s proxy nor Miniflare's
// entry worker sits in front). Each figure is printed beside the same server's no-op
// route (and a no-op ledger RPC) measured in the same run.
//
//   npm run bench                          # calls, scaling over processes, exports of 100 000 and 1 000 000 rows
//   npm run bench -- --seconds 10          # longer load runs
//   npm run bench -- --only calls          # or: scaling, exports
//   npm run bench -- --only rows           # the rows table and its cost alone, no load (add --statements)
//   npm run bench -- --state disk          # ledger files on disk instead of tmpfs
import {
  benchCalls,
  CAPACITY_CLIENTS,
  callsVerdict,
  formatCallsTable,
  formatCapacityTable,
} from "./bench/calls.mjs";
import {
  benchRows,
  costPerMillionCalls,
  formatCostTable,
  formatRowsTable,
  formatStatementsTable,
} from "./bench/cost.mjs";
import { benchExport, formatExportTable } from "./bench/export.mjs";
import { benchScaling, formatScalingTable } from "./bench/scaling.mjs";

const args = process.argv.slice(2);
const option = (name, fallback) => {
  const at = args.indexOf(`--${name}`);
  return at >= 0 && args[at + 1] ? args[at + 1] : fallback;
};
const only = option("only", "all");
const seconds = Number(option("seconds", "5"));
const concurrency = Number(option("concurrency", "32"));
const accounts = Number(option("accounts", "1000"));
const state = option("state", "memory");
const wanted = (part) => only === "all" || only === part;

if (only === "rows") {
  const ledgerRows = await benchRows();
  console.log("\nRows each operation makes its account's ledger read and write (SQL meter):\n");
  console.log(formatRowsTable(ledgerRows));
  if (args.includes("--statements")) console.log(`\n${formatStatementsTable(ledgerRows)}`);
  console.log(
    "\nWhat a million credit-billed calls cost at list prices, Worker CPU left out (run `--only calls` for it):\n",
  );
  console.log(formatCostTable(costPerMillionCalls({ ledgerRows: ledgerRows[0] })));
}

if (wanted("calls")) {
  const result = await benchCalls({ seconds, concurrency, accounts, state });
  console.log(
    "\nThe real-time path, beside the no-op route GET /health and a no-op ledger RPC (same server, same run):\n",
  );
  console.log(formatCallsTable(result.rows));
  console.log("* the faster of the two no-op runs.");
  console.log(
    `\nCapacity: the no-op route and authorize→end on one account, each driven by ${CAPACITY_CLIENTS.join(", ")} clients:\n`,
  );
  console.log(formatCapacityTable(result.capacity));
  console.log(`\n${callsVerdict(result)}`);
  console.log("\nRows each operation makes its account's ledger read and write (SQL meter):\n");
  console.log(formatRowsTable(result.ledgerRows));
  const hotCall = result.rows.find((row) => row.scenario === "authorize→end, 1 account");
  const cost = costPerMillionCalls({
    ledgerRows: result.ledgerRows[0],
    cpuUsPerRequest: hotCall.serverCpuUsPerRequest,
  });
  console.log(
    `\nWhat a million credit-billed calls cost at list prices (Worker CPU: ${hotCall.serverCpuUsPerRequest} µs per request, measured above):\n`,
  );
  console.log(formatCostTable(cost));
}
if (wanted("scaling")) {
  const rows = await benchScaling({ seconds, accounts, concurrency });
  console.log(
    `\nauthorize→extend→end across ${accounts} accounts, spread over 1 and 2 workerd processes (one JavaScript thread each):\n`,
  );
  console.log(formatScalingTable(rows));
  const [one, more] = rows;
  if (more) {
    console.log(
      `\n${more.processes} processes: ${Math.round((more.requestsPerSecond / one.requestsPerSecond) * 100) / 100}× the throughput on ` +
        `${Math.round((more.coresInUse / one.coresInUse) * 100) / 100}× the cores; per core ${Math.round((more.perCore / one.perCore) * 100)} % of one process's.`,
    );
  }
}
if (wanted("exports")) {
  const rows = await benchExport({});
  console.log(
    "\nExport of credit movements (D1 → CSV → R2 multipart, through the real queue consumer):\n",
  );
  console.log(formatExportTable(rows));
}
