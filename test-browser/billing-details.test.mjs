// Billing details and the seeds' last usage rules on the Billing page, in a real browser
// against `npm run dev`: the admin adds billing details (a wrong VAT id is named at its field),
// sees them beside the balance, and sees invoice-billed usage and a user's own fair-use limit
// in usage & overages. The demo's plan and exceptions are put back as they were found.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { BASE, cents, DEMO, openBrowser, screenshot } from "./browser.mjs";

const OPERATOR = "dev-operator-token";
const SWITCH = "dev-switch-token";
const ACCOUNT = `/v1/accounts/${DEMO.accountId}`;

let browser;
let page;
let planBefore;

async function call(token, method, path, body) {
  const res = await fetch(`${BASE}${path}`, {
    method,
    headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`${method} ${path} answered ${res.status}: ${await res.text()}`);
  return res.json();
}

before(async () => {
  browser = await openBrowser();
  page = browser.page;
  planBefore = await call(OPERATOR, "GET", `${ACCOUNT}/plan`);
  await page.goto(`${BASE}/billing/sign-in`);
  await page.getByLabel("Account ID").fill(DEMO.accountId);
  await page.getByLabel("Admin API key").fill(DEMO.adminKey);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.waitForURL(`${BASE}/billing`);
});

after(async () => {
  await call(OPERATOR, "PUT", `${ACCOUNT}/plan`, planBefore);
  await call(OPERATOR, "DELETE", `${ACCOUNT}/fair-use-exceptions/agent-bob`);
  await browser?.close();
});

function assertNoProblems() {
  assert.deepEqual(
    browser.takeProblems(),
    [],
    "the page logged errors (CSP violations or script errors)",
  );
}

test("billing details: a wrong VAT id is named at its field, then the saved details show beside the balance", async () => {
  const section = page.locator("#billing-details");
  assert.match(await section.textContent(), /No billing details yet/);
  await section.getByLabel("Company name").fill("Demo Telephony GmbH");
  await section.getByLabel("Address", { exact: true }).fill("Friedrichstraße 1");
  await section.getByLabel("City").fill("Berlin");
  await section.getByLabel("Postal code").fill("10117");
  await section.getByLabel("Country").selectOption("DE");
  await section.getByLabel("VAT / tax ID (optional)").fill("DE136695977");
  await section.getByLabel("Invoice email").fill("invoices@demo.example");
  await section.getByRole("button", { name: "Save billing details" }).click();
  await page.locator("#billing-tax-id-error").waitFor();
  assert.match(
    await page.locator("#billing-tax-id-error").textContent(),
    /valid Germany VAT number/,
  );
  // What was typed is kept, so only the wrong field needs fixing.
  assert.equal(await page.getByLabel("Company name").inputValue(), "Demo Telephony GmbH");
  await screenshot(page, "billing-details-01-wrong-vat-id", { fullPage: true });

  await page.getByLabel("VAT / tax ID (optional)").fill("136695976");
  await page.getByRole("button", { name: "Save billing details" }).click();
  await page.waitForURL(/\/billing\?saved=billing-details/);
  assert.match(await section.textContent(), /Billing details saved\./);
  assert.equal(await page.getByTestId("billing-company").textContent(), "Demo Telephony GmbH");
  assert.equal(
    await page.getByTestId("billing-address").textContent(),
    "Friedrichstraße 1, 10117 Berlin, Germany",
  );
  assert.equal(await page.getByTestId("billing-tax-id").textContent(), "DE136695976");
  assert.equal(
    await page.getByTestId("billing-invoice-email").textContent(),
    "invoices@demo.example",
  );
  // Beside the balance: both are on screen together at the top of the page.
  assert.match(await page.getByTestId("balance").textContent(), /^EUR \d/);
  assert.ok(await page.getByTestId("billing-company").isVisible());
  const details = await call(OPERATOR, "GET", `${ACCOUNT}/billing-details`);
  assert.equal(details.taxId, "DE136695976");
  await screenshot(page, "billing-details-02-saved");
  assertNoProblems();
});

test("usage billed by invoice shows under its own heading and leaves the balance alone; a user's own limit shows", async () => {
  await call(OPERATOR, "PUT", `${ACCOUNT}/plan`, {
    ...planBefore,
    serviceBilling: { ...planBefore.serviceBilling, stt: "invoice" },
  });
  await call(OPERATOR, "PUT", `${ACCOUNT}/fair-use-exceptions/agent-bob`, {
    minutesPerMonth: 5000,
  });
  await page.goto(`${BASE}/billing`);
  const before = cents(await page.getByTestId("balance").textContent());
  const run = Date.now().toString(36);
  const stt = await call(SWITCH, "POST", `${ACCOUNT}/usage/browser-stt-${run}`, {
    service: "stt",
    seconds: 150,
    userId: "agent-bob",
  });
  assert.equal(stt.billedBy, "invoice");
  assert.equal(stt.charged, "0.00");
  const callPath = `${ACCOUNT}/calls/browser-bob-${run}`;
  await call(SWITCH, "POST", `${callPath}/authorize`, {
    userId: "agent-bob",
    direction: "outbound",
    from: "+4930123456",
    to: "+4989123456",
  });
  await call(SWITCH, "POST", `${callPath}/end`, { durationSeconds: 60 });

  await page.reload();
  assert.equal(cents(await page.getByTestId("balance").textContent()), before);
  const invoiced = page.getByTestId("usage-invoiced");
  assert.match(await invoiced.textContent(), /Billed by invoice/);
  assert.match(await invoiced.textContent(), /Speech-to-text/);
  assert.ok(cents(await page.getByTestId("usage-invoiced-total").textContent()) >= 6);
  const bob = page.locator('#usage tr[data-user="agent-bob"]');
  assert.match(await bob.textContent(), /of 5,000 min/);
  assert.match(await bob.textContent(), /a limit set for this user/);
  await invoiced.scrollIntoViewIfNeeded();
  await screenshot(page, "billing-details-03-invoiced-usage");
  assertNoProblems();
});
