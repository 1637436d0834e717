// The Billing page as an admin uses it, in a real browser against `npm run dev`:
// sign in, see the balance, add credit, a declined card, auto top-up, export, sign out.
// The tests run in order and share one signed-in browser, as one admin's visit would.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { BASE, cents, chargeSomeUsage, DEMO, openBrowser, screenshot } from "./browser.mjs";

/** A top-up confirms in the DO's alarm at once; the late test card takes about 5 s. */
const SETTLE_TIMEOUT_MS = 30_000;
/** The export runs on the local queue consumer: usually a second or two. */
const EXPORT_TIMEOUT_MS = 90_000;

let browser;
let page;

before(async () => {
  browser = await openBrowser();
  page = browser.page;
});

after(async () => {
  await browser?.close();
});

const balance = async () => cents(await page.getByTestId("balance").textContent());

async function topUp(amount, paymentMethod) {
  await page.goto(`${BASE}/billing#add-credit`);
  await page.getByLabel("Amount (EUR)", { exact: true }).fill(amount);
  await page.locator("#top-up-method").selectOption(paymentMethod);
  await page.getByRole("button", { name: "Pay now" }).click();
  await page.waitForURL(/\/billing\?topUp=/);
}

function assertNoProblems() {
  assert.deepEqual(
    browser.takeProblems(),
    [],
    "the page logged errors (CSP violations or script errors)",
  );
}

test("the sign-in form refuses a wrong key and says why", async () => {
  await page.goto(`${BASE}/`);
  await page.waitForURL(/\/billing\/sign-in/);
  await page.getByLabel("Account ID").fill(DEMO.accountId);
  await page.getByLabel("Admin API key").fill("ck_not_a_real_key_000000000000000000000000000");
  await page.getByRole("button", { name: "Sign in" }).click();
  const error = page.getByTestId("sign-in-error");
  await error.waitFor();
  assert.match(await error.textContent(), /not valid/);
  await screenshot(page, "01-sign-in-wrong-key");
  assertNoProblems();
});

test("signs in with the demo admin key and sees the balance, available and reserved credit", async () => {
  await page.getByLabel("Admin API key").fill(DEMO.adminKey);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.waitForURL(`${BASE}/billing`);
  assert.equal(await page.getByRole("heading", { level: 1 }).textContent(), "Billing");
  assert.match(await page.getByTestId("balance").textContent(), /^EUR \d/);
  assert.match(await page.getByTestId("available").textContent(), /^EUR \d/);
  assert.match(await page.getByTestId("reserved").textContent(), /^EUR \d/);
  const cookies = await browser.context.cookies(BASE);
  const session = cookies.find((c) => c.name.endsWith("billing_session"));
  assert.ok(session, "a session cookie is set");
  assert.equal(session.httpOnly, true);
  assert.equal(session.sameSite, "Strict");
  assert.ok(
    !session.value.includes(DEMO.adminKey),
    "the cookie does not carry the key in the clear",
  );
  await screenshot(page, "02-billing-signed-in");
  assertNoProblems();
});

test("charges the switch makes show in usage & overages, the daily spend chart and the latest movements", async () => {
  await chargeSomeUsage();
  await page.reload();
  const usage = page.locator("#usage");
  assert.match(await usage.textContent(), /EU Domestic/);
  assert.match(await usage.textContent(), /alice/);
  // The demo seed's morning of traffic is in the month too; charges are exact to the micro.
  assert.match(await page.getByTestId("usage-total").textContent(), /^EUR \d+\.\d{2,6}$/);
  const bars = await page
    .locator(".chart-bar rect")
    .evaluateAll((rects) => rects.map((r) => Number(r.getAttribute("height"))));
  assert.equal(bars.length, 30);
  assert.ok(bars.at(-1) > 0, "today's bar shows the spend");
  const movements = await page.locator("#movements").textContent();
  assert.match(movements, /call/);
  assert.match(movements, /sms/);
  await screenshot(page, "03-billing-with-usage", { fullPage: true });
  assertNoProblems();
});

test("adds credit with the sandbox card and sees the new balance", async () => {
  await page.goto(`${BASE}/billing`);
  const before = await balance();
  await topUp("25.00", "pm_card_visa");
  const outcome = page.getByTestId("top-up-outcome");
  await page.waitForFunction(
    () =>
      /succeeded/.test(document.querySelector("[data-testid=top-up-outcome]")?.textContent ?? ""),
    null,
    {
      timeout: SETTLE_TIMEOUT_MS,
    },
  );
  assert.match(await outcome.textContent(), /Payment of EUR 25\.00 succeeded/);
  assert.equal(await balance(), before + 2500);
  await screenshot(page, "04-top-up-succeeded");
  assertNoProblems();
});

test("a card that confirms late shows the payment pending, then the new balance", async () => {
  const before = await balance();
  await topUp("10.00", "pm_card_visa_delayed");
  const outcome = page.getByTestId("top-up-outcome");
  assert.match(await outcome.textContent(), /being processed/);
  await screenshot(page, "05-top-up-pending");
  // The page's script polls and reloads once the payment settles.
  await page.waitForFunction(
    () =>
      /succeeded/.test(document.querySelector("[data-testid=top-up-outcome]")?.textContent ?? ""),
    null,
    {
      timeout: SETTLE_TIMEOUT_MS,
    },
  );
  assert.equal(await balance(), before + 1000);
  await screenshot(page, "06-top-up-confirmed-late");
  assertNoProblems();
});

