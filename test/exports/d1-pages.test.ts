import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { movementToCsvRow, CSV_HEADER } from "../../src/exports/csv";
import { MOVEMENT_PAGE_SQL, movementPagesFromD1 } from "../../src/exports/d1-pages";
import { EXPORT_PAGE_ROWS, R2_MIN_PART_BYTES } from "../../src/exports/limits";
import { R2MultipartTextWriter } from "../../src/exports/multipart-writer";
import type { ExportMovement } from "../../src/exports/types";
import { exportWindow } from "../../src/exports/window";
import { exportMovementFromRow as movementFromRow } from "../../src/history/movement-row";
import { exportObjectKey, writeExportFile } from "../../src/exports/writer";
import { movementId } from "./helpers";

// The lead's migration defines the same shape; this file only needs it to exist.
const SCHEMA = [
  `CREATE TABLE IF NOT EXISTS movements (id TEXT PRIMARY KEY, account_id TEXT NOT NULL, seq INTEGER NOT NULL,
    at_ms INTEGER NOT NULL, description TEXT NOT NULL, interaction_id TEXT NOT NULL, units TEXT,
    units_charged INTEGER, unit_price_micros INTEGER, amount_micros INTEGER NOT NULL,
    balance_after_micros INTEGER NOT NULL, user_id TEXT, reason TEXT, details TEXT)`,
  "CREATE INDEX IF NOT EXISTS movements_account_time ON movements (account_id, at_ms, id)",
];

const NOW_MS = Date.UTC(2026, 10, 22, 13, 3, 5);
const ZONE = "Europe/Prague";
const WINDOW = exportWindow(NOW_MS, ZONE);

interface Seeded extends ExportMovement {
  accountId: string;
  seq: number;
}

const seeded: Seeded[] = [];

function seed(
  accountId: string,
  atMs: number,
  amountMicros: number,
  extra: Partial<ExportMovement> = {},
): Seeded {
  const seq = seeded.filter((m) => m.accountId === accountId).length + 1;
  const previous = seeded.findLast((m) => m.accountId === accountId);
  const movement: Seeded = {
    accountId,
    seq,
    id: movementId(atMs, seeded.length),
    atMs,
    description: "call",
    interactionId: `call-${seeded.length}`,
    units: "seconds",
    unitsCharged: 60,
    unitPriceMicros: 12_000,
    amountMicros,
    balanceAfterMicros: (previous?.balanceAfterMicros ?? 100_000_000) + amountMicros,
    userId: "u1",
    reason: null,
    ...extra,
  };
  seeded.push(movement);
  return movement;
}

