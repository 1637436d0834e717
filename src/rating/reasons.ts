/**
 * Why a charge was taken from credit. Stored with every movement so a customer reading
 * the export can tell why (the "explainable charges").
 */
export type CallChargeReason =
  | "no_package"
  | "destination_not_in_package"
  | "number_outside_package_region"
  | "premium_number"
  | "special_number"
  | "toll_free_inbound"
  | "toll_free_outbound"
  | "forwarded_leg"
  | "over_fair_use";

export type UsageChargeReason = "speech_to_text" | "allowance_exceeded" | "no_allowance";

export type ChargeReason = CallChargeReason | UsageChargeReason | "message";

/**
 * Why something was refused. Business outcomes, returned as values; the HTTP layer maps
 * each in one exhaustive switch (credit_exhausted → 402 for messages and usage).
 */
export type RefusalReason =
  | "credit_exhausted"
  | "no_rate_for_destination"
  | "no_rate_for_service"
  | "max_call_cost_reached"
  | "daily_spend_cap_reached";
