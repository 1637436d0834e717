import { AddCreditSection } from "./add-credit-section";
import { AutoTopUpSection } from "./auto-top-up-section";
import { CardSection } from "./card-section";
import { BillingDetailsSection } from "./billing-details-section";
import { CreditSection } from "./credit-section";
import { ExportSection } from "./export-section";
import type { PageForms } from "./form-state";
import { CsrfInput, Layout } from "./layout";
import { MovementsSection, SpendSection } from "./movements-section";
import type { BillingData } from "./page-data";
import type { PaymentMethodOption } from "./payment-methods";
import { UsageSection } from "./usage-section";

export interface BillingPageProps {
  data: BillingData;
  forms: PageForms;
  notice: string | null;
  paymentMethods: PaymentMethodOption[];
  /** The billing details form was just saved. */
  billingDetailsSaved: boolean;
  csrf: string;
}

/** Dashboard > Account > Billing: every section the help centre describes, in its order. */
export function BillingPage(props: BillingPageProps) {
  const { data, forms, csrf } = props;
  const { account, credit } = data;
  const saved = credit.autoTopUp.paymentMethod;
  return (
    <Layout title={`Billing · ${account.name}`}>
      <header class="top">
        <div class="top-inner">
          <p class="crumbs">
            Dashboard › Account › <span aria-current="page">Billing</span>
          </p>
          <form method="post" action="/billing/sign-out" class="sign-out">
            <CsrfInput token={csrf} />
            <span class="account-name">
              {account.name} <span class="mono">({account.id})</span>
            </span>
            <button type="submit" class="button button-secondary">
              Sign out
            </button>
          </form>
        </div>
      </header>
      <main id="main" tabindex={-1}>
        <h1>Billing</h1>
        <nav aria-label="Sections of this page" class="section-nav">
          <a href="#credit">Credit</a>
          <a href="#card">Card</a>
          <a href="#billing-details">Billing details</a>
          <a href="#add-credit">Add credit</a>
          <a href="#auto-top-up">Auto top-up</a>
          <a href="#usage">Usage &amp; overages</a>
          <a href="#spend">Daily spend</a>
          <a href="#movements">Movements</a>
          <a href="#export">Export</a>
        </nav>
        <div class="grid">
          <CreditSection credit={credit} />
          <CardSection card={credit.paymentMethod} error={forms.cardError} csrf={csrf} />
          <BillingDetailsSection
            details={data.billingDetails}
            form={forms.billingDetails}
            saved={props.billingDetailsSaved}
            csrf={csrf}
          />
          <AddCreditSection
            credit={credit}
            topUp={data.topUp}
            form={forms.topUp}
            options={props.paymentMethods}
            saved={saved}
            csrf={csrf}
          />
          <AutoTopUpSection
            credit={credit}
            form={forms.autoTopUp}
            options={props.paymentMethods}
            saved={saved}
            notice={props.notice}
            csrf={csrf}
          />
          <ExportSection
            job={data.lastExport}
            error={forms.exportError}
            timeZone={account.timezone}
            csrf={csrf}
          />
          <UsageSection usage={data.usage} currency={credit.currency} />
          <SpendSection
            days={data.spend.days}
            complete={data.spend.complete}
            currency={credit.currency}
          />
          <MovementsSection
            movements={data.latest}
            currency={credit.currency}
            timeZone={account.timezone}
          />
        </div>
      </main>
      <footer class="foot">
        <p>
          Times are in {account.timezone}. <a href="/docs">API reference</a>
        </p>
      </footer>
    </Layout>
  );
}
