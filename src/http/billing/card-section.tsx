import { describeCard } from "../../notify/messages";
import type { CreditBody } from "./api-types";
import { CsrfInput } from "./layout";

/**
 * The card on file: brand, last 4 and expiry, and a button to the payment gateway's own page
 * to save or replace it. The card number is typed there, never here.
 */
export function CardSection(props: {
  card: CreditBody["paymentMethod"];
  error: string | undefined;
  csrf: string;
}) {
  const { card } = props;
  return (
    <section class="card" id="card" aria-labelledby="card-heading">
      <h2 id="card-heading">Card</h2>
      {card ? (
        <p data-testid="saved-card">
          <strong>{describeCard(card)}</strong>. Used for one-time top-ups and auto top-up.
        </p>
      ) : (
        <p data-testid="saved-card">
          No card is saved. Save one to add credit and to turn on auto top-up.
        </p>
      )}
      {props.error ? (
        <p class="form-error" role="alert" tabindex={-1} data-focus>
          {props.error}
        </p>
      ) : null}
      <form method="post" action="/billing/card" class="form">
        <CsrfInput token={props.csrf} />
        <div class="actions">
          <button type="submit" class="button button-secondary">
            {card ? "Replace card" : "Save a card"}
          </button>
        </div>
      </form>
      <p class="hint">
        You enter the card on the payment provider's secure page; this service only keeps its brand,
        last 4 digits and expiry.
      </p>
    </section>
  );
}
