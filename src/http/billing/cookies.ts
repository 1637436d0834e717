import type { Context } from "hono";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import { isProduction } from "../../config";
import type { AppEnv } from "../context";
import { openSession, sealSession, SESSION_TTL_SECONDS, type BillingSession } from "./session";

/** The sign-in form's nonce lives this long: time enough to paste a key. */
const SIGN_IN_NONCE_TTL_SECONDS = 30 * 60;
/** The last export the admin asked for is shown on the page for this long. */
const LAST_EXPORT_TTL_SECONDS = 24 * 60 * 60;
const EXPORT_ID = /^exp_[A-Za-z0-9_-]{1,64}$/;

/**
 * Secure everywhere but plain-http localhost in development, where a browser would drop a
 * Secure cookie set over http by any host name other than localhost. Secure cookies carry
 * the `__Host-` prefix, so they are bound to this host and path `/`, and no subdomain can
 * plant one.
 */
function isSecure(c: Context<AppEnv>): boolean {
  const url = new URL(c.req.url);
  const localHttp =
    url.protocol === "http:" && ["localhost", "127.0.0.1", "[::1]"].includes(url.hostname);
  return isProduction(c.env) || !localHttp;
}

function names(c: Context<AppEnv>) {
  const prefix = isSecure(c) ? "__Host-" : "";
  return {
    session: `${prefix}billing_session`,
    nonce: `${prefix}billing_sign_in`,
    lastExport: `${prefix}billing_export`,
  };
}

function put(c: Context<AppEnv>, name: string, value: string, maxAgeSeconds: number): void {
  const secure = isSecure(c);
  setCookie(c, name, value, {
    path: "/",
    httpOnly: true,
    secure,
    sameSite: "Strict",
    maxAge: maxAgeSeconds,
    ...(secure ? { prefix: "host" as const } : {}),
  });
}

function drop(c: Context<AppEnv>, name: string): void {
  const secure = isSecure(c);
  deleteCookie(c, name, { path: "/", secure, ...(secure ? { prefix: "host" as const } : {}) });
}

const cookieName = (full: string) => full.replace(/^__Host-/, "");

export async function readSession(c: Context<AppEnv>): Promise<BillingSession | null> {
  const value = getCookie(c, names(c).session);
  return openSession(c.env.SIGNING_SECRET, value, Math.floor(Date.now() / 1000));
}

export async function writeSession(c: Context<AppEnv>, session: BillingSession): Promise<void> {
  put(
    c,
    cookieName(names(c).session),
    await sealSession(c.env.SIGNING_SECRET, session),
    SESSION_TTL_SECONDS,
  );
}

export function clearBillingCookies(c: Context<AppEnv>): void {
  for (const name of Object.values(names(c))) drop(c, cookieName(name));
}

export const readSignInNonce = (c: Context<AppEnv>) => getCookie(c, names(c).nonce);
export const writeSignInNonce = (c: Context<AppEnv>, nonce: string) =>
  put(c, cookieName(names(c).nonce), nonce, SIGN_IN_NONCE_TTL_SECONDS);
export const clearSignInNonce = (c: Context<AppEnv>) => drop(c, cookieName(names(c).nonce));

export function readLastExport(c: Context<AppEnv>): string | null {
  const value = getCookie(c, names(c).lastExport);
  return value && EXPORT_ID.test(value) ? value : null;
}
export const clearLastExport = (c: Context<AppEnv>) => drop(c, cookieName(names(c).lastExport));
export const writeLastExport = (c: Context<AppEnv>, exportId: string) =>
  put(c, cookieName(names(c).lastExport), exportId, LAST_EXPORT_TTL_SECONDS);
