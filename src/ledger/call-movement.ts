import { formatMoney } from "../money";
import type { CallSettlement } from "../rating/decide";
import type { CallLegRow } from "./call-legs";
import { callChargeWords } from "./charge-words";
import type { MovementDraft } from "./types";

/**
 * The movement of a settled call leg, as the export shows it: "call", seconds, the billed
 * seconds as units charged, the rate per minute as value per unit, and in its details
 * every fact needed to recompute the charge (rule, deck version, prefix, increments).
 */
export function callMovement(leg: CallLegRow, settlement: CallSettlement): MovementDraft {
  const charge = settlement.charge;
  if (!charge) throw new Error(`leg ${leg.callId}/${leg.leg} is charged without a charge reason`);
  const { rate, chargeReason } = charge;
  return {
    description: "call",
    interactionId: leg.callId,
    units: "seconds",
    unitsCharged: settlement.billedSeconds,
    // The export's "Value per unit" for calls is the rate per minute, as on the price list.
    unitPriceMicros: rate.ratePerMinuteMicros,
    amountMicros: -settlement.amountMicros,
    userId: leg.userId,
    reason: callChargeWords(chargeReason, rate.destination, settlement.abandoned),
    details: {
      leg: leg.leg,
      chargeReason,
      legBilling: leg.terms.billing,
      deckVersion: rate.deckVersion,
      rateSource: rate.source,
      ratePrefix: rate.prefix,
      destination: rate.destination,
      ratePerMinute: formatMoney(rate.ratePerMinuteMicros),
      initialIncrementSeconds: rate.initialSeconds,
      subsequentIncrementSeconds: rate.subsequentSeconds,
      durationSeconds: settlement.durationSeconds,
      includedSeconds: settlement.includedSeconds,
      creditSeconds: settlement.creditSeconds,
      billedSeconds: settlement.billedSeconds,
      abandoned: settlement.abandoned,
    },
  };
}
