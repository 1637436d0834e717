import { env, exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { openSession, sealSession } from "../../src/http/billing/session";
import { newAccount, OPERATOR } from "../helpers";
import { browse, CookieJar, csrfOf, signIn, visibleText } from "./helpers";

async function trySignIn(accountId: string, apiKey: string) {
  const jar = new CookieJar();
  const form = await browse(jar, "GET", "/billing/sign-in");
  const answer = await browse(jar, "POST", "/billing/sign-in", {
    csrf: csrfOf(form.text),
    accountId,
    apiKey,
  });
  return { jar, answer };
}

describe("Billing sign-in", () => {
  it("sends a visitor without a session to the sign-in form, which has labelled fields", async () => {
    const jar = new CookieJar();
    const page = await browse(jar, "GET", "/billing");
    expect(page.status).toBe(303);
    expect(page.location).toBe("/billing/sign-in");
    const root = await browse(jar, "GET", "/");
    expect(root.location).toBe("/billing");
    const form = await browse(jar, "GET", "/billing/sign-in");
    expect(form.status).toBe(200);
    expect(form.text).toContain('<label for="account-id">Account ID</label>');
    expect(form.text).toContain('<label for="api-key">Admin API key</label>');
    expect(form.text).toMatch(/<input id="api-key" name="apiKey" type="password"/);
  });

  it("signs in with an admin key: a Secure, HttpOnly, SameSite=Strict, __Host- cookie that does not hold the key", async () => {
    const acct = await newAccount({ credit: "12.50" });
    const { jar, answer } = await trySignIn(acct.id, acct.adminKey);
    expect(answer.status).toBe(303);
    expect(answer.location).toBe("/billing");
    const cookie = answer.cookies["__Host-billing_session"];
    expect(cookie).toBeDefined();
    expect(cookie).toMatch(/; HttpOnly/);
    expect(cookie).toMatch(/; Secure/);
    expect(cookie).toMatch(/; SameSite=Strict/);
    expect(cookie).toMatch(/; Path=\//);
    expect(cookie).toMatch(/; Max-Age=28800/);
    expect(cookie).not.toContain(acct.adminKey);
    expect(cookie).not.toContain(acct.adminKey.slice(3, 20));
    const page = await browse(jar, "GET", "/billing");
    expect(page.status).toBe(200);
    expect(visibleText(page.text)).toContain("Current balance EUR 12.50");
  });

  it("on http://localhost the cookie is not Secure, so a browser keeps it in local development", async () => {
    const res = await exports.default.fetch(
      new Request("http://localhost:8787/billing/sign-in", { redirect: "manual" }),
    );
    const nonce = res.headers.getSetCookie().find((c) => c.startsWith("billing_sign_in="));
    expect(nonce).toBeDefined();
    expect(nonce).not.toMatch(/Secure/);
    expect(nonce).toMatch(/HttpOnly; SameSite=Strict/);
  });

  it("refuses a wrong key, an agent key, another account's key and the operator token, saying why", async () => {
    const acct = await newAccount();
    const other = await newAccount();
    const wrong = await trySignIn(acct.id, "ck_wrong_000000000000000000000000000000000000");
    expect(wrong.answer.status).toBe(401);
    expect(visibleText(wrong.answer.text)).toContain("This API key is not valid.");
    expect(wrong.answer.cookies["__Host-billing_session"]).toBeUndefined();

    const agent = await trySignIn(acct.id, acct.agentKey);
    expect(agent.answer.status).toBe(403);
    expect(visibleText(agent.answer.text)).toContain("Sign in with an admin key of the account.");

    const foreign = await trySignIn(acct.id, other.adminKey);
    expect(foreign.answer.status).toBe(401);
    expect(visibleText(foreign.answer.text)).toContain("No account with this ID for this key.");

    const operator = await trySignIn(acct.id, OPERATOR);
    expect(operator.answer.status).toBe(401);
    expect(visibleText(operator.answer.text)).toContain("Account API keys start with ck_.");

    const empty = await trySignIn("", "");
    expect(empty.answer.status).toBe(400);
    expect(empty.answer.text).toContain('aria-invalid="true"');
  });

  it("signs out: the cookies are cleared and the page asks to sign in again", async () => {
    const acct = await newAccount();
    const { jar, csrf } = await signIn(acct);
    const out = await browse(jar, "POST", "/billing/sign-out", { csrf });
    expect(out.status).toBe(303);
    expect(out.location).toBe("/billing/sign-in?notice=signed-out");
    expect(out.cookies["__Host-billing_session"]).toMatch(/Max-Age=0/);
    expect((await browse(jar, "GET", "/billing")).status).toBe(303);
  });

  it("treats a tampered, foreign-secret or expired session as no session", async () => {
    const acct = await newAccount();
    const { jar } = await signIn(acct);
    const sealed = jar.cookies.get("__Host-billing_session") as string;
    // The second-to-last character carries real bits (the last may be only padding bits).
    const flipped = sealed.slice(0, -2) + (sealed.at(-2) === "A" ? "B" : "A") + sealed.slice(-1);
    jar.cookies.set("__Host-billing_session", flipped);
    expect((await browse(jar, "GET", "/billing")).status).toBe(303);

    const session = {
      sessionId: "s1",
      accountId: acct.id,
      apiKey: acct.adminKey,
      keyHash: "h",
      expiresAtSec: 4_000_000_000,
    };
    const foreign = await sealSession("another-secret", session);
    expect(await openSession(env.SIGNING_SECRET, foreign, 1)).toBeNull();
    const expired = await sealSession(env.SIGNING_SECRET, { ...session, expiresAtSec: 100 });
    expect(await openSession(env.SIGNING_SECRET, expired, 101)).toBeNull();
    expect(
      await openSession(env.SIGNING_SECRET, await sealSession(env.SIGNING_SECRET, session), 101),
    ).toEqual(session);
  });

  it("a session whose key the API no longer accepts ends at the next page view", async () => {
    const acct = await newAccount();
    const { jar } = await signIn(acct);
    // A revoked key is refused by the API within KEY_CACHE_TTL_MS; a key it never knew is refused at once.
    const bogus = await sealSession(env.SIGNING_SECRET, {
      sessionId: "s2",
      accountId: acct.id,
      apiKey: "ck_never_valid_0000000000000000000000000000000",
      keyHash: "h",
      expiresAtSec: 4_000_000_000,
    });
    jar.cookies.set("__Host-billing_session", bogus);
    const page = await browse(jar, "GET", "/billing");
    expect(page.status).toBe(303);
    expect(page.location).toBe("/billing/sign-in?notice=expired");
    expect(page.cookies["__Host-billing_session"]).toMatch(/Max-Age=0/);
  });
});
