import {
  EXPORT_PART_BYTES,
  EXPORT_PART_BYTES_MAX,
  R2_MAX_PARTS,
  R2_MIN_PART_BYTES,
} from "./limits";

export interface MultipartWriterOptions {
  /** Size of every part but the last; tests pass R2's minimum to stay fast. */
  partBytes?: number;
  httpMetadata?: R2HTTPMetadata;
  customMetadata?: Record<string, string>;
}

export interface WrittenObject {
  key: string;
  bytes: number;
  parts: number;
  etag: string;
}

/** What an export needs from its file; the R2 writer is the real one, tests may fake it. */
export interface TextFileWriter {
  readonly bytesWritten: number;
  write(text: string): Promise<void>;
  close(): Promise<WrittenObject>;
  abort(): Promise<void>;
}

/**
 * Streams text into one R2 object through a multipart upload whose parts all have exactly
 * `partBytes` bytes except the last, which R2 requires. Memory is one part buffer whatever
 * the length of the text: a full buffer is uploaded and reused before more is encoded.
 *
 * The upload is created with the first part, so nothing exists in R2 until there is
 * something to keep; any failure aborts it, so a failed export leaves no object behind.
 */
export class R2MultipartTextWriter implements TextFileWriter {
  readonly key: string;
  readonly partBytes: number;
  readonly #bucket: R2Bucket;
  readonly #options: MultipartWriterOptions;
  readonly #encoder = new TextEncoder();
  readonly #buffer: Uint8Array;
  #filledBytes = 0;
  #bytesWritten = 0;
  #upload: R2MultipartUpload | undefined;
  readonly #parts: R2UploadedPart[] = [];
  #state: "open" | "closed" | "aborted" = "open";

  constructor(bucket: R2Bucket, key: string, options: MultipartWriterOptions = {}) {
    const partBytes = options.partBytes ?? EXPORT_PART_BYTES;
    if (
      !Number.isSafeInteger(partBytes) ||
      partBytes < R2_MIN_PART_BYTES ||
      partBytes > EXPORT_PART_BYTES_MAX
    ) {
      throw new RangeError(
        `part size must be ${R2_MIN_PART_BYTES}..${EXPORT_PART_BYTES_MAX} bytes: ${partBytes}`,
      );
    }
    this.key = key;
    this.partBytes = partBytes;
    this.#bucket = bucket;
    this.#options = options;
    this.#buffer = new Uint8Array(partBytes);
  }

  get bytesWritten(): number {
    return this.#bytesWritten;
  }

  /** The R2 upload id once the first part is on its way, for logs and a later resume. */
  get uploadId(): string | undefined {
    return this.#upload?.uploadId;
  }

  async write(text: string): Promise<void> {
    this.#assertOpen();
    await this.#abortingOnError(() => this.#encode(text));
  }

  /** Bytes already encoded (a compressed stream, say), under the same equal-parts rule. */
  async writeBytes(bytes: Uint8Array): Promise<void> {
    this.#assertOpen();
    await this.#abortingOnError(async () => {
      let offset = 0;
      while (offset < bytes.length) {
        const taken = Math.min(bytes.length - offset, this.partBytes - this.#filledBytes);
        this.#buffer.set(bytes.subarray(offset, offset + taken), this.#filledBytes);
        offset += taken;
        this.#filledBytes += taken;
        this.#bytesWritten += taken;
        if (this.#filledBytes === this.partBytes) await this.#uploadFullPart();
      }
    });
  }

  async close(): Promise<WrittenObject> {
    this.#assertOpen();
    return this.#abortingOnError(async () => {
      // An empty file is still one (empty) part, so every object goes the same way.
      if (this.#filledBytes > 0 || this.#parts.length === 0) {
        await this.#uploadPart(this.#buffer.subarray(0, this.#filledBytes));
      }
      const upload = await this.#ensureUpload();
      const object = await upload.complete(this.#parts);
      this.#state = "closed";
      if (object.size !== this.#bytesWritten) {
        await this.#bucket.delete(this.key);
        throw new Error(
          `R2 stored ${object.size} bytes of ${this.#bytesWritten} written to ${this.key}`,
        );
      }
      return { key: this.key, bytes: object.size, parts: this.#parts.length, etag: object.etag };
    });
  }

  /** Safe to call more than once and after a failure; never throws. */
  async abort(): Promise<void> {
    if (this.#state !== "open") return;
    this.#state = "aborted";
    await this.#upload?.abort().catch(() => undefined);
  }

  async #encode(text: string): Promise<void> {
    let offset = 0;
    while (offset < text.length) {
      const rest = offset === 0 ? text : text.slice(offset);
      const { read, written } = this.#encoder.encodeInto(
        rest,
        this.#buffer.subarray(this.#filledBytes),
      );
      offset += read;
      this.#filledBytes += written;
      this.#bytesWritten += written;
      if (this.#filledBytes === this.partBytes) {
        await this.#uploadFullPart();
      } else if (offset < text.length) {
        // The next character's UTF-8 bytes do not fit: split them across two parts, since
        // stopping short would make this part smaller than the others.
        offset += await this.#splitCharacter(text, offset);
      }
    }
  }

  async #splitCharacter(text: string, offset: number): Promise<number> {
    const codeUnits = (text.codePointAt(offset) ?? 0) > 0xffff ? 2 : 1;
    const bytes = this.#encoder.encode(text.slice(offset, offset + codeUnits));
    const roomBytes = this.partBytes - this.#filledBytes;
    this.#buffer.set(bytes.subarray(0, roomBytes), this.#filledBytes);
    this.#filledBytes += roomBytes;
    await this.#uploadFullPart();
    this.#buffer.set(bytes.subarray(roomBytes), 0);
    this.#filledBytes = bytes.length - roomBytes;
    this.#bytesWritten += bytes.length;
    return codeUnits;
  }

  async #uploadFullPart(): Promise<void> {
    // The last part goes up in close(); a full part here always leaves room for it.
    if (this.#parts.length + 1 >= R2_MAX_PARTS)
      throw new RangeError(`${this.key} needs more than ${R2_MAX_PARTS} parts`);
    await this.#uploadPart(this.#buffer);
    this.#filledBytes = 0;
  }

  async #uploadPart(bytes: Uint8Array): Promise<void> {
    const upload = await this.#ensureUpload();
    // Awaited before the buffer is refilled: R2 has the bytes once the promise settles.
    this.#parts.push(await upload.uploadPart(this.#parts.length + 1, bytes));
  }

  async #ensureUpload(): Promise<R2MultipartUpload> {
    this.#upload ??= await this.#bucket.createMultipartUpload(this.key, {
      httpMetadata: this.#options.httpMetadata,
      customMetadata: this.#options.customMetadata,
    });
    return this.#upload;
  }

  async #abortingOnError<T>(step: () => Promise<T>): Promise<T> {
    try {
      return await step();
    } catch (error) {
      await this.abort();
      throw error;
    }
  }

  #assertOpen(): void {
    if (this.#state !== "open") throw new Error(`${this.key} is already ${this.#state}`);
  }
}
