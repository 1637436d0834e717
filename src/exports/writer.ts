import { addMicros, type Micros } from "../money";
import { CSV_HEADER, movementToCsvRow } from "./csv";
import type { TextFileWriter, WrittenObject } from "./multipart-writer";
import type { ExportMovement } from "./types";
import { isTimeZone } from "../time-zone";

export interface ExportFileResult {
  rows: number;
  bytes: number;
  /** Sum of the Credit movement column, for the caller to hold against the balance change. */
  sumMicros: Micros;
  object: WrittenObject;
}

export interface WriteExportInput {
  /** Pages in (atMs, id) order, as keyset pagination yields them. */
  pages: AsyncIterable<readonly ExportMovement[]>;
  timeZone: string;
  file: TextFileWriter;
  /** When given, every row must fall inside it: a wrong query fails the export, not the customer. */
  period?: { periodStartMs: number; periodEndMs: number };
}

/**
 * Writes one export file: the header, then a row per movement, one page at a time, so
 * memory is a page of movements plus the file's part buffer. Any failure aborts the file.
 */
export async function writeExportFile(input: WriteExportInput): Promise<ExportFileResult> {
  const { pages, timeZone, file, period } = input;
  if (!isTimeZone(timeZone)) throw new RangeError(`unknown time zone: ${timeZone}`);
  let rows = 0;
  let sumMicros: Micros = 0;
  let previous: ExportMovement | undefined;
  try {
    await file.write(CSV_HEADER);
    for await (const page of pages) {
      let text = "";
      for (const movement of page) {
        assertFollows(previous, movement);
        if (period) assertInPeriod(movement, period);
        text += movementToCsvRow(movement, timeZone);
        sumMicros = addMicros(sumMicros, movement.amountMicros);
        previous = movement;
      }
      rows += page.length;
      if (text) await file.write(text);
    }
    const object = await file.close();
    return { rows, bytes: object.bytes, sumMicros, object };
  } catch (error) {
    await file.abort();
    throw error;
  }
}

/** `exports/<account>/<export>.csv`: one key per export, so a redelivered job overwrites its own file. */
export function exportObjectKey(accountId: string, exportId: string): string {
  return `exports/${encodeURIComponent(accountId)}/${encodeURIComponent(exportId)}.csv`;
}

// Keyset pagination that repeats or skips a row would still produce a plausible file;
// strict order is what proves every row came exactly once.
function assertFollows(previous: ExportMovement | undefined, next: ExportMovement): void {
  if (!previous) return;
  if (next.atMs > previous.atMs || (next.atMs === previous.atMs && next.id > previous.id)) return;
  throw new Error(
    `export rows out of order: ${previous.atMs}/${previous.id} then ${next.atMs}/${next.id}`,
  );
}

function assertInPeriod(
  movement: ExportMovement,
  period: { periodStartMs: number; periodEndMs: number },
): void {
  if (movement.atMs >= period.periodStartMs && movement.atMs <= period.periodEndMs) return;
  throw new Error(`movement ${movement.id} at ${movement.atMs} is outside the export period`);
}
