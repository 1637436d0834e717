import type { CreditView } from "../ledger/account-ledger";
import type { Movement } from "../ledger/types";
import { formatMoney } from "../money";
import { cardExpiresSoon, type SavedCard } from "../ledger/card-on-file";
import type { AutoTopUpView, PaymentView } from "../ledger/top-ups";
import {
  autoTopUpDisabledAlert,
  autoTopUpFailedAlert,
  autoTopUpNoCardAlert,
  cardExpiringAlert,
  cardHeldAlert,
  creditExhaustedAlert,
  creditLowAlert,
  type Alert,
} from "../notify/messages";

const moneyOrNull = (micros: number | null) => (micros === null ? null : formatMoney(micros));

export function movementView(m: Movement) {
  return {
    id: m.id,
    at: new Date(m.atMs).toISOString(),
    description: m.description,
    interactionId: m.interactionId,
    units: m.units,
    unitsCharged: m.unitsCharged,
    valuePerUnit: moneyOrNull(m.unitPriceMicros),
    amount: formatMoney(m.amountMicros),
    balanceAfter: formatMoney(m.balanceAfterMicros),
    userId: m.userId,
    reason: m.reason,
    details: m.details,
  };
}

export function creditView(credit: CreditView) {
  const autoTopUp = autoTopUpView(credit.autoTopUp, credit.currency);
  const alerts: Alert[] = [
    ...{ ok: [], low: [creditLowAlert()], exhausted: [creditExhaustedAlert()] }[credit.state],
  ];
  if (autoTopUp.status) alerts.push(autoTopUp.status);
  if (credit.autoTopUp.blockedReason === "no_card") alerts.push(autoTopUpNoCardAlert());
  if (credit.cardHold && autoTopUp.enabled) alerts.push(cardHeldAlert(credit.cardHold.reason));
  if (credit.card && autoTopUp.enabled && cardExpiresSoon(credit.card, Date.now()))
    alerts.push(cardExpiringAlert(credit.card));
  return {
    balance: formatMoney(credit.balanceMicros),
    available: formatMoney(credit.availableMicros),
    reserved: formatMoney(credit.reservedMicros),
    currency: credit.currency,
    state: credit.state,
    alerts,
    lowBalanceLevel: formatMoney(credit.lowLevelMicros),
    recommendedThreshold: formatMoney(credit.recommendedThresholdMicros),
    autoTopUp,
    paymentMethod: credit.card ? cardView(credit.card) : null,
  };
}

/** The card on file as the API shows it: never more than brand, last 4 and expiry. */
export function cardView(card: SavedCard) {
  return {
    brand: card.brand,
    last4: card.last4,
    expMonth: card.expMonth,
    expYear: card.expYear,
    savedAt: new Date(card.savedAtMs).toISOString(),
  };
}

/** Cursors are opaque to clients; inside they are the last ledger sequence number seen. */
export function encodeCursor(afterSeq: number): string {
  return btoa(`seq:${afterSeq}`).replace(/=+$/, "");
}

export function decodeCursor(cursor: string): number | null {
  try {
    const match = /^seq:(\d{1,15})$/.exec(atob(cursor));
    return match ? Number(match[1]) : null;
  } catch {
    return null;
  }
}

export function topUpView(payment: PaymentView) {
  return {
    id: payment.id,
    kind: payment.kind,
    amount: formatMoney(payment.amountMicros),
    paymentMethod: payment.paymentMethod,
    // Pending on the cardholder: the admin's browser goes to nextAction.url.
    status: payment.nextActionUrl ? ("requires_action" as const) : payment.status,
    ...(payment.nextActionUrl ? { nextAction: { url: payment.nextActionUrl } } : {}),
    failureReason: payment.failureReason,
    createdAt: new Date(payment.createdAtMs).toISOString(),
    settledAt: payment.settledAtMs === null ? null : new Date(payment.settledAtMs).toISOString(),
    movementId: payment.movementId,
    ...(payment.reversedMicros ? { reversed: formatMoney(payment.reversedMicros) } : {}),
  };
}

/** The auto top-up form's values and the status line the Billing page shows under it. */
function autoTopUpView(view: AutoTopUpView, currency: string) {
  const { config, status, inFlight } = view;
  let statusMessage: Alert | null = null;
  if (status.disabledReason && status.lastFailureReason) {
    statusMessage = autoTopUpDisabledAlert({
      consecutiveFailures: status.consecutiveFailures,
      failureReason: status.lastFailureReason,
    });
  } else if (status.consecutiveFailures > 0 && status.lastFailureReason && config) {
    statusMessage = autoTopUpFailedAlert({
      amountMicros: config.amountMicros,
      currency,
      failureReason: status.lastFailureReason,
      nextAttemptAtMs: status.retryNotBeforeMs || null,
    });
  }
  return {
    enabled: config?.enabled ?? false,
    threshold: config ? formatMoney(config.thresholdMicros) : null,
    amount: config ? formatMoney(config.amountMicros) : null,
    paymentMethod: config?.paymentMethod ?? null,
    maxPerDay: config?.maxPerDay ?? null,
    inProgress: inFlight ? topUpView(inFlight) : null,
    consecutiveFailures: status.consecutiveFailures,
    status: statusMessage,
  };
}
