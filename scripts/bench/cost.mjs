// What a call costs on Cloudflare: the rows each operation makes the account's ledger read
// and write (counted by the ledger's SQL meter, src/ledger/sql-meter.ts, through the bench's
// probe), and the price of a million calls at Cloudflare's list prices beside the CPU the
// throughput rows measured. Included allowances are left out: these are the prices at the
// margin, once a platform's traffic is past them.
import { rmSync } from "node:fs";
import { callSteps, flushLedgers, messageStep, seed, stateDir } from "./calls.mjs";
import { startWorker } from "./harness.mjs";

/** Cloudflare's list prices in USD, as read on 2026-12-01 in Cloudflare's pricing pages. */
export const PRICES_READ_ON = "2026-12-01";
export const WORKER_REQUEST_USD_PER_MILLION = 0.3;
export const WORKER_CPU_USD_PER_MILLION_MS = 0.02;
export const DO_REQUEST_USD_PER_MILLION = 0.15;
export const DO_ROW_WRITTEN_USD_PER_MILLION = 1.0;
export const DO_ROW_READ_USD_PER_MILLION = 0.001;
export const D1_ROW_WRITTEN_USD_PER_MILLION = 1.0;
export const D1_ROW_READ_USD_PER_MILLION = 0.001;

/** Operations metered per kind: enough that the per-operation figure is exact to 0.01. */
const METERED_OPERATIONS = 200;

/**
 * Meters `METERED_OPERATIONS` of each kind, one at a time on one account, the outbox's copy
 * to D1 included (the ledger reads each movement again to send it). Returns rows per operation.
 */
export async function meterRows(worker, url, accountId) {
  const kinds = [
    ["authorize→end, credit-billed", callSteps(url, () => accountId, { extend: false })],
    ["authorize→end, included", callSteps(url, () => accountId, { extend: false, included: true })],
    ["message charge", messageStep(url, accountId)],
  ];
  const measured = [];
  for (const [operation, step] of kinds) {
    const counts = await worker.meterLedgerRows(accountId, async () => {
      for (let i = 0; i < METERED_OPERATIONS; i++) await step();
      await worker.flushLedger(accountId);
    });
    if (counts.truncated) throw new Error(`${operation}: the SQL meter overflowed`);
    const per = (n) => Math.round((n / METERED_OPERATIONS) * 100) / 100;
    measured.push({
      operation,
      statements: per(counts.statements),
      rowsWritten: per(counts.rowsWritten),
      rowsRead: per(counts.rowsRead),
      d1RowsWritten: per(counts.d1RowsWritten),
      d1RowsRead: per(counts.d1RowsRead),
      byStatement: counts.byStatement.map((s) => ({
        ...s,
        runs: per(s.runs),
        rowsRead: per(s.rowsRead),
        rowsWritten: per(s.rowsWritten),
      })),
    });
  }
  return measured;
}

/**
 * The rows table alone, on a fresh server with one seeded account and no load (`--only rows`):
 * rows are counted, not timed, so the figures are the same on a busy machine. The Worker CPU
 * comes from the throughput rows, so the cost printed here leaves it out.
 */
export async function benchRows({ log = console.error } = {}) {
  log("building and starting the Worker on local workerd…");
  const persistDir = stateDir("memory");
  const worker = await startWorker({ direct: true, probe: true, persistDir });
  try {
    await seed(worker.url, ["bench-one"]);
    await flushLedgers(worker, ["bench-one"]);
    log("rows each operation reads and writes in its ledger…");
    return await meterRows(worker, worker.directUrl, "bench-one");
  } finally {
    await worker.stop();
    rmSync(persistDir, { recursive: true, force: true });
  }
}

/**
 * USD per million credit-billed calls (authorize + end): two Worker requests and the CPU
 * the bench measured for them, at most two ledger RPCs (batching only lowers it), and the
 * ledger rows metered, and the D1 rows its movement's copy cost.
 */
export function costPerMillionCalls({ ledgerRows, cpuUsPerRequest }) {
  const requests = 2;
  const cpu =
    cpuUsPerRequest === undefined
      ? []
      : [["Worker CPU", ((requests * cpuUsPerRequest) / 1000) * WORKER_CPU_USD_PER_MILLION_MS]];
  const items = [
    ["Worker requests", requests * WORKER_REQUEST_USD_PER_MILLION],
    ...cpu,
    ["ledger (DO) requests", requests * DO_REQUEST_USD_PER_MILLION],
    ["ledger rows written", ledgerRows.rowsWritten * DO_ROW_WRITTEN_USD_PER_MILLION],
    ["ledger rows read", ledgerRows.rowsRead * DO_ROW_READ_USD_PER_MILLION],
    ["D1 rows written", ledgerRows.d1RowsWritten * D1_ROW_WRITTEN_USD_PER_MILLION],
    ["D1 rows read", ledgerRows.d1RowsRead * D1_ROW_READ_USD_PER_MILLION],
  ];
  const total = items.reduce((sum, [, usd]) => sum + usd, 0);
  return { items: items.map(([item, usd]) => ({ item, usd })), total };
}

export function formatRowsTable(measured) {
  const header =
    "| operation | statements | ledger rows written | ledger rows read | D1 rows written | D1 rows read |";
  const lines = measured.map(
    (m) =>
      `| ${m.operation} | ${m.statements} | ${m.rowsWritten} | ${m.rowsRead} | ${m.d1RowsWritten} | ${m.d1RowsRead} |`,
  );
  return [header, "|---|---|---|---|---|---|", ...lines].join("\n");
}

/** Per operation, the statements that read or wrote rows, per operation (`--statements`). */
export function formatStatementsTable(measured) {
  const lines = measured.flatMap((m) =>
    m.byStatement
      .filter((s) => s.rowsWritten > 0 || s.rowsRead > 0)
      .map(
        (s) => `| ${m.operation} | ${s.statement} | ${s.runs} | ${s.rowsWritten} | ${s.rowsRead} |`,
      ),
  );
  const header = "| operation | statement | runs | rows written | rows read |";
  return [header, "|---|---|---|---|---|", ...lines].join("\n");
}

export function formatCostTable(cost) {
  const usd = (n) => `$${n.toFixed(4)}`;
  const lines = cost.items.map((c) => `| ${c.item} | ${usd(c.usd)} |`);
  return [
    `| per million credit-billed calls (list prices of ${PRICES_READ_ON}) | USD |`,
    "|---|---|",
    ...lines,
    `| **total** | **${usd(cost.total)}** |`,
  ].join("\n");
}
