import { checkVAT, countries as VAT_COUNTRIES, type Country } from "jsvat";
import { z } from "zod";
import type { CustomerDetails } from "./payments/gateway";
import { isRatingCountry } from "./rating/classify";

/**
 * Who is invoiced and where ("billing data" on the Billing page), set by the account's
 * admin. Named in the terms of the payment gateway's customer (name, email, address, tax
 * id), which is given them where the account has one.
 */
export interface BillingDetails {
  companyName: string;
  addressLine1: string;
  addressLine2?: string;
  city: string;
  postalCode: string;
  /** ISO 3166 alpha-2. */
  country: string;
  /** A VAT id in its canonical form (e.g. "DE136695976") where the country has VAT ids we check. */
  taxId?: string;
  invoiceEmail: string;
}

/** The details as the gateway's customer takes them (receipts, tax). */
export function customerDetailsOf(details: BillingDetails): CustomerDetails {
  return {
    name: details.companyName,
    email: details.invoiceEmail,
    address: {
      line1: details.addressLine1,
      ...(details.addressLine2 ? { line2: details.addressLine2 } : {}),
      city: details.city,
      postalCode: details.postalCode,
      country: details.country,
    },
    ...(details.taxId ? { taxId: details.taxId } : {}),
  };
}

const text = (max: number) => z.string().trim().min(1, "must not be empty").max(max);
/** An optional text field; the page's form sends an empty field as "". */
const optionalText = (max: number) =>
  z
    .string()
    .trim()
    .max(max)
    .optional()
    .transform((value) => (value ? value : undefined));

const countryCode = z
  .string()
  .trim()
  .transform((code) => code.toUpperCase())
  .refine(isRatingCountry, 'must be an ISO 3166 alpha-2 country code (e.g. "DE", "GB")');

/** Countries whose VAT ids jsvat checks (format and check digits), by ISO code. */
const VAT_COUNTRY_OF = new Map<string, Country>(
  VAT_COUNTRIES.flatMap((c) => {
    const code = c.codes[0] ?? "";
    return isRatingCountry(code) ? [[code, c] as const] : [];
  }),
);
/** Greece's VAT ids start with EL, not its ISO code. */
const VAT_PREFIX_OF: Readonly<Record<string, string>> = { GR: "EL" };

/** Elsewhere a tax id is checked only for its characters: we know no format to check it by. */
const OTHER_TAX_ID = /^[A-Z0-9][A-Z0-9 ./-]{1,39}$/;

export type TaxIdCheck = { ok: true; taxId: string } | { ok: false; issue: string };

/**
 * A tax id for a billing country. In a country jsvat knows (the EU's, GB, CH, NO, …) it
 * must be a valid VAT id of that country, with or without its prefix, and is stored with
 * it; elsewhere any id of letters, digits and separators is taken as written.
 */
export function checkTaxId(input: string, country: string): TaxIdCheck {
  const taxId = input.trim().toUpperCase();
  const vatCountry = VAT_COUNTRY_OF.get(country);
  if (!vatCountry) {
    return OTHER_TAX_ID.test(taxId)
      ? { ok: true, taxId }
      : { ok: false, issue: "must be 2 to 40 letters, digits, spaces, '.', '/' or '-'" };
  }
  const prefix = VAT_PREFIX_OF[country] ?? country;
  for (const candidate of [taxId, `${prefix}${taxId}`]) {
    const result = checkVAT(candidate, [vatCountry]);
    if (result.isValid && result.value) return { ok: true, taxId: result.value };
  }
  return {
    ok: false,
    issue: `must be a valid ${vatCountry.name} VAT number (it starts with ${prefix}, e.g. ${prefix}123456789, and its check digits must match)`,
  };
}

/** The body of `PUT /v1/accounts/:id/billing-details`. */
export const billingDetailsSchema = z
  .strictObject({
    companyName: text(200),
    addressLine1: text(200),
    addressLine2: optionalText(200),
    city: text(100),
    postalCode: text(20).regex(/^[A-Za-z0-9][A-Za-z0-9 -]*$/, "letters, digits, spaces or '-'"),
    country: countryCode,
    taxId: optionalText(60),
    invoiceEmail: z.email("must be an email address such as billing@example.com").max(254),
  })
  .transform((body, ctx): BillingDetails => {
    const { addressLine2, taxId, ...required } = body;
    const details: BillingDetails = { ...required, ...(addressLine2 && { addressLine2 }) };
    if (taxId === undefined) return details;
    const checked = checkTaxId(taxId, body.country);
    if (!checked.ok) {
      ctx.addIssue({ code: "custom", path: ["taxId"], message: checked.issue, input: taxId });
      return z.NEVER;
    }
    return { ...details, taxId: checked.taxId };
  });
