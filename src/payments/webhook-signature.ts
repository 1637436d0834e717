/**
 * Stripe's webhook signature scheme, used for every signed webhook this service receives
 * (Stripe and the sandbox) or sends (account webhooks):
 *
 *   <header>: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">[,v1=…]
 *
 * The key is the secret string's UTF-8 bytes, `whsec_` prefix included, as Stripe does.
 * Several v1 entries appear while a secret is being rolled.
 */

export const SIGNATURE_HEADER = "Stripe-Signature";

/** How far a signed timestamp may be from our clock, either way, before it counts as a replay. */
export const SIGNATURE_TOLERANCE_SECONDS = 300;

/** A header with more entries than this is not one a gateway sent; refusing it bounds the work. */
export const SIGNATURE_ENTRIES_MAX = 8;
const SIGNATURE_HEADER_LENGTH_MAX = 2_048;

export type SignatureCheck =
  | { ok: true; timestampSeconds: number }
  | { ok: false; reason: "bad_signature" | "stale_timestamp" };

const encoder = new TextEncoder();

/** Returns the header value that signs `body` at `nowSeconds`. */
export async function signWebhook(
  secret: string,
  body: string,
  nowSeconds: number,
): Promise<string> {
  const timestampSeconds = Math.floor(nowSeconds);
  const mac = await crypto.subtle.sign(
    "HMAC",
    await hmacKey(secret),
    encoder.encode(`${timestampSeconds}.${body}`),
  );
  return `t=${timestampSeconds},v1=${toHex(new Uint8Array(mac))}`;
}

/**
 * Checks the signature first and the timestamp second, so a forged header is always
 * `bad_signature` and `stale_timestamp` means a genuine delivery replayed too late.
 */
export async function verifyWebhookSignature(
  secret: string,
  body: string,
  header: string | null,
  nowMs: number,
  toleranceSeconds: number = SIGNATURE_TOLERANCE_SECONDS,
): Promise<SignatureCheck> {
  const parsed = header ? parseSignatureHeader(header) : null;
  if (!parsed) return { ok: false, reason: "bad_signature" };

  const key = await hmacKey(secret);
  const signed = encoder.encode(`${parsed.timestampSeconds}.${body}`);
  let matched = false;
  for (const candidate of parsed.signatures) {
    // subtle.verify compares in constant time, so a forger learns nothing from timing.
    if (await crypto.subtle.verify("HMAC", key, candidate, signed)) matched = true;
  }
  if (!matched) return { ok: false, reason: "bad_signature" };

  const nowSeconds = Math.floor(nowMs / 1000);
  if (Math.abs(nowSeconds - parsed.timestampSeconds) > toleranceSeconds)
    return { ok: false, reason: "stale_timestamp" };
  return { ok: true, timestampSeconds: parsed.timestampSeconds };
}

function parseSignatureHeader(
  header: string,
): { timestampSeconds: number; signatures: Uint8Array<ArrayBuffer>[] } | null {
  if (header.length > SIGNATURE_HEADER_LENGTH_MAX) return null;
  const entries = header.split(",");
  if (entries.length > SIGNATURE_ENTRIES_MAX) return null;
  let timestampSeconds: number | null = null;
  const signatures: Uint8Array<ArrayBuffer>[] = [];
  for (const entry of entries) {
    const separator = entry.indexOf("=");
    if (separator < 0) continue;
    const name = entry.slice(0, separator).trim();
    const value = entry.slice(separator + 1).trim();
    if (name === "t" && /^\d{1,12}$/.test(value)) timestampSeconds = Number(value);
    // Other schemes (v0 is Stripe's test-mode legacy) are ignored, as Stripe's libraries do.
    if (name === "v1") {
      const bytes = fromHex(value);
      if (bytes) signatures.push(bytes);
    }
  }
  if (timestampSeconds === null || signatures.length === 0) return null;
  return { timestampSeconds, signatures };
}

async function hmacKey(secret: string): Promise<CryptoKey> {
  return crypto.subtle.importKey(
    "raw",
    encoder.encode(secret),
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["sign", "verify"],
  );
}

function toHex(bytes: Uint8Array): string {
  let hex = "";
  for (const byte of bytes) hex += byte.toString(16).padStart(2, "0");
  return hex;
}

function fromHex(hex: string): Uint8Array<ArrayBuffer> | null {
  if (hex.length === 0 || hex.length % 2 !== 0 || !/^[0-9a-fA-F]+$/.test(hex)) return null;
  const bytes = new Uint8Array(hex.length / 2);
  for (let i = 0; i < bytes.length; i++)
    bytes[i] = Number.parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return bytes;
}
