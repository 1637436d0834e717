import type { CreditView } from "../ledger/account-ledger";
import type { Movement } from "../ledger/types";
import { formatMoney } from "../money";
import type { AutoTopUpView, PaymentView } from "../ledger/top-ups";
import {
  autoTopUpDisabledAlert,
  autoTopUpFailedAlert,
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
    status: payment.status,
    failureReason: payment.failureReason,
    createdAt: new Date(payment.createdAtMs).toISOString(),
    settledAt: payment.settledAtMs === null ? null : new Date(payment.settledAtMs).toISOString(),
    movementId: payment.movementId,
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
