import type { ExportMovement } from "../../src/exports/types";

/** A UUIDv7-shaped id that sorts by (atMs, serial), as real ones sort by time. */
export function movementId(atMs: number, serial: number): string {
  const time = atMs.toString(16).padStart(12, "0");
  const tail = serial.toString(16).padStart(12, "0");
  return `${time.slice(0, 8)}-${time.slice(8)}-7000-8000-${tail}`;
}

let serial = 0;

export function callMovement(overrides: Partial<ExportMovement> = {}): ExportMovement {
  const atMs = overrides.atMs ?? Date.UTC(2026, 10, 22, 13, 3, 5);
  serial += 1;
  return {
    id: movementId(atMs, serial),
    atMs,
    description: "call",
    interactionId: `call-${serial}`,
    units: "seconds",
    unitsCharged: 120,
    unitPriceMicros: 12_300,
    amountMicros: -24_600,
    balanceAfterMicros: 10_000_000,
    userId: "user-1",
    reason: null,
    ...overrides,
  };
}

/** RFC 4180 reader for checking what the writer wrote; strict about CRLF record ends. */
export function parseCsv(text: string): string[][] {
  const records: string[][] = [];
  let record: string[] = [];
  let field = "";
  let i = 0;
  while (i < text.length) {
    if (text[i] === '"') {
      i += 1;
      for (;;) {
        if (i >= text.length) throw new Error("unterminated quoted field");
        if (text[i] === '"') {
          if (text[i + 1] === '"') {
            field += '"';
            i += 2;
            continue;
          }
          i += 1;
          break;
        }
        field += text[i];
        i += 1;
      }
    }
    if (text[i] === ",") {
      record.push(field);
      field = "";
      i += 1;
    } else if (text[i] === "\r" && text[i + 1] === "\n") {
      record.push(field);
      records.push(record);
      record = [];
      field = "";
      i += 2;
    } else if (i < text.length) {
      if (text[i] === '"' || text[i] === "\r" || text[i] === "\n")
        throw new Error(`bare ${JSON.stringify(text[i])} at ${i}`);
      field += text[i];
      i += 1;
    }
  }
  if (field !== "" || record.length > 0) throw new Error("last record does not end in CRLF");
  return records;
}

export interface BucketRecord {
  partSizes: number[];
  created: number;
  aborted: number;
  completed: number;
  /** Set by the test, read when a part goes up: lets it see how far the source ran ahead. */
  onUploadPart?: (partNumber: number, bytes: number) => void;
  failOnPart?: number;
}

/**
 * The real R2 binding with its multipart calls observed, and optionally one made to fail:
 * the bytes still go to R2, so what is read back is what R2 stored.
 */
export function observedBucket(bucket: R2Bucket): { bucket: R2Bucket; record: BucketRecord } {
  const record: BucketRecord = { partSizes: [], created: 0, aborted: 0, completed: 0 };
  const observed = {
    head: (key: string) => bucket.head(key),
    get: (key: string) => bucket.get(key),
    delete: (keys: string | string[]) => bucket.delete(keys),
    async createMultipartUpload(
      key: string,
      options?: R2MultipartOptions,
    ): Promise<R2MultipartUpload> {
      record.created += 1;
      const upload = await bucket.createMultipartUpload(key, options);
      return {
        key: upload.key,
        uploadId: upload.uploadId,
        async uploadPart(partNumber: number, value: Uint8Array) {
          record.onUploadPart?.(partNumber, value.byteLength);
          if (record.failOnPart === partNumber)
            throw new Error(`injected failure on part ${partNumber}`);
          record.partSizes.push(value.byteLength);
          return upload.uploadPart(partNumber, value);
        },
        async abort() {
          record.aborted += 1;
          return upload.abort();
        },
        async complete(parts: R2UploadedPart[]) {
          record.completed += 1;
          return upload.complete(parts);
        },
      } as R2MultipartUpload;
    },
  };
  return { bucket: observed as unknown as R2Bucket, record };
}
