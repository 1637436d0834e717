import type { CreditView } from "../ledger/account-ledger";
import type { Movement } from "../ledger/types";
import { formatMoney } from "../money";
import { creditExhaustedAlert, creditLowAlert } from "../notify/messages";

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
  const alerts = { ok: [], low: [creditLowAlert()], exhausted: [creditExhaustedAlert()] }[credit.state];
  return {
    balance: formatMoney(credit.balanceMicros),
    available: formatMoney(credit.availableMicros),
    reserved: formatMoney(credit.reservedMicros),
    currency: credit.currency,
    state: credit.state,
    alerts,
    lowBalanceLevel: formatMoney(credit.lowLevelMicros),
    recommendedThreshold: formatMoney(credit.recommendedThresholdMicros),
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
