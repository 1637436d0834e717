#!/usr/bin/env node
// `npm run bench`: every benchmark of the service, each on the built Worker running on
// local workerd (scripts/bench/harness.mjs starts it through Miniflare, not through
// `wrangler dev`, whose proxy would be the bottleneck), each figure printed beside the
// no-op route measured in the same run.
//
//   npm run bench                      # calls, then exports of 100 000 and 1 000 000 rows
//   npm run bench -- --seconds 10      # longer call runs
//   npm run bench -- --only calls      # or: --only exports
import { benchCalls, formatCallsTable } from "./bench/calls.mjs";
import { benchExport, formatExportTable } from "./bench/export.mjs";

const args = process.argv.slice(2);
const option = (name, fallback) => {
  const at = args.indexOf(`--${name}`);
  return at >= 0 && args[at + 1] ? args[at + 1] : fallback;
};
const only = option("only", "all");
const seconds = Number(option("seconds", "5"));
const concurrency = Number(option("concurrency", "32"));

if (only === "all" || only === "calls") {
  const rows = await benchCalls({ seconds, concurrency });
  console.log("\nCall authorization (authorize → end), beside the no-op route GET /health:\n");
  console.log(formatCallsTable(rows));
}
if (only === "all" || only === "exports") {
  const rows = await benchExport({});
  console.log("\nExport of credit movements (D1 → CSV → R2 multipart, through the real queue consumer):\n");
  console.log(formatExportTable(rows));
}
