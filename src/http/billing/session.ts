import { base64url, bytesOf, derivedKey, textOf } from "./sealing";

/** How long a sign-in lasts; after it the admin signs in again with the key. */
export const SESSION_TTL_SECONDS = 8 * 60 * 60;
const SESSION_VERSION = 1;

/**
 * What the Billing page remembers between requests. The page calls the public API with the
 * admin key itself, so the key has to travel in the cookie; it is sealed with AES-GCM under a
 * key derived from SIGNING_SECRET, so it is unreadable and any tampering is refused.
 */
export interface BillingSession {
  /** Random per sign-in; the CSRF token is derived from it. */
  sessionId: string;
  accountId: string;
  apiKey: string;
  /** SHA-256 of the key, for logs and for telling sessions of different keys apart. */
  keyHash: string;
  expiresAtSec: number;
}

const sessionKey = (secret: string) => derivedKey(secret, "billing-session-v1", "AES-GCM");

export async function sealSession(secret: string, session: BillingSession): Promise<string> {
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const plain = new TextEncoder().encode(JSON.stringify({ v: SESSION_VERSION, ...session }));
  const sealed = new Uint8Array(
    await crypto.subtle.encrypt({ name: "AES-GCM", iv }, await sessionKey(secret), plain),
  );
  return `${base64url(iv)}.${base64url(sealed)}`;
}

/** The session in a cookie value, or null when it is forged, damaged, of another version or expired. */
export async function openSession(
  secret: string,
  value: string | undefined,
  nowSec: number,
): Promise<BillingSession | null> {
  if (!value || value.length > 4096) return null;
  const [ivText, sealedText, extra] = value.split(".");
  if (!ivText || !sealedText || extra !== undefined) return null;
  const iv = bytesOf(ivText);
  const sealed = bytesOf(sealedText);
  if (iv?.length !== 12 || !sealed) return null;
  let plain: ArrayBuffer;
  try {
    plain = await crypto.subtle.decrypt({ name: "AES-GCM", iv }, await sessionKey(secret), sealed);
  } catch {
    return null;
  }
  const data = parseJson(textOf(plain));
  if (!data || data.v !== SESSION_VERSION) return null;
  const { sessionId, accountId, apiKey, keyHash, expiresAtSec } = data;
  if (typeof sessionId !== "string" || typeof accountId !== "string" || typeof apiKey !== "string")
    return null;
  if (typeof keyHash !== "string" || typeof expiresAtSec !== "number" || expiresAtSec <= nowSec)
    return null;
  return { sessionId, accountId, apiKey, keyHash, expiresAtSec };
}

function parseJson(text: string): Record<string, unknown> | null {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === "object" && value !== null ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}
