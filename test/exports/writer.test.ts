import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { CSV_HEADER, movementToCsvRow } from "../../src/exports/csv";
import { EXPORT_PAGE_ROWS, R2_MIN_PART_BYTES } from "../../src/exports/limits";
import { R2MultipartTextWriter } from "../../src/exports/multipart-writer";
import type { ExportMovement } from "../../src/exports/types";
import { exportObjectKey, writeExportFile } from "../../src/exports/writer";
import { callMovement, movementId, observedBucket, parseCsv } from "./helpers";

const PART_BYTES = R2_MIN_PART_BYTES;
const ZONE = "Europe/Prague";

async function* pagesOf(
  movements: ExportMovement[],
  pageRows = 3,
): AsyncGenerator<ExportMovement[]> {
  for (let i = 0; i < movements.length; i += pageRows) yield movements.slice(i, i + pageRows);
}

/** A ledger's worth of movements: balance_after follows the amounts, as in the DO. */
function ledger(
  openingMicros: number,
  amountsMicros: number[],
  startMs = Date.UTC(2026, 10, 1),
): ExportMovement[] {
  let balanceMicros = openingMicros;
  return amountsMicros.map((amountMicros, i) => {
    balanceMicros += amountMicros;
    const atMs = startMs + i * 61_000;
    return callMovement(
      amountMicros > 0
        ? {
            atMs,
            id: movementId(atMs, i),
            description: "top-up",
            units: null,
            unitsCharged: null,
            unitPriceMicros: null,
            amountMicros,
            balanceAfterMicros: balanceMicros,
          }
        : { atMs, id: movementId(atMs, i), amountMicros, balanceAfterMicros: balanceMicros },
    );
  });
}

describe("writeExportFile", () => {
  it("writes the header and a row per movement, and sums the credit column to the balance change", async () => {
    const amounts = [-24_600, 25_000_000, -123, -1_000_000, -7, 10_000_000, -333_333];
    const movements = ledger(5_000_000, amounts);
    const key = exportObjectKey("acc_1", "exp_small");
    const result = await writeExportFile({
      pages: pagesOf(movements),
      timeZone: ZONE,
      file: new R2MultipartTextWriter(env.EXPORTS, key, { partBytes: PART_BYTES }),
    });

    const expected = CSV_HEADER + movements.map((m) => movementToCsvRow(m, ZONE)).join("");
    expect(result.rows).toBe(amounts.length);
    expect(result.bytes).toBe(new TextEncoder().encode(expected).byteLength);
    const closingMicros = movements.at(-1)!.balanceAfterMicros;
    expect(result.sumMicros).toBe(closingMicros - 5_000_000);
    expect(result.sumMicros).toBe(amounts.reduce((a, b) => a + b, 0));

    const text = await (await env.EXPORTS.get(key))!.text();
    expect(text).toBe(expected);
    const records = parseCsv(text);
    expect(records).toHaveLength(amounts.length + 1);
    // The column as a spreadsheet would read it sums to the same amount.
    const columnMicros = records.slice(1).map((r) => Math.round(Number(r[6]) * 1_000_000));
    expect(columnMicros.reduce((a, b) => a + b, 0)).toBe(result.sumMicros);
  });

  it("writes a header-only file for a period with no movements", async () => {
    const key = exportObjectKey("acc_1", "exp_empty");
    const result = await writeExportFile({
      pages: pagesOf([]),
      timeZone: ZONE,
      file: new R2MultipartTextWriter(env.EXPORTS, key, { partBytes: PART_BYTES }),
    });
    expect(result).toMatchObject({ rows: 0, sumMicros: 0 });
    expect(await (await env.EXPORTS.get(key))!.text()).toBe(CSV_HEADER);
  });

  it("fails and leaves no file when pages repeat a row", async () => {
    const movements = ledger(0, [-1, -2, -3, -4]);
    const repeated = [movements[0]!, movements[1]!, movements[1]!, movements[2]!];
    const key = exportObjectKey("acc_1", "exp_repeat");
    await expect(
      writeExportFile({
        pages: pagesOf(repeated),
        timeZone: ZONE,
        file: new R2MultipartTextWriter(env.EXPORTS, key, { partBytes: PART_BYTES }),
      }),
    ).rejects.toThrow("out of order");
    expect(await env.EXPORTS.head(key)).toBeNull();
  });

  it("fails when a row falls outside the period it was given", async () => {
    const movements = ledger(0, [-1, -2]);
    const key = exportObjectKey("acc_1", "exp_outside");
    await expect(
      writeExportFile({
        pages: pagesOf(movements),
        timeZone: ZONE,
        file: new R2MultipartTextWriter(env.EXPORTS, key, { partBytes: PART_BYTES }),
        period: { periodStartMs: movements[1]!.atMs, periodEndMs: movements[1]!.atMs },
      }),
    ).rejects.toThrow("outside the export period");
    expect(await env.EXPORTS.head(key)).toBeNull();
  });

  it("refuses an unknown time zone before writing anything", async () => {
    const { bucket, record } = observedBucket(env.EXPORTS);
    await expect(
      writeExportFile({
        pages: pagesOf([]),
        timeZone: "Mars/Olympus_Mons",
        file: new R2MultipartTextWriter(bucket, "tz.csv", { partBytes: PART_BYTES }),
      }),
    ).rejects.toThrow("unknown time zone");
    expect(record.created).toBe(0);
  });

  it("aborts the upload when the source fails after parts went up", async () => {
    const { bucket, record } = observedBucket(env.EXPORTS);
    const key = exportObjectKey("acc_1", "exp_source_fails");
    async function* failing(): AsyncGenerator<ExportMovement[]> {
      yield* syntheticPages(60_000, EXPORT_PAGE_ROWS, { pulledRows: 0 });
      throw new Error("D1 went away");
    }
    await expect(
      writeExportFile({
        pages: failing(),
        timeZone: ZONE,
        file: new R2MultipartTextWriter(bucket, key, { partBytes: PART_BYTES }),
      }),
    ).rejects.toThrow("D1 went away");
    expect(record.partSizes.length).toBeGreaterThan(0);
    expect(record.aborted).toBe(1);
    expect(record.completed).toBe(0);
    expect(await env.EXPORTS.head(key)).toBeNull();
  });

  it("streams 200 000 rows into R2 in equal parts, one page and one part buffer at a time", {
    timeout: 120_000,
  }, async () => {
    const ROWS = 200_000;
    const counter = { pulledRows: 0 };
    const { bucket, record } = observedBucket(env.EXPORTS);
    const pulledAtPart: number[] = [];
    record.onUploadPart = () => pulledAtPart.push(counter.pulledRows);
    const key = exportObjectKey("acc_big", "exp_200k");

    const result = await writeExportFile({
      pages: syntheticPages(ROWS, EXPORT_PAGE_ROWS, counter),
      timeZone: ZONE,
      file: new R2MultipartTextWriter(bucket, key, { partBytes: PART_BYTES }),
    });

    expect(result.rows).toBe(ROWS);
    expect(result.sumMicros).toBe(expectedSumMicros(ROWS));
    const parts = Math.ceil(result.bytes / PART_BYTES);
    expect(parts).toBeGreaterThanOrEqual(4);
    expect(result.object.parts).toBe(parts);
    expect(record.partSizes.slice(0, -1)).toEqual(Array(parts - 1).fill(PART_BYTES));
    expect(record.partSizes.at(-1)).toBeLessThanOrEqual(PART_BYTES);

    const text = await (await env.EXPORTS.get(key))!.text();
    expect(text.length).toBe(result.bytes); // ASCII only, so characters are bytes
    let expected = CSV_HEADER;
    for await (const page of syntheticPages(ROWS, EXPORT_PAGE_ROWS, { pulledRows: 0 })) {
      for (const movement of page) expected += movementToCsvRow(movement, ZONE);
    }
    expect(text === expected).toBe(true);

    // Bounded memory, shown by the data flow: when part k goes up, the source has been
    // read no further than the rows inside the first k parts plus the page being written.
    const rowEnds: number[] = [];
    for (let at = text.indexOf("\r\n") + 2; at < text.length; at = text.indexOf("\r\n", at) + 2)
      rowEnds.push(at);
    pulledAtPart.forEach((pulledRows, index) => {
      if (index === pulledAtPart.length - 1) return; // the last part goes up after the source ends
      const partEndByte = (index + 1) * PART_BYTES;
      const rowsInsideParts = rowEnds.filter((end) => end <= partEndByte).length;
      expect(pulledRows - rowsInsideParts).toBeLessThanOrEqual(EXPORT_PAGE_ROWS + 1);
    });
  });
});

