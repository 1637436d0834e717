import { formatMoney, minorUnitDigits, type Micros } from "../money";

/**
 * Every sentence the service says to an account admin, in one place, so the dashboard's
 * status lines and the emails cannot drift apart. Pure functions; the alert wording is the
 * help centre's ("Credit running low: what to do").
 */

export interface MessageContent {
  subject: string;
  text: string;
  html?: string;
}

export interface Alert {
  code:
    | "credit_low"
    | "credit_exhausted"
    | "auto_top_up_failed"
    | "auto_top_up_disabled"
    | "auto_top_up_no_card"
    | "card_held"
    | "card_expiring";
  message: string;
}

export const CREDIT_LOW_TITLE = "Your credit is running low";
export const CREDIT_LOW_MESSAGE =
  "Your balance is getting close to zero. If it runs out, calling will be interrupted.";
export const CREDIT_EXHAUSTED_TITLE = "Your credit has run out";
export const CREDIT_EXHAUSTED_MESSAGE =
  "Your balance is 0. Outbound calls are blocked, and inbound calls to toll-free numbers will not connect. Inbound calls to standard (non-toll-free) numbers still work.";

const RESTORE_ADVICE =
  "To restore calling, add credit with a one-time top-up in Billing. Credit is applied as soon as the payment is processed; calling should resume within a few minutes.";
const PREVENT_ADVICE =
  "To keep this from happening, enable auto top-up with a threshold that covers about 14 days of usage. If auto top-up is already on, your threshold may be too low or a payment may have failed.";

/** "EUR 25.00", "JPY 3000", "EUR 0.0123": the currency's own decimals unless the amount is finer. */
export function formatAmount(amountMicros: Micros, currency: string): string {
  const [whole, fraction = ""] = formatMoney(amountMicros).split(".");
  const digits = minorUnitDigits(currency);
  const kept =
    fraction.length > digits && /^0*$/.test(fraction.slice(digits))
      ? fraction.slice(0, digits)
      : fraction;
  return `${currency} ${kept ? `${whole}.${kept}` : whole}`;
}

/** YYYY-MM-DD in the account's time zone, the form the export's period is stated in. */
export function formatDate(atMs: number, timeZone = "UTC"): string {
  const parts = new Intl.DateTimeFormat("en-US", {
    timeZone,
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
  }).formatToParts(atMs);
  const part = (type: string) => parts.find((p) => p.type === type)?.value ?? "";
  return `${part("year")}-${part("month")}-${part("day")}`;
}

/** YYYY-MM-DD HH:MM <zone>. */
export function formatDateTime(atMs: number, timeZone = "UTC"): string {
  const parts = new Intl.DateTimeFormat("en-US", {
    timeZone,
    hour: "2-digit",
    minute: "2-digit",
    hourCycle: "h23",
  }).formatToParts(atMs);
  const part = (type: string) => parts.find((p) => p.type === type)?.value ?? "";
  return `${formatDate(atMs, timeZone)} ${part("hour")}:${part("minute")} ${timeZone}`;
}

export const creditLowAlert = (): Alert => ({
  code: "credit_low",
  message: `${CREDIT_LOW_TITLE}. ${CREDIT_LOW_MESSAGE}`,
});
export const creditExhaustedAlert = (): Alert => ({
  code: "credit_exhausted",
  message: `${CREDIT_EXHAUSTED_TITLE}. ${CREDIT_EXHAUSTED_MESSAGE}`,
});

export function creditLowEmail(input: { balanceMicros: Micros; currency: string }): MessageContent {
  return {
    subject: CREDIT_LOW_TITLE,
    text: [
      CREDIT_LOW_MESSAGE,
      `Current balance: ${formatAmount(input.balanceMicros, input.currency)}.`,
      RESTORE_ADVICE,
      PREVENT_ADVICE,
    ].join("\n\n"),
  };
}

export function creditExhaustedEmail(input: {
  balanceMicros: Micros;
  currency: string;
}): MessageContent {
  return {
    subject: CREDIT_EXHAUSTED_TITLE,
    text: [
      CREDIT_EXHAUSTED_MESSAGE,
      `Current balance: ${formatAmount(input.balanceMicros, input.currency)}.`,
      RESTORE_ADVICE,
      PREVENT_ADVICE,
    ].join("\n\n"),
  };
}

export interface AutoTopUpFailure {
  amountMicros: Micros;
  currency: string;
  failureReason: string;
  /** When the next attempt is due; null when none is planned. */
  nextAttemptAtMs: number | null;
  timeZone?: string;
  /** The bank wants the cardholder: where the admin can pay by hand, with authentication. */
  actionUrl?: string;
}

export function autoTopUpFailedAlert(input: AutoTopUpFailure): Alert {
  const retry =
    input.nextAttemptAtMs === null
      ? ""
      : ` We will try again at ${formatDateTime(input.nextAttemptAtMs, input.timeZone)}.`;
  return {
    code: "auto_top_up_failed",
    message: `Auto top-up of ${formatAmount(input.amountMicros, input.currency)} failed: ${input.failureReason}${retry} Check your payment method in Billing.`,
  };
}

