import { R2MultipartTextWriter } from "../exports/multipart-writer";
import { addMicros, type Micros } from "../money";
import { MOVEMENT_COLUMNS, type MovementRow } from "./movement-row";

/**
 * One archived month of one account in R2: gzip-compressed NDJSON, one movement per
 * line with the D1 columns as keys (`id`, `account_id`, `seq`, `at_ms`, … `details`), in
 * (at_ms, id) order. Any data tool reads it as it is, e.g. DuckDB's
 * `read_json('history/*\/2025-*.ndjson.gz')`.
 */
export const ARCHIVE_CONTENT_TYPE = "application/x-ndjson";

/** `history/<account>/<YYYY-MM>.ndjson.gz`: one key per account and month, so a rerun overwrites its own object. */
export function archiveObjectKey(accountId: string, month: string): string {
  return `history/${encodeURIComponent(accountId)}/${month}.ndjson.gz`;
}

/** What a month's object holds, counted as it is written and again as it is read back. */
export interface ArchiveTally {
  rows: number;
  sumMicros: Micros;
  firstSeq: number | null;
  lastSeq: number | null;
}

export function emptyTally(): ArchiveTally {
  return { rows: 0, sumMicros: 0, firstSeq: null, lastSeq: null };
}

function count(tally: ArchiveTally, row: MovementRow): void {
  tally.rows += 1;
  tally.sumMicros = addMicros(tally.sumMicros, row.amount_micros);
  tally.firstSeq = tally.firstSeq === null ? row.seq : Math.min(tally.firstSeq, row.seq);
  tally.lastSeq = tally.lastSeq === null ? row.seq : Math.max(tally.lastSeq, row.seq);
}

function line(row: MovementRow): string {
  const ordered: Record<string, unknown> = {};
  for (const column of MOVEMENT_COLUMNS) ordered[column] = row[column];
  return `${JSON.stringify(ordered)}\n`;
}

/**
 * Streams pages of rows through gzip into one R2 object by multipart upload. Memory is
 * one page, the compressor's window and one part buffer, whatever the month's size; any
 * failure aborts the upload, so a failed run leaves no object behind.
 */
export async function writeArchiveObject(
  bucket: R2Bucket,
  key: string,
  pages: AsyncIterable<readonly MovementRow[]>,
  options: { partBytes?: number; accountId: string; month: string },
): Promise<ArchiveTally & { bytes: number }> {
  const file = new R2MultipartTextWriter(bucket, key, {
    ...(options.partBytes ? { partBytes: options.partBytes } : {}),
    httpMetadata: { contentType: ARCHIVE_CONTENT_TYPE },
    customMetadata: { accountId: options.accountId, month: options.month, encoding: "gzip" },
  });
  const gzip = new CompressionStream("gzip");
  const uploaded = gzip.readable.pipeTo(
    new WritableStream<Uint8Array>({ write: (chunk) => file.writeBytes(chunk) }),
  );
  const input = gzip.writable.getWriter();
  const encoder = new TextEncoder();
  const tally = emptyTally();
  try {
    for await (const page of pages) {
      let text = "";
      for (const row of page) {
        count(tally, row);
        text += line(row);
      }
      if (text) await input.write(encoder.encode(text));
    }
    await input.close();
    await uploaded;
    const object = await file.close();
    return { ...tally, bytes: object.bytes };
  } catch (error) {
    await input.abort(error).catch(() => undefined);
    await uploaded.catch(() => undefined);
    await file.abort();
    throw error;
  }
}

/**
 * The rows of an archived month, a decompressed chunk's worth at a time, in the order
 * they were written. A missing object is an error: the archive table says it exists.
 */
export async function* readArchiveObject(
  bucket: R2Bucket,
  key: string,
): AsyncGenerator<MovementRow[], void, undefined> {
  const object = await bucket.get(key);
  if (!object) throw new Error(`archived month ${key} is missing from R2`);
  const text = object.body
    .pipeThrough(new DecompressionStream("gzip"))
    .pipeThrough(new TextDecoderStream());
  let rest = "";
  for await (const chunk of text) {
    const lines = (rest + chunk).split("\n");
    rest = lines.pop() ?? "";
    if (lines.length > 0) yield lines.map((text) => JSON.parse(text) as MovementRow);
  }
  if (rest !== "") yield [JSON.parse(rest) as MovementRow];
}

/** Reads the whole object back and counts it: what the archive checks before D1 lets go. */
export async function tallyArchiveObject(bucket: R2Bucket, key: string): Promise<ArchiveTally> {
  const tally = emptyTally();
  for await (const rows of readArchiveObject(bucket, key))
    for (const row of rows) count(tally, row);
  return tally;
}
