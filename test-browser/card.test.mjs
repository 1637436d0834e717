// The card's life on the Billing page, in a real browser against `npm run dev`: save a card
// on the sandbox's hosted page, see it on the page, pay with a card whose bank asks for
// 3-D Secure through the sandbox's challenge, and see a failed authentication's reason.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { BASE, cents, DEMO, openBrowser, screenshot } from "./browser.mjs";

const SETTLE_TIMEOUT_MS = 30_000;

let browser;
let page;

before(async () => {
  browser = await openBrowser();
  page = browser.page;
  await page.goto(`${BASE}/billing/sign-in`);
  await page.getByLabel("Account ID").fill(DEMO.accountId);
  await page.getByLabel("Admin API key").fill(DEMO.adminKey);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.waitForURL(`${BASE}/billing`);
});

after(async () => {
  await browser?.close();
});

const balance = async () => cents(await page.getByTestId("balance").textContent());

function assertNoProblems() {
  assert.deepEqual(browser.takeProblems(), [], "the page logged errors");
}

async function payWithSavedCard(amount) {
  await page.goto(`${BASE}/billing#add-credit`);
  await page.getByLabel("Amount (EUR)", { exact: true }).fill(amount);
  await page.locator("#top-up-method").selectOption("");
  await page.getByRole("button", { name: "Pay now" }).click();
  // The bank wants the cardholder: the page sends the browser straight to its challenge.
  await page.waitForURL(/\/sandbox\/authenticate\/pi_sandbox_/);
  assert.match(await page.locator("body").textContent(), new RegExp(`EUR ${amount}`));
}

test("saves a card on the sandbox's hosted page and shows its brand, last 4 and expiry", async () => {
  await page.goto(`${BASE}/billing#card`);
  await page.getByRole("button", { name: /Replace card|Save a card/ }).click();
  await page.waitForURL(/\/sandbox\/setup\//);
  await screenshot(page, "card-01-hosted-page");
  await page.getByLabel(/ending 3184/).check();
  await page.getByRole("button", { name: "Save card" }).click();
  await page.waitForURL(/\/billing\?card=saved/);
  const saved = await page.getByTestId("saved-card").textContent();
  assert.match(saved, /Visa ending 3184 \(expires 12\/\d{4}\)/);
  assert.equal(
    await page.getByRole("button", { name: "Replace card" }).count(),
    1,
    "a saved card can be replaced",
  );
  const option = await page.locator("#top-up-method option").first().textContent();
  assert.match(option, /Saved card: Visa ending 3184/);
  await screenshot(page, "card-02-saved");
  assertNoProblems();
});

test("tops up with the authentication-required card through its challenge; the credit arrives", async () => {
  await page.goto(`${BASE}/billing`);
  const before = await balance();
  await payWithSavedCard("25.00");
  await screenshot(page, "card-03-challenge");
  await page.getByRole("button", { name: "Complete authentication" }).click();
  await page.waitForURL(/\/billing\?topUp=/);
  await page.waitForFunction(
    () =>
      /succeeded/.test(document.querySelector("[data-testid=top-up-outcome]")?.textContent ?? ""),
    null,
    { timeout: SETTLE_TIMEOUT_MS },
  );
  assert.match(
    await page.getByTestId("top-up-outcome").textContent(),
    /Payment of EUR 25\.00 succeeded/,
  );
  assert.equal(await balance(), before + 2500);
  await screenshot(page, "card-04-authenticated");
  assertNoProblems();
});

test("a declined authentication shows its reason and adds nothing", async () => {
  await page.goto(`${BASE}/billing`);
  const before = await balance();
  await payWithSavedCard("10.00");
  await page.getByRole("button", { name: "Fail authentication" }).click();
  await page.waitForURL(/\/billing\?topUp=/);
  await page.waitForFunction(
    () => /failed/.test(document.querySelector("[data-testid=top-up-outcome]")?.textContent ?? ""),
    null,
    { timeout: SETTLE_TIMEOUT_MS },
  );
  assert.match(
    await page.getByTestId("top-up-outcome").textContent(),
    /Payment of EUR 10\.00 failed: We are unable to authenticate your payment method/,
  );
  assert.equal(await balance(), before);
  await screenshot(page, "card-05-authentication-failed");
  assertNoProblems();
});