/** Deterministic movements made on demand, page by page, counting what was pulled. */
async function* syntheticPages(
  rows: number,
  pageRows: number,
  counter: { pulledRows: number },
): AsyncGenerator<ExportMovement[]> {
  const startMs = Date.UTC(2026, 9, 23, 6);
  let balanceMicros = 0;
  for (let first = 0; first < rows; first += pageRows) {
    const page: ExportMovement[] = [];
    for (let i = first; i < Math.min(rows, first + pageRows); i++) {
      const atMs = startMs + i * 12_345; // about 29 days, crossing the October DST change
      const amountMicros = syntheticAmountMicros(i);
      balanceMicros += amountMicros;
      page.push({
        id: movementId(atMs, i),
        atMs,
        description: i % 500 === 0 ? "top-up" : i % 3 === 0 ? "sms" : "call",
        interactionId: `CA${i.toString(16).padStart(30, "0")}`,
        units: i % 500 === 0 ? null : i % 3 === 0 ? "fragments" : "seconds",
        unitsCharged: i % 500 === 0 ? null : i % 3 === 0 ? 1 + (i % 3) : 60 * (1 + (i % 7)),
        unitPriceMicros: i % 500 === 0 ? null : i % 3 === 0 ? 50_000 : 10_000 + (i % 97),
        amountMicros,
        balanceAfterMicros: balanceMicros,
        userId: `user-${i % 40}`,
        reason: null,
      });
    }
    counter.pulledRows += page.length;
    yield page;
  }
}

function syntheticAmountMicros(i: number): number {
  return i % 500 === 0 ? 50_000_000 : -(1 + ((i * 7919) % 250_000));
}

function expectedSumMicros(rows: number): number {
  let sum = 0;
  for (let i = 0; i < rows; i++) sum += syntheticAmountMicros(i);
  return sum;
}
