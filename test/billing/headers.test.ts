import { describe, expect, it } from "vitest";
import { api, newAccount } from "../helpers";
import { browse, CookieJar, signIn } from "./helpers";

function expectPageHeaders(headers: Headers) {
  const csp = headers.get("Content-Security-Policy") ?? "";
  expect(csp).toContain("default-src 'none'");
  expect(csp).toContain("script-src 'self'");
  expect(csp).toContain("style-src 'self'");
  expect(csp).toContain("frame-ancestors 'none'");
  expect(csp).toContain("form-action 'self' https://checkout.stripe.com https://hooks.stripe.com");
  expect(csp).not.toContain("unsafe-inline");
  expect(csp).not.toContain("unsafe-eval");
  expect(headers.get("X-Frame-Options")).toBe("DENY");
  expect(headers.get("X-Content-Type-Options")).toBe("nosniff");
  expect(headers.get("Referrer-Policy")).toBe("same-origin");
  expect(headers.get("Strict-Transport-Security")).toContain("max-age=");
}

/** Under the CSP above, inline scripts, handlers and style attributes would be dead: there must be none. */
function expectNothingInline(html: string) {
  expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
  expect(html).not.toMatch(/\son[a-z]+=/i);
  expect(html).not.toMatch(/\sstyle=/);
  expect(html).not.toMatch(/<style/);
  // Self-contained: nothing is loaded from another host (no CDN; tests run without internet).
  expect(html).not.toMatch(/\s(src|href)="(https?:)?\/\//i);
}

describe("security headers of the pages", () => {
  it("the signed-in page, its sign-in form, the reference and the error pages carry them", async () => {
    const acct = await newAccount();
    const { jar, page } = await signIn(acct);
    expectPageHeaders(page.headers);
    expect(page.headers.get("Cache-Control")).toBe("no-store");
    expectNothingInline(page.text);

    const signInForm = await browse(new CookieJar(), "GET", "/billing/sign-in");
    expectPageHeaders(signInForm.headers);
    expectNothingInline(signInForm.text);

    const refused = await browse(jar, "POST", "/billing/exports", { csrf: "nope" });
    expect(refused.status).toBe(403);
    expectPageHeaders(refused.headers);

    const docs = await browse(jar, "GET", "/docs");
    expect(docs.status).toBe(200);
    expectPageHeaders(docs.headers);
    expectNothingInline(docs.text);
  });

  it("serves its stylesheet and script with their types, and nothing else from /billing/assets", async () => {
    const jar = new CookieJar();
    const css = await browse(jar, "GET", "/billing/assets/billing.css");
    expect(css.headers.get("Content-Type")).toBe("text/css; charset=utf-8");
    expect(css.text).toContain(":focus-visible");
    const js = await browse(jar, "GET", "/billing/assets/billing.js");
    expect(js.headers.get("Content-Type")).toBe("text/javascript; charset=utf-8");
    expect(js.headers.get("X-Content-Type-Options")).toBe("nosniff");
    expect((await browse(jar, "GET", "/billing/assets/..%2Fsecret")).status).toBe(404);
  });

  it("escapes what it shows: an account name with markup stays text", async () => {
    const acct = await newAccount();
    const id = `x${acct.id}`;
    await api("POST", "/v1/accounts", {
      body: {
        id,
        name: '<img src=x onerror="alert(1)">',
        currency: "EUR",
        email: "a@example.test",
      },
    });
    const key = (await api("POST", `/v1/accounts/${id}/api-keys`, { body: { role: "admin" } })).body
      .key as string;
    const { page } = await signIn({ id, adminKey: key, agentKey: key });
    expect(page.text).not.toContain("<img src=x");
    expect(page.text).toContain("&lt;img src=x");
  });
});
