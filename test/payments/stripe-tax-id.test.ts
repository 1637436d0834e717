import { describe, expect, it } from "vitest";
import { stripeTaxIdType } from "../../src/payments/stripe";

describe("which VAT ids go to Stripe, as which type", () => {
  it.each([
    ["DE", "eu_vat"],
    ["GR", "eu_vat"],
    ["FR", "eu_vat"],
    ["GB", "gb_vat"],
    ["CH", "ch_vat"],
    ["NO", "no_vat"],
    // Ids the billing details accept but Stripe's types do not cover here: kept, not sent.
    ["US", null],
    ["BR", null],
    [undefined, null],
  ])("%s → %s", (country, type) => {
    expect(stripeTaxIdType(country)).toBe(type);
  });
});
