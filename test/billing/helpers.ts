import { exports } from "cloudflare:workers";
import { expect } from "vitest";
import type { TestAccount } from "../helpers";

/** The tests' origin; not localhost, so cookies are Secure and `__Host-` prefixed as in production. */
export const ORIGIN = "https://credit.test";

export interface PageAnswer {
  status: number;
  text: string;
  headers: Headers;
  location: string | null;
  cookies: Record<string, string>;
}

/** Cookies a browser would keep: name → value; a Max-Age=0 cookie is removed. */
export class CookieJar {
  readonly cookies = new Map<string, string>();
  take(headers: Headers): Record<string, string> {
    const set: Record<string, string> = {};
    for (const line of headers.getSetCookie()) {
      const [pair = "", ...attributes] = line.split(";").map((s) => s.trim());
      const [name = "", value = ""] = pair.split(/=(.*)/s);
      set[name] = line;
      if (attributes.some((a) => /^max-age=0$/i.test(a))) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    return set;
  }
  header(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join("; ");
  }
}

/** One browser-like request: cookies from the jar, same-origin headers on POSTs unless told otherwise. */
export async function browse(
  jar: CookieJar,
  method: "GET" | "POST",
  path: string,
  form?: Record<string, string>,
  headers: Record<string, string> = {},
): Promise<PageAnswer> {
  const init: RequestInit = {
    method,
    redirect: "manual",
    headers: { Cookie: jar.header(), ...headers },
  };
  if (form) {
    init.body = new URLSearchParams(form).toString();
    (init.headers as Record<string, string>)["Content-Type"] = "application/x-www-form-urlencoded";
    (init.headers as Record<string, string>).Origin ??= headers.Origin ?? ORIGIN;
  }
  const response = await exports.default.fetch(new Request(`${ORIGIN}${path}`, init));
  const cookies = jar.take(response.headers);
  return {
    status: response.status,
    text: await response.text(),
    headers: response.headers,
    location: response.headers.get("Location"),
    cookies,
  };
}

export const csrfOf = (html: string) => /name="csrf" value="([^"]+)"/.exec(html)?.[1] ?? "";

/** Signs in through the form, as a browser would, and returns the jar and the page's token. */
export async function signIn(
  acct: TestAccount,
  key = acct.adminKey,
): Promise<{ jar: CookieJar; csrf: string; page: PageAnswer }> {
  const jar = new CookieJar();
  const form = await browse(jar, "GET", "/billing/sign-in");
  const answer = await browse(jar, "POST", "/billing/sign-in", {
    csrf: csrfOf(form.text),
    accountId: acct.id,
    apiKey: key,
  });
  expect(answer.status).toBe(303);
  const page = await browse(jar, "GET", "/billing");
  expect(page.status).toBe(200);
  return { jar, csrf: csrfOf(page.text), page };
}

/** The text of the page without tags, for matching what a person reads. */
export const visibleText = (html: string) =>
  html
    .replace(/<(script|style)[^>]*>[\s\S]*?<\/\1>/g, " ")
    // Inline elements do not break words; block ones do.
    .replace(/<\/?(span|strong|a|code|em)\b[^>]*>/g, "")
    .replace(/<[^>]+>/g, " ")
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, "&")
    .replace(/&quot;/g, '"')
    .replace(/\s+/g, " ");