test("a declined card shows its error and adds nothing", async () => {
  const before = await balance();
  await topUp("15.00", "pm_card_chargeDeclined");
  await page.waitForFunction(
    () => /failed/.test(document.querySelector("[data-testid=top-up-outcome]")?.textContent ?? ""),
    null,
    {
      timeout: SETTLE_TIMEOUT_MS,
    },
  );
  const outcome = page.getByTestId("top-up-outcome");
  assert.match(
    await outcome.textContent(),
    /Payment of EUR 15\.00 failed: Your card was declined\. No credit was added/,
  );
  assert.equal(await outcome.getAttribute("role"), "alert");
  assert.equal(await balance(), before);
  await screenshot(page, "07-top-up-declined");
  assertNoProblems();
});

test("an amount the API refuses is shown next to the field", async () => {
  await topUpInvalid();
  const error = page.locator("#top-up-amount-error");
  assert.match(await error.textContent(), /decimal/i);
  assert.equal(await page.locator("#top-up-amount").getAttribute("aria-invalid"), "true");
  assertNoProblems();
});

async function topUpInvalid() {
  await page.goto(`${BASE}/billing#add-credit`);
  await page.getByLabel("Amount (EUR)", { exact: true }).fill("ten euros");
  await page.getByRole("button", { name: "Pay now" }).click();
  await page.locator("#top-up-amount-error").waitFor();
}

test("turns on auto top-up with a threshold and an amount", async () => {
  await page.goto(`${BASE}/billing#auto-top-up`);
  await page.getByLabel("Add this amount (EUR)").fill("50.00");
  await page.getByLabel("If balance falls below (EUR)").fill("20.00");
  await page.locator("#auto-method").selectOption("pm_card_visa");
  await page.getByRole("button", { name: "Save and turn on" }).click();
  await page.waitForURL(/notice=auto-top-up-saved/);
  const summary = page.getByTestId("auto-top-up-summary");
  assert.match(
    await summary.textContent(),
    /Auto top-up is on\. When your balance falls below EUR 20\.00, we add EUR 50\.00/,
  );
  assert.ok(await page.getByRole("button", { name: "Turn off auto top-up" }).isVisible());
  await page.locator("#auto-top-up").scrollIntoViewIfNeeded();
  await screenshot(page, "08-auto-top-up-on");
  assertNoProblems();
});

test("requests an export of credit movements, sees it ready and downloads the CSV", async () => {
  await page.goto(`${BASE}/billing#export`);
  await page.getByRole("button", { name: "Export credit movements" }).click();
  await page.waitForURL(/\/billing#export/);
  const state = page.getByTestId("export-state");
  await state.waitFor();
  if ((await state.getAttribute("data-state")) === "processing")
    await screenshot(page, "09-export-processing");
  await page.waitForFunction(
    () =>
      document.querySelector("[data-testid=export-state]")?.getAttribute("data-state") !==
      "processing",
    null,
    {
      timeout: EXPORT_TIMEOUT_MS,
    },
  );
  assert.equal(await page.getByTestId("export-state").getAttribute("data-state"), "ready");
  await page.getByTestId("export-state").scrollIntoViewIfNeeded();
  await screenshot(page, "10-export-ready");
  const [download] = await Promise.all([
    page.waitForEvent("download"),
    page.getByTestId("export-download").click(),
  ]);
  const path = await download.path();
  const { readFileSync } = await import("node:fs");
  const csv = readFileSync(path, "utf8");
  assert.match(
    csv.split(/\r?\n/)[0],
    /^Date & Time,Interaction ID,Description,Units,Units charged,Value per unit,Credit movement/,
  );
  assert.match(csv, /top-up/);
  assertNoProblems();
});

test("is usable on a narrow screen: one column, nothing wider than the screen", async () => {
  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto(`${BASE}/billing`);
  const overflow = await page.evaluate(
    () => document.documentElement.scrollWidth - window.innerWidth,
  );
  assert.ok(overflow <= 0, `the page is ${overflow}px wider than the screen`);
  await screenshot(page, "11a-narrow-screen-top");
  await page.locator("#spend").scrollIntoViewIfNeeded();
  await screenshot(page, "11b-narrow-screen-chart");
  await page.setViewportSize({ width: 1280, height: 900 });
  assertNoProblems();
});

test("works from the keyboard: skip link first, then a visible focus ring on the controls", async () => {
  await page.goto(`${BASE}/billing`);
  await page.keyboard.press("Tab");
  assert.equal(
    await page.evaluate(() => document.activeElement?.textContent?.trim()),
    "Skip to content",
  );
  await page.locator("#top-up-amount").focus();
  await page.keyboard.press("Tab");
  const outline = await page.evaluate(() => getComputedStyle(document.activeElement).outlineStyle);
  assert.equal(await page.evaluate(() => document.activeElement?.id), "top-up-method");
  assert.equal(outline, "solid");
  assertNoProblems();
});

test("the API reference is served by the Worker", async () => {
  await page.goto(`${BASE}/docs`);
  assert.match(await page.title(), /API reference/);
  assert.ok(await page.getByText("/v1/accounts/{id}/credit").first().isVisible());
  await screenshot(page, "12-api-reference");
  assertNoProblems();
});

test("signs out; the page then asks to sign in again", async () => {
  await page.goto(`${BASE}/billing`);
  await page.getByRole("button", { name: "Sign out" }).click();
  await page.waitForURL(/\/billing\/sign-in\?notice=signed-out/);
  await page.goto(`${BASE}/billing`);
  await page.waitForURL(/\/billing\/sign-in/);
  await screenshot(page, "13-signed-out");
  assertNoProblems();
});
