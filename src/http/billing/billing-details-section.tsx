import { getCountries } from "libphonenumber-js/max";
import type { BillingDetails } from "../../billing-details";
import type { FormState } from "./form-state";
import { CsrfInput, Field } from "./layout";

const REGION_NAMES = new Intl.DisplayNames(["en"], { type: "region" });

/** The country's English name, or its code where the runtime has no name for it. */
export const countryName = (code: string) => REGION_NAMES.of(code) ?? code;

/** Every country the billing details accept, by English name. */
const COUNTRY_OPTIONS = getCountries()
  .map((code) => ({ code, name: countryName(code) }))
  .sort((a, b) => a.name.localeCompare(b.name, "en"));

/** The fields of the form, in the order a person fills them in. */
export const BILLING_DETAILS_FIELDS = [
  "companyName",
  "addressLine1",
  "addressLine2",
  "city",
  "postalCode",
  "country",
  "taxId",
  "invoiceEmail",
] as const;

function CountrySelect(props: { selected: string; error?: string }) {
  const errorId = "billing-country-error";
  return (
    <div class={props.error ? "field field-invalid" : "field"}>
      <label for="billing-country">Country</label>
      {props.error ? (
        <p class="field-error" id={errorId}>
          {props.error}
        </p>
      ) : null}
      <select
        id="billing-country"
        name="country"
        required
        autocomplete="country"
        aria-describedby={props.error ? errorId : undefined}
        aria-invalid={props.error ? "true" : undefined}
      >
        <option value="" selected={props.selected === ""}>
          Choose a country
        </option>
        {COUNTRY_OPTIONS.map((c) => (
          <option value={c.code} selected={c.code === props.selected}>
            {c.name}
          </option>
        ))}
      </select>
    </div>
  );
}

function DetailsShown(props: { details: BillingDetails }) {
  const d = props.details;
  return (
    <dl class="figures" data-testid="billing-details">
      <div>
        <dt>Company</dt>
        <dd data-testid="billing-company">{d.companyName}</dd>
      </div>
      <div>
        <dt>Address</dt>
        <dd data-testid="billing-address">
          {[d.addressLine1, d.addressLine2, `${d.postalCode} ${d.city}`, countryName(d.country)]
            .filter(Boolean)
            .join(", ")}
        </dd>
      </div>
      <div>
        <dt>VAT / tax ID</dt>
        <dd data-testid="billing-tax-id">{d.taxId ?? "—"}</dd>
      </div>
      <div>
        <dt>Invoice email</dt>
        <dd data-testid="billing-invoice-email">{d.invoiceEmail}</dd>
      </div>
    </dl>
  );
}

/** "Billing data" beside balance and card: who is invoiced and where, and the form to change it. */
export function BillingDetailsSection(props: {
  details: BillingDetails | null;
  form: FormState | undefined;
  saved: boolean;
  csrf: string;
}) {
  const { details, form } = props;
  const value = (name: (typeof BILLING_DETAILS_FIELDS)[number]) =>
    form?.values[name] ?? details?.[name] ?? "";
  const error = (name: (typeof BILLING_DETAILS_FIELDS)[number]) => form?.fieldErrors[name];
  return (
    <section class="card" id="billing-details" aria-labelledby="billing-details-heading">
      <h2 id="billing-details-heading">Billing details</h2>
      <p class="hint">
        Who we invoice and where: your company, its address, VAT or tax ID, and the email invoices
        go to.
      </p>
      {props.saved ? (
        <p class="outcome outcome-success" role="status" tabindex={-1} data-focus>
          Billing details saved.
        </p>
      ) : null}
      {details ? (
        <DetailsShown details={details} />
      ) : (
        <p class="outcome outcome-neutral" data-testid="billing-details-none">
          No billing details yet. Add them so invoices name your company.
        </p>
      )}
      {form?.message ? (
        <p class="form-error" role="alert" tabindex={-1} data-focus>
          {form.message}
        </p>
      ) : null}
      <details open={!details || form !== undefined}>
        <summary>{details ? "Change billing details" : "Add billing details"}</summary>
        <form method="post" action="/billing/billing-details" class="form" novalidate>
          <CsrfInput token={props.csrf} />
          <Field
            id="billing-company-name"
            name="companyName"
            label="Company name"
            autocomplete="organization"
            required
            value={value("companyName")}
            error={error("companyName")}
          />
          <Field
            id="billing-address-line1"
            name="addressLine1"
            label="Address"
            autocomplete="address-line1"
            required
            value={value("addressLine1")}
            error={error("addressLine1")}
          />
          <Field
            id="billing-address-line2"
            name="addressLine2"
            label="Address, second line (optional)"
            autocomplete="address-line2"
            value={value("addressLine2")}
            error={error("addressLine2")}
          />
          <Field
            id="billing-city"
            name="city"
            label="City"
            autocomplete="address-level2"
            required
            value={value("city")}
            error={error("city")}
          />
          <Field
            id="billing-postal-code"
            name="postalCode"
            label="Postal code"
            autocomplete="postal-code"
            required
            value={value("postalCode")}
            error={error("postalCode")}
          />
          <CountrySelect selected={value("country")} error={error("country")} />
          <Field
            id="billing-tax-id"
            name="taxId"
            label="VAT / tax ID (optional)"
            hint="In the EU, the UK, Switzerland and Norway: your VAT number, checked with its country's rules."
            value={value("taxId")}
            error={error("taxId")}
          />
          <Field
            id="billing-invoice-email"
            name="invoiceEmail"
            label="Invoice email"
            type="email"
            autocomplete="email"
            required
            value={value("invoiceEmail")}
            error={error("invoiceEmail")}
          />
          <div class="actions">
            <button type="submit" class="button button-primary">
              Save billing details
            </button>
          </div>
        </form>
      </details>
    </section>
  );
}
