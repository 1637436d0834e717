/**
 * UUIDv7 ids that sort by creation time. Within one ledger they are strictly increasing
 * even when the clock stands still or steps back, because export pagination and the D1
 * history order by id and must never reorder two movements of the same account.
 */
export class MonotonicUuidV7 {
  #lastMs = 0;
  #counter = 0;

  next(nowMs: number): string {
    let ms = Math.max(nowMs, this.#lastMs);
    if (ms === this.#lastMs) {
      this.#counter += 1;
      // 12 bits of counter per millisecond; past that, borrow the next millisecond.
      if (this.#counter > 0xfff) {
        ms += 1;
        this.#counter = 0;
      }
    } else {
      this.#counter = 0;
    }
    this.#lastMs = ms;
    return formatUuidV7(ms, this.#counter);
  }
}

function formatUuidV7(ms: number, counter: number): string {
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes.subarray(8));
  let t = ms;
  for (let i = 5; i >= 0; i--) {
    bytes[i] = t % 256;
    t = Math.floor(t / 256);
  }
  bytes[6] = 0x70 | (counter >> 8);
  bytes[7] = counter & 0xff;
  bytes[8] = 0x80 | ((bytes[8] ?? 0) & 0x3f);
  const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** Random opaque id with a type prefix, for things that need no ordering (keys, payments). */
export function randomId(prefix: string, bytes = 16): string {
  const raw = new Uint8Array(bytes);
  crypto.getRandomValues(raw);
  return `${prefix}_${base64url(raw)}`;
}

export function base64url(bytes: Uint8Array): string {
  let binary = "";
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
}
