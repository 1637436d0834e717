// The Billing page's parts of the seeds' last rules, rendered by the Worker: billing details
// beside balance and card, invoice-billed usage and a user's own fair-use limit in the usage.
import { beforeAll, describe, expect, it } from "vitest";
import * as responses from "../../src/http/openapi/responses";
import { browse, signIn } from "../billing/helpers";
import {
  authorize,
  end,
  EU_PLAN,
  N,
  reportUsage,
  setPlan,
  uploadSampleDecks,
} from "../calls/helpers";
import { api, newAccount } from "../helpers";

beforeAll(uploadSampleDecks);

const FORM = {
  companyName: "Example GmbH",
  addressLine1: "Friedrichstraße 1",
  addressLine2: "",
  city: "Berlin",
  postalCode: "10117",
  country: "DE",
  taxId: "DE136695977",
  invoiceEmail: "billing@example.test",
};

describe("billing details on the Billing page", () => {
  it("asks for them, names a wrong VAT id at its field keeping what was typed, then shows them", async () => {
    const acct = await newAccount({ credit: "10.00" });
    const { jar, csrf, page } = await signIn(acct);
    expect(page.text).toContain('id="billing-details"');
    expect(page.text).toContain('data-testid="billing-details-none"');
    // Beside the balance: the section follows the credit section.
    expect(page.text.indexOf('id="billing-details"')).toBeGreaterThan(
      page.text.indexOf('id="credit"'),
    );
    expect(page.text).toContain('<option value="DE">Germany</option>');

    const refused = await browse(jar, "POST", "/billing/billing-details", { ...FORM, csrf });
    expect(refused.status).toBe(400);
    expect(refused.text).toContain("Please correct the fields marked below.");
    expect(refused.text).toMatch(/id="billing-tax-id-error">Must be a valid Germany VAT number/);
    expect(refused.text).toContain('value="Example GmbH"');
    expect(refused.text).toMatch(/<option value="DE" selected="">Germany<\/option>/);

    const saved = await browse(jar, "POST", "/billing/billing-details", {
      ...FORM,
      taxId: "de 136695976",
      csrf,
    });
    expect(saved.status).toBe(303);
    expect(saved.location).toBe("/billing?saved=billing-details#billing-details");
    const shown = await browse(jar, "GET", "/billing?saved=billing-details");
    expect(shown.text).toContain("Billing details saved.");
    expect(shown.text).toContain('data-testid="billing-company">Example GmbH<');
    expect(shown.text).toContain(
      'data-testid="billing-address">Friedrichstraße 1, 10117 Berlin, Germany<',
    );
    expect(shown.text).toContain('data-testid="billing-tax-id">DE136695976<');
    expect(shown.text).toContain('data-testid="billing-invoice-email">billing@example.test<');
    const details = await api("GET", `/v1/accounts/${acct.id}/billing-details`);
    expect(() => responses.billingDetailsResponse.parse(details.body)).not.toThrow();
  });
});

describe("usage & overages with the seeds' last rules", () => {
  it("shows invoice-billed usage under its own heading, apart from credit, and a user's own limit", async () => {
    const acct = await newAccount({ credit: "10.00" });
    await setPlan(acct.id, { ...EU_PLAN, serviceBilling: { stt: "invoice" } });
    expect(
      (
        await api("PUT", `/v1/accounts/${acct.id}/fair-use-exceptions/bob`, {
          body: { minutesPerMonth: 5000 },
        })
      ).status,
    ).toBe(200);
    await reportUsage(acct.id, "stt-page", { service: "stt", seconds: 150, userId: "bob" });
    await authorize(acct.id, "bob-call", { userId: "bob", from: N.deAccount, to: N.deFixedBerlin });
    await end(acct.id, "bob-call", 120);

    const usage = await api("GET", `/v1/accounts/${acct.id}/usage`);
    expect(() => responses.usageReportResponse.parse(usage.body)).not.toThrow();
    const invoice = await api("GET", `/v1/accounts/${acct.id}/invoice-usage`);
    expect(() => responses.invoiceUsageResponse.parse(invoice.body)).not.toThrow();
    const exceptions = await api("GET", `/v1/accounts/${acct.id}/fair-use-exceptions`);
    expect(() => responses.fairUseExceptionsResponse.parse(exceptions.body)).not.toThrow();

    const { page } = await signIn(acct);
    const section = page.text.slice(page.text.indexOf('id="usage"'));
    expect(section).toContain("Billed by invoice: not taken from credit");
    expect(section).toMatch(/<td>Speech-to-text<\/td><td class="num">1<\/td><td class="num">3 min/);
    expect(section).toContain('data-testid="usage-invoiced-total">EUR 0.06<');
    // Nothing was charged from credit: the call was included, the transcription invoiced.
    expect(section).toContain('data-testid="usage-total">EUR 0.00<');
    expect(section).toMatch(/2 of 5,000 min.*a limit set for this user/s);
  });
});
