import { EXPORT_LINK_TTL_SECONDS } from "./limits";

/**
 * The download link in the export email works without a bearer token, so the link itself
 * is the credential: HMAC-SHA256 over the export id and expiry, base64url without padding.
 * The message names its purpose and version so a signature made for anything else under
 * the same secret can never pass here.
 */

export type LinkRejection =
  | { reason: "expired" }
  | { reason: "bad_signature" }
  | { reason: "malformed" };

export type LinkVerdict = { ok: true } | ({ ok: false } & LinkRejection);

const MESSAGE_PREFIX = "credit-export-download:v1";
const SIGNATURE_TEXT = /^[A-Za-z0-9_-]{43}$/;
const EXPIRES_TEXT = /^[0-9]{1,12}$/;

export async function signExportLink(
  secret: string,
  exportId: string,
  expiresSec: number,
): Promise<string> {
  if (!Number.isSafeInteger(expiresSec) || expiresSec < 0)
    throw new RangeError(`bad expiry: ${expiresSec}`);
  const mac = await crypto.subtle.sign(
    "HMAC",
    await hmacKey(secret),
    message(exportId, expiresSec),
  );
  return toBase64Url(new Uint8Array(mac));
}

/**
 * Checks a link as it arrived (query values are untrusted text). The signature is checked
 * before the expiry, so "expired" is only ever said of a link this service really issued.
 */
export async function verifyExportLink(
  secret: string,
  exportId: string,
  expires: string | null | undefined,
  signature: string | null | undefined,
  nowSec: number,
): Promise<LinkVerdict> {
  if (!expires || !signature || !EXPIRES_TEXT.test(expires) || !SIGNATURE_TEXT.test(signature)) {
    return { ok: false, reason: "malformed" };
  }
  const expiresSec = Number(expires);
  // Comparing the canonical text, not decoded bytes, leaves one spelling per signature:
  // base64url's unused trailing bits cannot make a second link that also passes.
  const expected = textBytes(await signExportLink(secret, exportId, expiresSec));
  const given = textBytes(signature);
  if (given.length !== expected.length || !crypto.subtle.timingSafeEqual(given, expected)) {
    return { ok: false, reason: "bad_signature" };
  }
  if (nowSec > expiresSec) return { ok: false, reason: "expired" };
  return { ok: true };
}

/** The full link for the email: `${baseUrl}/v1/exports/:id/download?expires&signature`. */
export async function exportDownloadUrl(
  baseUrl: string,
  secret: string,
  exportId: string,
  nowSec: number,
  ttlSec: number = EXPORT_LINK_TTL_SECONDS,
): Promise<{ url: string; expiresSec: number }> {
  const expiresSec = Math.floor(nowSec) + ttlSec;
  const signature = await signExportLink(secret, exportId, expiresSec);
  // Appended, not resolved, so a base URL with a path prefix keeps it.
  const url = new URL(
    `${baseUrl.replace(/\/+$/, "")}/v1/exports/${encodeURIComponent(exportId)}/download`,
  );
  url.searchParams.set("expires", String(expiresSec));
  url.searchParams.set("signature", signature);
  return { url: url.toString(), expiresSec };
}

function message(exportId: string, expiresSec: number): Uint8Array {
  // The expiry is digits and comes last, so no export id can make two messages collide.
  return textBytes(`${MESSAGE_PREFIX}:${exportId}:${expiresSec}`);
}

async function hmacKey(secret: string): Promise<CryptoKey> {
  if (secret.length === 0) throw new Error("the link signing secret is empty");
  return crypto.subtle.importKey(
    "raw",
    textBytes(secret),
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["sign"],
  );
}

function toBase64Url(bytes: Uint8Array): string {
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
}

function textBytes(text: string): Uint8Array {
  return new TextEncoder().encode(text);
}
