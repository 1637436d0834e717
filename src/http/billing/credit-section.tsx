import {
  CREDIT_EXHAUSTED_MESSAGE,
  CREDIT_EXHAUSTED_TITLE,
  CREDIT_LOW_MESSAGE,
  CREDIT_LOW_TITLE,
} from "../../notify/messages";
import type { CreditBody } from "./api-types";
import { amountText } from "./format";

type Alert = CreditBody["alerts"][number];

/** What to do about each alert, in the help centre's words ("Credit running low: what to do"). */
function AlertBanner(props: { alert: Alert }) {
  const { alert } = props;
  switch (alert.code) {
    case "credit_exhausted":
      return (
        <div class="banner banner-danger" role="alert" data-alert={alert.code}>
          <h3>{CREDIT_EXHAUSTED_TITLE}</h3>
          <p>{CREDIT_EXHAUSTED_MESSAGE}</p>
          <p>
            <strong>Restore calling quickly:</strong>{" "}
            <a href="#add-credit">add credit with a one-time top-up</a>. Credit is applied as soon
            as the payment is processed; calling should resume within a few minutes.
          </p>
          <p>
            <strong>Prevent it from happening again:</strong>{" "}
            <a href="#auto-top-up">set up auto top-up</a> with a threshold that covers about 14 days
            of usage. If auto top-up is already on, your threshold may be too low or a payment may
            have failed. To see what used your credit, <a href="#export">export credit movements</a>
            .
          </p>
        </div>
      );
    case "credit_low":
      return (
        <div class="banner banner-warning" role="status" data-alert={alert.code}>
          <h3>{CREDIT_LOW_TITLE}</h3>
          <p>{CREDIT_LOW_MESSAGE}</p>
          <p>
            <a href="#add-credit">Add credit</a> now, or{" "}
            <a href="#auto-top-up">set up auto top-up</a> so it never runs out. To see what used
            your credit, <a href="#export">export credit movements</a>.
          </p>
        </div>
      );
    case "auto_top_up_failed":
    case "auto_top_up_disabled":
      return (
        <div class="banner banner-warning" role="status" data-alert={alert.code}>
          <h3>
            {alert.code === "auto_top_up_failed"
              ? "Your auto top-up payment failed"
              : "Auto top-up has been turned off"}
          </h3>
          <p>{alert.message}</p>
          <p>
            <a href="#auto-top-up">Check your auto top-up settings</a> or{" "}
            <a href="#add-credit">add credit now</a>.
          </p>
        </div>
      );
    case "card_expiring":
    case "auto_top_up_no_card":
    case "card_held":
      return (
        <div class="banner banner-warning" role="status" data-alert={alert.code}>
          <h3>
            {alert.code === "card_expiring"
              ? "Your card expires soon"
              : "Auto top-up cannot charge your card"}
          </h3>
          <p>{alert.message}</p>
          <p>
            <a href="#card">Save a card</a> or <a href="#add-credit">add credit now</a>.
          </p>
        </div>
      );
    default: {
      const unmapped: never = alert.code;
      return (
        <div class="banner" role="status">
          {String(unmapped)}
        </div>
      );
    }
  }
}

export function CreditSection(props: { credit: CreditBody }) {
  const { credit } = props;
  const stateLabel = { ok: "Credit available", low: "Running low", exhausted: "Run out" }[
    credit.state
  ];
  return (
    <section class="card" id="credit" aria-labelledby="credit-heading">
      <h2 id="credit-heading">Credit</h2>
      <div class="balance-row">
        <div>
          <p class="balance-label">Current balance</p>
          <p class="balance" data-testid="balance">
            {amountText(credit.balance, credit.currency)}
          </p>
          <p class={`state state-${credit.state}`}>{stateLabel}</p>
        </div>
        <dl class="figures">
          <div>
            <dt>Available</dt>
            <dd data-testid="available">{amountText(credit.available, credit.currency)}</dd>
          </div>
          <div>
            <dt>Reserved for calls in progress</dt>
            <dd data-testid="reserved">{amountText(credit.reserved, credit.currency)}</dd>
          </div>
          <div>
            <dt>Low-balance alert below</dt>
            <dd>{amountText(credit.lowBalanceLevel, credit.currency)}</dd>
          </div>
        </dl>
      </div>
      {credit.alerts.map((alert) => (
        <AlertBanner alert={alert} />
      ))}
      <p class="hint">
        Credit pays for calls and messages outside your plan's package. It is never used for your
        subscription, and unused credit cannot be refunded.
      </p>
    </section>
  );
}
