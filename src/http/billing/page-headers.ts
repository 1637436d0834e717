import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "../context";

/**
 * Scripts and styles come only from this origin's files, never inline, so injected markup
 * cannot run; forms may post only here (and be sent on to Stripe's pages); nothing may frame the page (clickjacking of the
 * Pay now button). `same-origin` referrers: no-referrer would make browsers send
 * `Origin: null` on our own form posts, which the CSRF check refuses.
 */
export const PAGE_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  // Browsers check form-action on a post's redirects too: "Save a card" and "Pay now" may
  // answer with Stripe Checkout or the bank's 3-D Secure page (via hooks.stripe.com).
  "form-action 'self' https://checkout.stripe.com https://hooks.stripe.com",
  "frame-ancestors 'none'",
  "base-uri 'none'",
].join("; ");

export const PAGE_SECURITY_HEADERS: Record<string, string> = {
  "Content-Security-Policy": PAGE_CSP,
  "X-Frame-Options": "DENY",
  "X-Content-Type-Options": "nosniff",
  "Referrer-Policy": "same-origin",
  "Cross-Origin-Opener-Policy": "same-origin",
  "Cross-Origin-Resource-Policy": "same-origin",
  "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=()",
};

/** HTML pages and their assets get the headers; pages with account data are never cached. */
export const pageHeaders: MiddlewareHandler<AppEnv> = async (c, next) => {
  await next();
  for (const [name, value] of Object.entries(PAGE_SECURITY_HEADERS)) c.header(name, value);
  if (!c.res.headers.has("Cache-Control")) c.header("Cache-Control", "no-store");
  if (new URL(c.req.url).protocol === "https:")
    c.header("Strict-Transport-Security", "max-age=31536000; includeSubDomains");
};
