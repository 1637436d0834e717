const encoder = new TextEncoder();

export function sha256(text: string): Promise<ArrayBuffer> {
  return crypto.subtle.digest("SHA-256", encoder.encode(text));
}

export function toHex(digest: ArrayBuffer): string {
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}

export async function sha256Hex(text: string): Promise<string> {
  return toHex(await sha256(text));
}

/** Digests of the configured secrets, computed once per isolate and secret value. */
const secretDigests = new Map<string, Promise<ArrayBuffer>>();

/**
 * Compares a given secret's digest with a configured secret in time independent of where
 * they differ; comparing digests also hides the expected length.
 */
export async function digestMatchesSecret(
  givenDigest: ArrayBuffer,
  expected: string,
): Promise<boolean> {
  let digest = secretDigests.get(expected);
  if (!digest) {
    digest = sha256(expected);
    secretDigests.set(expected, digest);
  }
  return crypto.subtle.timingSafeEqual(givenDigest, await digest);
}
