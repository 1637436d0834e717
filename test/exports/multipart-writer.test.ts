import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { EXPORT_PART_BYTES, R2_MIN_PART_BYTES } from "../../src/exports/limits";
import { R2MultipartTextWriter } from "../../src/exports/multipart-writer";
import { observedBucket } from "./helpers";

const PART_BYTES = R2_MIN_PART_BYTES;

describe("R2MultipartTextWriter", () => {
  it("defaults to 8 MiB parts and refuses parts R2 would reject", () => {
    expect(EXPORT_PART_BYTES).toBe(8 * 1024 * 1024);
    expect(new R2MultipartTextWriter(env.EXPORTS, "k").partBytes).toBe(EXPORT_PART_BYTES);
    expect(
      () => new R2MultipartTextWriter(env.EXPORTS, "k", { partBytes: PART_BYTES - 1 }),
    ).toThrow(RangeError);
  });

  it("uploads equal parts and a smaller last one, and R2 keeps exactly the text", async () => {
    const { bucket, record } = observedBucket(env.EXPORTS);
    const writer = new R2MultipartTextWriter(bucket, "equal-parts.csv", {
      partBytes: PART_BYTES,
      httpMetadata: { contentType: "text/csv; charset=utf-8" },
    });
    // Chunks of varying length with multi-byte characters, so part ends fall mid-chunk.
    const chunks: string[] = [];
    let length = 0;
    for (let i = 0; length < 2.4 * PART_BYTES; i++) {
      const chunk = `${i},Příliš žluťoučký kůň 😀,${"x".repeat(i % 977)}\r\n`;
      chunks.push(chunk);
      length += chunk.length;
      await writer.write(chunk);
    }
    const written = await writer.close();
    const expected = chunks.join("");
    const expectedBytes = new TextEncoder().encode(expected).byteLength;

    expect(written.bytes).toBe(expectedBytes);
    expect(written.parts).toBe(Math.ceil(expectedBytes / PART_BYTES));
    expect(record.partSizes.slice(0, -1)).toEqual(Array(written.parts - 1).fill(PART_BYTES));
    expect(record.partSizes.at(-1)).toBe(expectedBytes - (written.parts - 1) * PART_BYTES);
    const object = await env.EXPORTS.get("equal-parts.csv");
    expect(object?.size).toBe(expectedBytes);
    expect(object?.etag).toBe(written.etag);
    expect(object?.httpMetadata?.contentType).toBe("text/csv; charset=utf-8");
    expect(await object?.text()).toBe(expected);
  });

  it("splits a character's bytes across parts rather than cut a part short", async () => {
    const { bucket, record } = observedBucket(env.EXPORTS);
    const writer = new R2MultipartTextWriter(bucket, "split-char.csv", { partBytes: PART_BYTES });
    const text = `${"a".repeat(PART_BYTES - 2)}😀${"b".repeat(10)}`;
    await writer.write(text);
    const written = await writer.close();
    expect(record.partSizes).toEqual([PART_BYTES, 12]);
    expect(written.bytes).toBe(PART_BYTES + 12);
    expect(await (await env.EXPORTS.get("split-char.csv"))?.text()).toBe(text);
  });

  it("sends no empty last part when the text ends on a part boundary", async () => {
    const { bucket, record } = observedBucket(env.EXPORTS);
    const writer = new R2MultipartTextWriter(bucket, "boundary.csv", { partBytes: PART_BYTES });
    await writer.write("c".repeat(PART_BYTES));
    await writer.write("d".repeat(PART_BYTES));
    expect(await writer.close()).toMatchObject({ bytes: 2 * PART_BYTES, parts: 2 });
    expect(record.partSizes).toEqual([PART_BYTES, PART_BYTES]);
  });

  it("writes a small file as one part, and an empty one as an empty object", async () => {
    const small = new R2MultipartTextWriter(env.EXPORTS, "small.csv", { partBytes: PART_BYTES });
    await small.write("a,b\r\n");
    expect(await small.close()).toMatchObject({ key: "small.csv", bytes: 5, parts: 1 });
    expect(await (await env.EXPORTS.get("small.csv"))?.text()).toBe("a,b\r\n");

    const empty = new R2MultipartTextWriter(env.EXPORTS, "empty.csv", { partBytes: PART_BYTES });
    expect(await empty.close()).toMatchObject({ bytes: 0, parts: 1 });
    expect((await env.EXPORTS.head("empty.csv"))?.size).toBe(0);
  });

  it("aborts the upload when R2 fails, leaves no object and refuses further writes", async () => {
    const { bucket, record } = observedBucket(env.EXPORTS);
    record.failOnPart = 2;
    const writer = new R2MultipartTextWriter(bucket, "failed.csv", { partBytes: PART_BYTES });
    await writer.write("e".repeat(PART_BYTES));
    await expect(writer.write("f".repeat(PART_BYTES))).rejects.toThrow(
      "injected failure on part 2",
    );
    expect(record.aborted).toBe(1);
    expect(record.completed).toBe(0);
    await expect(writer.write("g")).rejects.toThrow("already aborted");
    await expect(writer.close()).rejects.toThrow("already aborted");
    expect(await env.EXPORTS.head("failed.csv")).toBeNull();
  });

  it("aborts on request after parts went up, once, and nothing is stored", async () => {
    const { bucket, record } = observedBucket(env.EXPORTS);
    const writer = new R2MultipartTextWriter(bucket, "aborted.csv", { partBytes: PART_BYTES });
    await writer.write("h".repeat(PART_BYTES + 100));
    expect(record.partSizes).toEqual([PART_BYTES]);
    await writer.abort();
    await writer.abort();
    expect(record.aborted).toBe(1);
    expect(await env.EXPORTS.head("aborted.csv")).toBeNull();
  });

  it("creates no upload at all when aborted before the first part", async () => {
    const { bucket, record } = observedBucket(env.EXPORTS);
    const writer = new R2MultipartTextWriter(bucket, "never.csv", { partBytes: PART_BYTES });
    await writer.write("header\r\n");
    await writer.abort();
    expect(record.created).toBe(0);
    expect(await env.EXPORTS.head("never.csv")).toBeNull();
  });
});
