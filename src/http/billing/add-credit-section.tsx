import type { CreditBody, TopUpBody } from "./api-types";
import { amountText } from "./format";
import type { FormState } from "./form-state";
import { CsrfInput, Field, MONEY_PATTERN } from "./layout";
import { PaymentMethodSelect, type PaymentMethodOption } from "./payment-methods";

/** What the one-time form suggests before the admin types anything. */
export const TOP_UP_SUGGESTED_AMOUNT = "25.00";

/** The payment's progress: pending (polled), then the new balance or why it failed. */
function TopUpOutcome(props: { topUp: TopUpBody; credit: CreditBody }) {
  const { topUp, credit } = props;
  const amount = amountText(topUp.amount, credit.currency);
  switch (topUp.status) {
    case "pending":
      return (
        <div
          class="outcome outcome-pending"
          role="status"
          data-poll-url={`/billing/top-ups/${topUp.id}/status`}
          data-testid="top-up-outcome"
        >
          <span class="spinner" aria-hidden="true"></span>
          <div>
            <p>
              <strong>Payment of {amount} is being processed.</strong> Your new balance appears here
              once the payment is confirmed; depending on your bank this can take a short time.
            </p>
            <p>
              <a href={`/billing?topUp=${topUp.id}#add-credit`}>Refresh</a>
            </p>
          </div>
        </div>
      );
    case "requires_action":
      // The page sends the admin to the bank at once; this is for a reload or a way back.
      return (
        <div class="outcome outcome-pending" role="status" data-testid="top-up-outcome">
          <div>
            <p>
              <strong>Your bank asks you to confirm the payment of {amount}.</strong> No credit is
              added until you do.
            </p>
            <p>
              <a
                class="button button-primary"
                href={topUp.nextAction?.url}
                data-testid="authenticate"
              >
                Confirm with your bank
              </a>
            </p>
          </div>
        </div>
      );
    case "succeeded":
      return (
        <div
          class="outcome outcome-success"
          role="status"
          tabindex={-1}
          data-focus
          data-testid="top-up-outcome"
        >
          <p>
            <strong>Payment of {amount} succeeded.</strong> Your balance is now{" "}
            <span data-testid="new-balance">{amountText(credit.balance, credit.currency)}</span>.
          </p>
        </div>
      );
    case "failed":
      return (
        <div
          class="outcome outcome-error"
          role="alert"
          tabindex={-1}
          data-focus
          data-testid="top-up-outcome"
        >
          <p>
            <strong>Payment of {amount} failed:</strong>{" "}
            {topUp.failureReason ?? "the payment was not completed."} No credit was added. Try
            again, or choose another payment method.
          </p>
        </div>
      );
    default: {
      const unmapped: never = topUp.status;
      return <p>{String(unmapped)}</p>;
    }
  }
}

export function AddCreditSection(props: {
  credit: CreditBody;
  topUp: TopUpBody | null;
  form: FormState | undefined;
  options: PaymentMethodOption[];
  saved: string | null;
  csrf: string;
}) {
  const { credit, form } = props;
  return (
    <section class="card" id="add-credit" aria-labelledby="add-credit-heading">
      <h2 id="add-credit-heading">Add credit</h2>
      <p class="hint">
        One-time adding credit: pay now with your saved payment method. Credit is applied as soon as
        the payment is processed.
      </p>
      {props.topUp ? <TopUpOutcome topUp={props.topUp} credit={credit} /> : null}
      {form?.message ? (
        <p class="form-error" role="alert" tabindex={-1} data-focus>
          {form.message}
        </p>
      ) : null}
      <form method="post" action="/billing/top-ups" class="form" novalidate>
        <CsrfInput token={props.csrf} />
        <input type="hidden" name="idempotencyKey" value={crypto.randomUUID()} />
        <Field
          id="top-up-amount"
          name="amount"
          label={`Amount (${credit.currency})`}
          prefix={credit.currency}
          inputmode="decimal"
          pattern={MONEY_PATTERN}
          required
          value={form?.values.amount ?? TOP_UP_SUGGESTED_AMOUNT}
          error={form?.fieldErrors.amount}
        />
        <PaymentMethodSelect
          id="top-up-method"
          options={props.options}
          selected={form?.values.paymentMethod ?? props.saved}
          error={form?.fieldErrors.paymentMethod}
        />
        <div class="actions">
          <button type="submit" class="button button-primary">
            Pay now
          </button>
        </div>
      </form>
    </section>
  );
}
