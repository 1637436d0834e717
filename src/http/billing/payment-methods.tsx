import {
  SANDBOX_CARD_AUTHENTICATION,
  SANDBOX_CARD_CONFIRMS_LATE,
  SANDBOX_CARD_DECLINED,
  SANDBOX_CARD_SUCCEEDS,
} from "../../payments/sandbox";
import { describeCard } from "../../notify/messages";
import type { CreditBody } from "./api-types";

export interface PaymentMethodOption {
  id: string;
  label: string;
}

/** The sandbox's test cards, named for what they do, so a newcomer can try each outcome. */
const SANDBOX_CARDS: PaymentMethodOption[] = [
  { id: SANDBOX_CARD_SUCCEEDS, label: "Test Visa (succeeds)" },
  { id: SANDBOX_CARD_CONFIRMS_LATE, label: "Test Visa (confirms after 5 s)" },
  { id: SANDBOX_CARD_AUTHENTICATION, label: "Test Visa (asks for 3-D Secure)" },
  { id: SANDBOX_CARD_DECLINED, label: "Test card (declined)" },
];

/**
 * The methods the forms offer: the card on file first (an empty value: the API then charges
 * the saved card), then, with the sandbox gateway, its test cards to try each outcome.
 */
export function paymentMethodOptions(
  env: Env,
  card: CreditBody["paymentMethod"],
): PaymentMethodOption[] {
  const options: PaymentMethodOption[] = [];
  if (card) options.push({ id: "", label: `Saved card: ${describeCard(card)}` });
  if (env.PAYMENT_GATEWAY === "sandbox") options.push(...SANDBOX_CARDS);
  return options;
}

export function PaymentMethodSelect(props: {
  id: string;
  options: PaymentMethodOption[];
  selected: string | null;
  error?: string | null;
}) {
  const errorId = `${props.id}-error`;
  if (props.options.length === 0) {
    return (
      <div class="field">
        <p class="field-error" id={errorId}>
          No card is saved for this account. <a href="#card">Save a card</a> first.
        </p>
      </div>
    );
  }
  const selected = props.selected ?? props.options[0]?.id;
  return (
    <div class={props.error ? "field field-invalid" : "field"}>
      <label for={props.id}>Payment method</label>
      {props.error ? (
        <p class="field-error" id={errorId}>
          {props.error}
        </p>
      ) : null}
      <select
        id={props.id}
        name="paymentMethod"
        aria-describedby={props.error ? errorId : undefined}
        aria-invalid={props.error ? "true" : undefined}
      >
        {props.options.map((option) => (
          <option value={option.id} selected={option.id === selected}>
            {option.label}
          </option>
        ))}
      </select>
    </div>
  );
}