export function autoTopUpFailedEmail(input: AutoTopUpFailure): MessageContent {
  const action = input.actionUrl
    ? [
        `Your bank wants you to confirm payments yourself. Add credit now, confirming it with your bank, or save another card: ${input.actionUrl}`,
      ]
    : [];
  return {
    subject: input.actionUrl
      ? "Your bank needs you to confirm your auto top-up"
      : "Your auto top-up payment failed",
    text: [
      autoTopUpFailedAlert(input).message,
      ...action,
      "If your balance runs out, outbound calls and inbound calls to toll-free numbers will stop. You can add credit with a one-time top-up at any time.",
    ].join("\n\n"),
    ...(input.actionUrl
      ? {
          html: [
            `<p>${escapeHtml(autoTopUpFailedAlert(input).message)}</p>`,
            `<p>Your bank wants you to confirm payments yourself. <a href="${escapeHtml(input.actionUrl)}">Add credit now</a>, confirming it with your bank, or save another card.</p>`,
          ].join("\n"),
        }
      : {}),
  };
}

export interface CardDescription {
  brand: string;
  last4: string;
  expMonth: number;
  expYear: number;
}

/** "Visa ending 4242 (expires 12/2029)". */
export function describeCard(card: CardDescription): string {
  const brand = card.brand.charAt(0).toUpperCase() + card.brand.slice(1);
  return `${brand} ending ${card.last4} (expires ${String(card.expMonth).padStart(2, "0")}/${card.expYear})`;
}

export const cardExpiringAlert = (card: CardDescription): Alert => ({
  code: "card_expiring",
  message: `Your card expires soon: ${describeCard(card)}. Auto top-up will fail after that; save a new card in Billing.`,
});

export function cardExpiringEmail(input: CardDescription & { billingUrl: string }): MessageContent {
  return {
    subject: "Your card expires soon",
    text: [
      cardExpiringAlert(input).message,
      `Replace it here so auto top-up keeps working: ${input.billingUrl}`,
    ].join("\n\n"),
  };
}

export const autoTopUpNoCardAlert = (): Alert => ({
  code: "auto_top_up_no_card",
  message: "Auto top-up is on but cannot run: no card is saved. Save a card in Billing.",
});

export const cardHeldAlert = (reason: string): Alert => ({
  code: "card_held",
  message: `Auto top-up is paused for your saved card: ${reason}. Save a new card, or save the auto top-up settings again to keep this one.`,
});

const REVERSAL_WORDS = {
  refund: "was refunded, so its credit was taken back",
  dispute: "was disputed with your bank, so its credit was taken back",
  dispute_won:
    "was disputed, and the dispute was resolved in our favour, so its credit was given back",
} as const;

export function topUpReversedEmail(input: {
  topUpId: string;
  amountMicros: Micros;
  currency: string;
  cause: keyof typeof REVERSAL_WORDS;
  balanceMicros: Micros;
}): MessageContent {
  return {
    subject: input.cause === "dispute_won" ? "Credit given back" : "Credit taken back",
    text: [
      `Top-up ${input.topUpId} ${REVERSAL_WORDS[input.cause]}: ${formatAmount(input.amountMicros, input.currency)}.`,
      `Current balance: ${formatAmount(input.balanceMicros, input.currency)}. If it is 0 or below, outbound calls and inbound calls to toll-free numbers stop until credit is added.`,
    ].join("\n\n"),
  };
}

export function autoTopUpDisabledAlert(input: {
  consecutiveFailures: number;
  failureReason: string;
}): Alert {
  return {
    code: "auto_top_up_disabled",
    message: `Auto top-up has been turned off after ${input.consecutiveFailures} failed payments in a row (last reason: ${input.failureReason}). Update your payment method and turn auto top-up back on in Billing.`,
  };
}

export function autoTopUpDisabledEmail(input: {
  consecutiveFailures: number;
  failureReason: string;
}): MessageContent {
  return {
    subject: "Auto top-up has been turned off",
    text: [
      autoTopUpDisabledAlert(input).message,
      "Until then your balance will not be topped up automatically. If it runs out, outbound calls and inbound calls to toll-free numbers will stop.",
    ].join("\n\n"),
  };
}

export interface ExportReady {
  downloadUrl: string;
  /** First and last instant covered, inclusive of both days. */
  periodStartMs: number;
  periodEndMs: number;
  linkExpiresAtMs: number;
  timeZone?: string;
}

export function exportReadyEmail(input: ExportReady): MessageContent {
  const period = `${formatDate(input.periodStartMs, input.timeZone)} to ${formatDate(input.periodEndMs, input.timeZone)}`;
  const expires = formatDateTime(input.linkExpiresAtMs, input.timeZone);
  return {
    subject: "Your credit movements export is ready",
    text: [
      "Your credit movements export is ready.",
      `Period covered: ${period}.`,
      `Download Export: ${input.downloadUrl}`,
      `The link works until ${expires}. After that, export again from Billing.`,
    ].join("\n\n"),
    html: [
      "<p>Your credit movements export is ready.</p>",
      `<p>Period covered: ${escapeHtml(period)}.</p>`,
      `<p><a href="${escapeHtml(input.downloadUrl)}">Download Export</a></p>`,
      `<p>The link works until ${escapeHtml(expires)}. After that, export again from Billing.</p>`,
    ].join("\n"),
  };
}

export function exportFailedEmail(): MessageContent {
  return {
    subject: "Your credit movements export failed",
    text: "We could not generate your credit movements export. You can wait a few minutes and try again from Billing > Export credit movements.",
  };
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
