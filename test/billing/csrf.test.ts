import { describe, expect, it } from "vitest";
import { api, newAccount } from "../helpers";
import { browse, CookieJar, csrfOf, signIn } from "./helpers";

const topUpForm = (csrf: string) => ({
  csrf,
  idempotencyKey: crypto.randomUUID(),
  amount: "25.00",
  paymentMethod: "pm_card_visa",
});

async function movementCount(accountId: string, key: string): Promise<number> {
  return (await api("GET", `/v1/accounts/${accountId}/movements`, { token: key })).body.movements
    .length;
}

async function paymentStarted(accountId: string, key: string): Promise<boolean> {
  const credit = await api("GET", `/v1/accounts/${accountId}/credit`, { token: key });
  return credit.body.autoTopUp.inProgress !== null;
}

describe("CSRF protection of the Billing page's forms", () => {
  it("refuses a POST without the form's token, and nothing is paid", async () => {
    const acct = await newAccount({ credit: "5.00" });
    const { jar } = await signIn(acct);
    const before = await movementCount(acct.id, acct.adminKey);
    const res = await browse(jar, "POST", "/billing/top-ups", topUpForm(""));
    expect(res.status).toBe(403);
    expect(res.text).toContain("This form has expired. Reload the page and try again.");
    expect(await movementCount(acct.id, acct.adminKey)).toBe(before);
    expect(await paymentStarted(acct.id, acct.adminKey)).toBe(false);
  });

  it("refuses a token of another session", async () => {
    const acct = await newAccount();
    const mine = await signIn(acct);
    const theirs = await signIn(acct);
    expect(theirs.csrf).not.toBe(mine.csrf);
    const res = await browse(mine.jar, "POST", "/billing/auto-top-up", {
      csrf: theirs.csrf,
      enabled: "on",
      amount: "50.00",
      threshold: "10.00",
    });
    expect(res.status).toBe(403);
    expect(
      (await api("GET", `/v1/accounts/${acct.id}/credit`, { token: acct.adminKey })).body.autoTopUp
        .enabled,
    ).toBe(false);
  });

  it("refuses a cross-site POST even with a valid token (Origin, then Sec-Fetch-Site)", async () => {
    const acct = await newAccount();
    const { jar, csrf } = await signIn(acct);
    const foreign = await browse(
      jar,
      "POST",
      "/billing/exports",
      { csrf },
      { Origin: "https://evil.example" },
    );
    expect(foreign.status).toBe(403);
    const sameSiteOther = await browse(
      jar,
      "POST",
      "/billing/sign-out",
      { csrf },
      { Origin: "https://credit.test", "Sec-Fetch-Site": "cross-site" },
    );
    expect(sameSiteOther.status).toBe(403);
    expect(jar.cookies.has("__Host-billing_session")).toBe(true);
  });

  it("protects sign-in too: without the nonce cookie's token no session is made", async () => {
    const acct = await newAccount();
    const jar = new CookieJar();
    const noNonce = await browse(jar, "POST", "/billing/sign-in", {
      csrf: "x",
      accountId: acct.id,
      apiKey: acct.adminKey,
    });
    expect(noNonce.status).toBe(403);
    const form = await browse(jar, "GET", "/billing/sign-in");
    const forged = await browse(jar, "POST", "/billing/sign-in", {
      csrf: `${csrfOf(form.text)}x`,
      accountId: acct.id,
      apiKey: acct.adminKey,
    });
    expect(forged.status).toBe(403);
    expect(jar.cookies.has("__Host-billing_session")).toBe(false);
  });

  it("a form posted after the session ended goes to sign-in, not to the API", async () => {
    const acct = await newAccount();
    const jar = new CookieJar();
    const res = await browse(jar, "POST", "/billing/top-ups", topUpForm("whatever"));
    expect(res.status).toBe(303);
    expect(res.location).toBe("/billing/sign-in?notice=expired");
    expect(await movementCount(acct.id, acct.adminKey)).toBe(0);
  });

  it("the status endpoints need the session", async () => {
    const res = await browse(
      new CookieJar(),
      "GET",
      "/billing/top-ups/top_0123456789abcdef/status",
    );
    expect(res.status).toBe(401);
  });
});