beforeAll(async () => {
  for (const sql of SCHEMA) await env.DB.prepare(sql).run();
  // Account A: 2 350 movements in the window, many sharing a millisecond so ties straddle
  // page boundaries, plus one on each side of the window; account B interleaved with it.
  seed("acc_a", WINDOW.periodStartMs - 1, -1);
  for (let i = 0; i < 2_350; i++) {
    seed(
      "acc_a",
      WINDOW.periodStartMs + Math.floor(i / 7) * 60_000,
      i % 100 === 0 ? 20_000_000 : -(1_000 + i),
    );
    if (i % 10 === 0) seed("acc_b", WINDOW.periodStartMs + i * 1_000, -5);
  }
  seed("acc_a", WINDOW.periodEndMs, -2, {
    interactionId: 'odd "id", with\nnewline 😀',
    units: null,
    unitsCharged: null,
  });
  seed("acc_a", WINDOW.periodEndMs + 1, -3);
  const insert = env.DB.prepare(
    `INSERT INTO movements (id, account_id, seq, at_ms, description, interaction_id, units, units_charged,
      unit_price_micros, amount_micros, balance_after_micros, user_id, reason)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  // Inserted in a shuffled order: the pages must come out sorted by the query, not by rowid.
  const shuffled = seeded
    .map((m, i) => ({ m, key: (i * 7919) % seeded.length }))
    .sort((a, b) => a.key - b.key);
  for (let i = 0; i < shuffled.length; i += 500) {
    await env.DB.batch(
      shuffled
        .slice(i, i + 500)
        .map(({ m }) =>
          insert.bind(
            m.id,
            m.accountId,
            m.seq,
            m.atMs,
            m.description,
            m.interactionId,
            m.units,
            m.unitsCharged,
            m.unitPriceMicros,
            m.amountMicros,
            m.balanceAfterMicros,
            m.userId,
            m.reason,
          ),
        ),
    );
  }
});

function expectedRows(accountId: string, throughSeq = Infinity): ExportMovement[] {
  return seeded
    .filter(
      (m) =>
        m.accountId === accountId && m.atMs >= WINDOW.periodStartMs && m.atMs <= WINDOW.periodEndMs,
    )
    .filter((m) => m.seq <= throughSeq)
    .sort((a, b) => a.atMs - b.atMs || (a.id < b.id ? -1 : 1))
    .map(({ accountId: _a, seq: _s, ...movement }) => movement);
}

async function collect(
  pages: AsyncIterable<ExportMovement[]>,
): Promise<{ rows: ExportMovement[]; sizes: number[] }> {
  const rows: ExportMovement[] = [];
  const sizes: number[] = [];
  for await (const page of pages) {
    sizes.push(page.length);
    rows.push(...page);
  }
  return { rows, sizes };
}

describe("movementPagesFromD1", () => {
  it("yields every movement of the account in the window once, in (at_ms, id) order, in full pages", async () => {
    const { rows, sizes } = await collect(
      movementPagesFromD1(env.DB, {
        accountId: "acc_a",
        fromMs: WINDOW.periodStartMs,
        toMs: WINDOW.periodEndMs,
        pageRows: 100,
      }),
    );
    const expected = expectedRows("acc_a");
    expect(expected).toHaveLength(2_351);
    expect(rows).toEqual(expected);
    expect(sizes.slice(0, -1).every((size) => size === 100)).toBe(true);
    expect(sizes.at(-1)).toBe(51);
  });

  it("includes both ends of the window and nothing beyond them", async () => {
    const { rows } = await collect(
      movementPagesFromD1(env.DB, {
        accountId: "acc_a",
        fromMs: WINDOW.periodStartMs,
        toMs: WINDOW.periodEndMs,
      }),
    );
    expect(rows[0]!.atMs).toBe(WINDOW.periodStartMs);
    expect(rows.at(-1)!.atMs).toBe(WINDOW.periodEndMs);
    expect(rows.at(-1)!.interactionId).toBe('odd "id", with\nnewline 😀');
    expect(rows.at(-1)!.units).toBeNull();
  });

  it("stops without an empty page when the rows fill the last page exactly", async () => {
    const { rows, sizes } = await collect(
      movementPagesFromD1(env.DB, {
        accountId: "acc_b",
        fromMs: WINDOW.periodStartMs,
        toMs: WINDOW.periodEndMs,
        pageRows: 47,
      }),
    );
    expect(rows).toEqual(expectedRows("acc_b"));
    expect(rows).toHaveLength(235);
    expect(sizes).toEqual([47, 47, 47, 47, 47]);
  });

  it("leaves out movements written after the pinned ledger sequence", async () => {
    const { rows } = await collect(
      movementPagesFromD1(env.DB, {
        accountId: "acc_a",
        fromMs: WINDOW.periodStartMs,
        toMs: WINDOW.periodEndMs,
        throughSeq: 1_000,
      }),
    );
    expect(rows).toEqual(expectedRows("acc_a", 1_000));
    expect(rows).toHaveLength(999);
  });

  it("pages with the default size", async () => {
    expect(EXPORT_PAGE_ROWS).toBe(1_000);
    const { sizes } = await collect(
      movementPagesFromD1(env.DB, {
        accountId: "acc_a",
        fromMs: WINDOW.periodStartMs,
        toMs: WINDOW.periodEndMs,
      }),
    );
    expect(sizes).toEqual([1_000, 1_000, 351]);
  });

  it("seeks the (account_id, at_ms, id) index to the cursor rather than scanning", async () => {
    const plan = await env.DB.prepare(`EXPLAIN QUERY PLAN ${MOVEMENT_PAGE_SQL}`)
      .bind("acc_a", 0, "", 1, null, 10)
      .all<{ detail: string }>();
    const details = plan.results.map((row) => row.detail).join("; ");
    expect(details).toMatch(
      /SEARCH movements USING INDEX movements_account_time \(account_id=\? AND \(at_ms,id\)>\(\?,\?\) AND at_ms<\?\)/,
    );
    expect(details).not.toContain("TEMP B-TREE");
  });

  it("reads one page of rows for a page deep into the period, not every row before it", async () => {
    const cursor = expectedRows("acc_a")[2_000]!;
    const page = await env.DB.prepare(MOVEMENT_PAGE_SQL)
      .bind("acc_a", cursor.atMs, cursor.id, WINDOW.periodEndMs, null, 100)
      .all();
    expect(page.results).toHaveLength(100);
    // A lower bound at the window's start would make SQLite walk the 2 000 rows before the cursor.
    expect(page.meta.rows_read).toBeLessThanOrEqual(101);
  });

  it("refuses a row the ledger could not have written", () => {
    const row = {
      id: "x",
      at_ms: 0,
      description: "refund",
      interaction_id: "i",
      units: null,
      units_charged: null,
      unit_price_micros: null,
      amount_micros: 1,
      balance_after_micros: 1,
      user_id: null,
      reason: null,
    };
    expect(() => movementFromRow(row)).toThrow("unknown description");
    expect(() => movementFromRow({ ...row, description: "call", units: "hours" })).toThrow(
      "unknown units",
    );
    expect(() => movementFromRow({ ...row, description: "call", amount_micros: 0.5 })).toThrow(
      RangeError,
    );
  });
});

describe("D1 to R2", () => {
  it("exports the account's window from D1 into R2, and the credit column sums to the balance change", async () => {
    const key = exportObjectKey("acc_a", "exp_d1");
    const result = await writeExportFile({
      pages: movementPagesFromD1(env.DB, {
        accountId: "acc_a",
        fromMs: WINDOW.periodStartMs,
        toMs: WINDOW.periodEndMs,
      }),
      timeZone: ZONE,
      file: new R2MultipartTextWriter(env.EXPORTS, key, { partBytes: R2_MIN_PART_BYTES }),
      period: WINDOW,
    });
    const expected = expectedRows("acc_a");
    expect(result.rows).toBe(expected.length);
    // Movements are seeded in ledger order, so the window's change is last after − first before.
    const inWindow = seeded.filter(
      (m) =>
        m.accountId === "acc_a" && m.atMs >= WINDOW.periodStartMs && m.atMs <= WINDOW.periodEndMs,
    );
    const first = inWindow[0]!;
    const last = inWindow.at(-1)!;
    expect(result.sumMicros).toBe(
      last.balanceAfterMicros - (first.balanceAfterMicros - first.amountMicros),
    );
    const text = await (await env.EXPORTS.get(key))!.text();
    expect(text).toBe(CSV_HEADER + expected.map((m) => movementToCsvRow(m, ZONE)).join(""));
  });
});
