import type { Context } from "hono";
import type { AppEnv } from "../context";
import { hmac, hmacMatches } from "./sealing";

const SESSION_LABEL = "billing-csrf-v1";
const SIGN_IN_LABEL = "billing-sign-in-v1";

/**
 * Every form of the page carries a token bound to the session (SameSite=Strict alone leaves
 * same-site subdomains and old browsers); the sign-in form, which has no session yet, carries
 * one bound to a nonce cookie, so another site cannot sign a victim into its own account.
 */
export const sessionFormToken = (secret: string, sessionId: string) =>
  hmac(secret, SESSION_LABEL, sessionId);
export const signInFormToken = (secret: string, nonce: string) =>
  hmac(secret, SIGN_IN_LABEL, nonce);

export const sessionFormTokenMatches = (secret: string, sessionId: string, given: string) =>
  hmacMatches(secret, SESSION_LABEL, sessionId, given);
export const signInFormTokenMatches = (secret: string, nonce: string, given: string) =>
  hmacMatches(secret, SIGN_IN_LABEL, nonce, given);

/**
 * A cross-site POST is refused before its token is even looked at: browsers send Origin on
 * every POST and Sec-Fetch-Site where they support it. Requests with neither (curl, old
 * browsers) still need the token.
 */
export function isCrossSite(c: Context<AppEnv>): boolean {
  const origin = c.req.header("Origin");
  if (origin !== undefined && origin !== new URL(c.req.url).origin) return true;
  const site = c.req.header("Sec-Fetch-Site");
  return site !== undefined && site !== "same-origin" && site !== "none";
}
