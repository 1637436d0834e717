import type { BillingDetails } from "../billing-details";
import type { Micros } from "../money";
import type { AutoTopUpConfig } from "../payments/auto-top-up-policy";
import { type FairUseExceptions, type Plan, planSchema } from "../rating/plan";
import type { CardHold, SavedCard } from "./card-on-file";
import type { CreditState } from "./credit-state";
import type { SpendControlSettings } from "./plans";
import type { PrunedMovements } from "./store";
import type { AutoTopUpStatus } from "./auto-top-up";

/**
 * Every key of the ledger's settings table and the type of its value: a key not listed
 * here does not compile, and a value read is of the type that was written.
 */
export interface SettingValues {
  // Money and its alerts.
  alert_state: CreditState;
  low_balance_level: Micros;
  alert_webhook: { url: string; secret: string };
  // What the account bought and the limits its admin set.
  plan: Plan;
  fair_use_exceptions: FairUseExceptions;
  spend_controls: SpendControlSettings;
  billing_details: BillingDetails;
  // Payments: auto top-up, the card on file and the gateway's customer.
  auto_top_up: AutoTopUpConfig;
  auto_top_up_status: AutoTopUpStatus;
  card: SavedCard;
  card_hold: CardHold;
  gateway_customer: string;
  card_expiry_noticed: string;
  cards_to_detach: Array<{ paymentMethodRef: string; attempts: number; atMs: number }>;
  // Movements: the outbox mark (schema step 5 writes it too), its backoff, the pruned totals.
  outbox_copied_through_seq: number;
  outbox_failures: number;
  outbox_not_before_ms: number;
  pruned_movements: PrunedMovements;
  // Movements up to this seq are counted in usage_spend (schema step 9; the pruning adds more).
  usage_counted_through_seq: number;
  // When each piece of the alarm's housekeeping last ran (LedgerCore.periodically).
  idempotency_pruned_at_ms: number;
  invoice_usage_pruned_at_ms: number;
  call_legs_pruned_at_ms: number;
  card_expiry_checked_at_ms: number;
  movements_pruned_at_ms: number;
}

export type SettingKey = keyof SettingValues;

/** The keys of LedgerCore.periodically's last runs. */
export type HousekeepingKey = Extract<SettingKey, `${string}_at_ms`>;

/**
 * Values decoded by more than JSON.parse: a plan stored before one of its fields existed
 * gets that field's default.
 */
const DECODERS: { [K in SettingKey]?: (stored: unknown) => SettingValues[K] } = {
  plan: (stored) => planSchema.parse(stored),
};

export function decodeSetting<K extends SettingKey>(key: K, raw: string): SettingValues[K] {
  const stored: unknown = JSON.parse(raw);
  const decode = DECODERS[key] as ((stored: unknown) => SettingValues[K]) | undefined;
  // Frozen: the decoded value is shared by every read until it is written again.
  return deepFreeze(decode ? decode(stored) : (stored as SettingValues[K]));
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === "object" && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const inner of Object.values(value)) deepFreeze(inner);
  }
  return value;
}
