import { parseMoney } from "../../money";
import type { CreditBody } from "./api-types";
import { amountText } from "./format";
import type { FormState } from "./form-state";
import { CsrfInput, Field, MONEY_PATTERN } from "./layout";
import { PaymentMethodSelect, type PaymentMethodOption } from "./payment-methods";

/** What the form suggests as the amount when auto top-up was never set up. */
export const AUTO_TOP_UP_SUGGESTED_AMOUNT = "50.00";
/** The suggested threshold while there is no spend to recommend one from. */
export const AUTO_TOP_UP_SUGGESTED_THRESHOLD = "10.00";

const micros = (decimal: string | null) => (decimal === null ? null : parseMoney(decimal));

/** The status lines under the form: on/off, in progress, failures, a threshold below the advice. */
function AutoTopUpStatus(props: { credit: CreditBody }) {
  const { credit } = props;
  const auto = credit.autoTopUp;
  const lines = [];
  if (auto.status) {
    lines.push(
      <p class="outcome outcome-error" data-testid="auto-top-up-status">
        {auto.status.message}
      </p>,
    );
  }
  if (auto.inProgress) {
    lines.push(
      <p class="outcome outcome-pending" data-testid="auto-top-up-in-progress">
        <span class="spinner" aria-hidden="true"></span>
        An automatic top-up of {amountText(auto.inProgress.amount, credit.currency)} is in progress.
      </p>,
    );
  }
  if (auto.enabled) {
    lines.push(
      <p class="outcome outcome-success" data-testid="auto-top-up-summary">
        <strong>Auto top-up is on.</strong> When your balance falls below{" "}
        {amountText(auto.threshold, credit.currency)}, we add{" "}
        {amountText(auto.amount, credit.currency)} with your saved payment method.
      </p>,
    );
    const threshold = micros(auto.threshold);
    const recommended = micros(credit.recommendedThreshold);
    if (threshold?.ok && recommended?.ok && threshold.micros < recommended.micros) {
      lines.push(
        <p class="outcome outcome-warning">
          Your threshold is below the recommended{" "}
          {amountText(credit.recommendedThreshold, credit.currency)}, so it may not cover 14 days of
          usage. A payment problem could then stop your calls before you can fix it.
        </p>,
      );
    }
  } else if (!auto.status) {
    lines.push(
      <p class="outcome outcome-neutral" data-testid="auto-top-up-summary">
        <strong>Auto top-up is off.</strong> When your credit runs out, outbound calls and inbound
        calls to toll-free numbers stop until you add credit.
      </p>,
    );
  }
  return <div aria-live="polite">{lines}</div>;
}

export function AutoTopUpSection(props: {
  credit: CreditBody;
  form: FormState | undefined;
  options: PaymentMethodOption[];
  saved: string | null;
  notice: string | null;
  csrf: string;
}) {
  const { credit, form } = props;
  const auto = credit.autoTopUp;
  const recommended = amountText(credit.recommendedThreshold, credit.currency);
  const recommendedMicros = micros(credit.recommendedThreshold);
  const recommendedPositive = recommendedMicros?.ok === true && recommendedMicros.micros > 0;
  return (
    <section class="card" id="auto-top-up" aria-labelledby="auto-top-up-heading">
      <h2 id="auto-top-up-heading">Auto top-up</h2>
      <p class="hint">
        Automatic adding credit: we charge your saved payment method and add credit whenever your
        balance falls below the threshold you set, so calling is never interrupted.
      </p>
      {props.notice ? (
        <p class="outcome outcome-success" role="status" tabindex={-1} data-focus>
          {props.notice}
        </p>
      ) : null}
      <AutoTopUpStatus credit={credit} />
      {form?.message ? (
        <p class="form-error" role="alert" tabindex={-1} data-focus>
          {form.message}
        </p>
      ) : null}
      <form method="post" action="/billing/auto-top-up" class="form" novalidate>
        <CsrfInput token={props.csrf} />
        <Field
          id="auto-amount"
          name="amount"
          label={`Add this amount (${credit.currency})`}
          prefix={credit.currency}
          inputmode="decimal"
          pattern={MONEY_PATTERN}
          required
          value={form?.values.amount ?? auto.amount ?? AUTO_TOP_UP_SUGGESTED_AMOUNT}
          hint="Higher amounts mean fewer charges."
          error={form?.fieldErrors.amount}
        />
        <Field
          id="auto-threshold"
          name="threshold"
          label={`If balance falls below (${credit.currency})`}
          prefix={credit.currency}
          inputmode="decimal"
          pattern={MONEY_PATTERN}
          required
          value={
            form?.values.threshold ??
            auto.threshold ??
            (recommendedPositive ? credit.recommendedThreshold : AUTO_TOP_UP_SUGGESTED_THRESHOLD)
          }
          hint={
            recommendedPositive ? (
              <>
                Recommended: <strong data-testid="recommended-threshold">{recommended}</strong>,
                enough for about 14 days of your team's usage (from the last 30 days).
              </>
            ) : (
              <>
                Recommended: enough to cover about 14 days of your team's usage. There is not enough
                recent spend to suggest an amount yet.
              </>
            )
          }
          error={form?.fieldErrors.threshold}
        />
        {recommendedPositive ? (
          <button
            type="button"
            class="button button-link"
            hidden
            data-fill="auto-threshold"
            data-value={credit.recommendedThreshold}
          >
            Use the recommended threshold
          </button>
        ) : null}
        <PaymentMethodSelect
          id="auto-method"
          options={props.options}
          selected={form?.values.paymentMethod ?? props.saved}
          error={form?.fieldErrors.paymentMethod}
        />
        <div class="actions">
          {auto.enabled ? (
            <>
              <button type="submit" name="enabled" value="on" class="button button-primary">
                Save changes
              </button>
              <button type="submit" name="enabled" value="off" class="button button-secondary">
                Turn off auto top-up
              </button>
            </>
          ) : (
            <button type="submit" name="enabled" value="on" class="button button-primary">
              Save and turn on
            </button>
          )}
        </div>
      </form>
    </section>
  );
}
