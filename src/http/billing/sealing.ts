/**
 * Keys for the Billing page's cookies and tokens, each derived from SIGNING_SECRET with its
 * own label, so a value made for one purpose is never accepted for another.
 */
const encoder = new TextEncoder();
const keyCache = new Map<string, Promise<CryptoKey>>();

export function derivedKey(
  secret: string,
  label: string,
  use: "AES-GCM" | "HMAC",
): Promise<CryptoKey> {
  const cacheKey = `${use}:${label}:${secret}`;
  let key = keyCache.get(cacheKey);
  if (!key) {
    key = (async () => {
      const base = await crypto.subtle.importKey("raw", encoder.encode(secret), "HKDF", false, [
        "deriveKey",
      ]);
      const params = {
        name: "HKDF",
        hash: "SHA-256",
        salt: new Uint8Array(0),
        info: encoder.encode(label),
      };
      return use === "AES-GCM"
        ? crypto.subtle.deriveKey(params, base, { name: "AES-GCM", length: 256 }, false, [
            "encrypt",
            "decrypt",
          ])
        : crypto.subtle.deriveKey(
            params,
            base,
            { name: "HMAC", hash: "SHA-256", length: 256 },
            false,
            ["sign", "verify"],
          );
    })();
    keyCache.set(cacheKey, key);
  }
  return key;
}

export async function hmac(secret: string, label: string, message: string): Promise<string> {
  const key = await derivedKey(secret, label, "HMAC");
  return base64url(new Uint8Array(await crypto.subtle.sign("HMAC", key, encoder.encode(message))));
}

/** Constant-time check of an HMAC made by `hmac`. */
export async function hmacMatches(
  secret: string,
  label: string,
  message: string,
  given: string,
): Promise<boolean> {
  const signature = bytesOf(given);
  if (!signature) return false;
  const key = await derivedKey(secret, label, "HMAC");
  return crypto.subtle.verify("HMAC", key, signature, encoder.encode(message));
}

export function base64url(bytes: Uint8Array): string {
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
}

export function bytesOf(text: string): Uint8Array | null {
  if (!/^[A-Za-z0-9_-]*$/.test(text)) return null;
  try {
    const binary = atob(text.replaceAll("-", "+").replaceAll("_", "/"));
    return Uint8Array.from(binary, (c) => c.charCodeAt(0));
  } catch {
    return null;
  }
}

export const textOf = (buffer: ArrayBuffer) => new TextDecoder().decode(buffer);

export const randomToken = (bytes = 18) => base64url(crypto.getRandomValues(new Uint8Array(bytes)));
