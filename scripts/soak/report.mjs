// The soak's summary: requests by kind with their statuses and latencies, the throughput,
// and each invariant with PASS or FAIL.

function percentile(values, q) {
  if (values.length === 0) return "-";
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))].toFixed(1);
}

function table(header, rows, rightAlignedFrom = 1) {
  const cells = [header, ...rows].map((row) => row.map(String));
  const widths = header.map((_, i) => Math.max(...cells.map((row) => row[i].length)));
  const line = (row) =>
    row
      .map((cell, i) => (i < rightAlignedFrom ? cell.padEnd(widths[i]) : cell.padStart(widths[i])))
      .join("  ");
  return [
    line(cells[0]),
    widths.map((w) => "-".repeat(w)).join("  "),
    ...cells.slice(1).map(line),
  ].join("\n");
}

export function requestTable(stats, trafficSeconds) {
  const rows = [];
  for (const [kind, entry] of [...stats.kinds].sort(([a], [b]) => a.localeCompare(b))) {
    const by = (test) =>
      [...entry.statuses].filter(([status]) => test(status)).reduce((n, [, c]) => n + c, 0);
    const refusals = [...entry.codes]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 2)
      .map(([code, n]) => `${code} ×${n}`)
      .join(", ");
    rows.push([
      kind,
      entry.count,
      by((s) => typeof s === "number" && s < 300),
      by((s) => typeof s === "number" && s >= 400 && s < 500),
      by((s) => typeof s === "number" && s >= 500),
      by((s) => s === "network"),
      percentile(entry.latenciesMs, 0.5),
      percentile(entry.latenciesMs, 0.99),
      refusals || "-",
    ]);
  }
  const total = stats.total();
  return [
    table(
      ["requests", "count", "2xx", "4xx", "5xx", "dropped", "p50 ms", "p99 ms", "4xx codes"],
      rows,
    ),
    "",
    `${total} requests in all; traffic phase ${trafficSeconds.toFixed(1)} s`,
  ].join("\n");
}

export function invariantTable(checks) {
  return table(
    ["invariant", "result", "detail"],
    checks.results.map((r) => [r.name, r.ok ? "PASS" : "FAIL", r.detail]),
    99,
  );
}
