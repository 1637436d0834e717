import {
  SANDBOX_CARD_CONFIRMS_LATE,
  SANDBOX_CARD_DECLINED,
  SANDBOX_CARD_SUCCEEDS,
} from "../../payments/sandbox";

export interface PaymentMethodOption {
  id: string;
  label: string;
}

/** The sandbox's test cards, named for what they do, so a newcomer can try each outcome. */
const SANDBOX_CARDS: PaymentMethodOption[] = [
  { id: SANDBOX_CARD_SUCCEEDS, label: "Test Visa (succeeds)" },
  { id: SANDBOX_CARD_CONFIRMS_LATE, label: "Test Visa (confirms after 5 s)" },
  { id: SANDBOX_CARD_DECLINED, label: "Test card (declined)" },
];

/**
 * The methods the forms offer: the saved one first, then, with the sandbox gateway, its test
 * cards. Saving a card with Stripe needs Stripe's own form, which this page does not embed,
 * so with Stripe only the saved method is offered.
 */
export function paymentMethodOptions(env: Env, saved: string | null): PaymentMethodOption[] {
  const options: PaymentMethodOption[] = [];
  if (saved) options.push({ id: saved, label: `Saved: ${savedLabel(saved)}` });
  if (env.PAYMENT_GATEWAY === "sandbox")
    options.push(...SANDBOX_CARDS.filter((card) => card.id !== saved));
  return options;
}

function savedLabel(id: string): string {
  return SANDBOX_CARDS.find((card) => card.id === id)?.label ?? id;
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
          No payment method is saved for this account. Ask your platform operator to add one.
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
