import type { Micros } from "../money";

/** The export's Description column: what a movement paid for. */
export const MOVEMENT_KINDS = [
  "call",
  "sms",
  "mms",
  "whatsapp",
  "ai-voice-agents",
  "stt",
  "conversation-intelligence",
  "top-up",
  "adjustment",
] as const;
export type MovementKind = (typeof MOVEMENT_KINDS)[number];

export const MOVEMENT_UNITS = ["seconds", "fragments", "minutes"] as const;
export type MovementUnits = (typeof MOVEMENT_UNITS)[number];

/** One committed change of an account's balance. The balance is the sum of these. */
/** A page request of the movements listing: after a seq, optionally within [fromMs, toMs). */
export interface MovementsQuery {
  afterSeq: number;
  fromMs?: number;
  toMs?: number;
  limit: number;
}

export interface Movement {
  /** Order of commitment inside the ledger; the cursor of the movements listing. */
  seq: number;
  /** UUIDv7: sorts by time, the key of the D1 copy. */
  id: string;
  atMs: number;
  description: MovementKind;
  interactionId: string;
  units: MovementUnits | null;
  unitsCharged: number | null;
  unitPriceMicros: Micros | null;
  /** Negative for charges, positive for credit. */
  amountMicros: Micros;
  balanceAfterMicros: Micros;
  userId: string | null;
  reason: string | null;
  /** Why it was charged: rule, rate, increments, deck version. */
  details: JsonObject | null;
}

/** Flat on purpose: explanations are a few named facts, and RPC types stay shallow. */
export type JsonObject = { [key: string]: string | number | boolean | null };

export type MovementDraft = Omit<Movement, "seq" | "id" | "atMs" | "balanceAfterMicros">;

export interface AccountProfile {
  accountId: string;
  currency: string;
  timeZone: string;
  /** Where the ledger's notices go; optional so an older caller can still open a ledger. */
  email?: string;
}

export interface AccountMoney {
  balanceMicros: Micros;
  reservedMicros: Micros;
}

/**
 * Expected refusals of the ledger, as values: an error thrown across RPC keeps only its
 * message, and these are answers, not failures. The HTTP layer maps each reason in one
 * exhaustive switch (src/http/ledger-errors.ts).
 */
export type LedgerRefusal =
  | { reason: "account_not_found" }
  | { reason: "export_not_found" }
  | { reason: "top_up_not_found" }
  | { reason: "no_payment_method" }
  | { reason: "payment_method_not_found" }
  | { reason: "account_conflict"; existing: AccountProfile }
  | { reason: "idempotency_conflict"; key: string }
  | { reason: "insufficient_credit"; availableMicros: Micros; requestedMicros: Micros }
  // Rated usage (src/ledger/calls.ts, src/ledger/charges.ts).
  | { reason: "credit_exhausted"; availableMicros: Micros }
  | { reason: "no_rate"; field: string; what: string }
  | { reason: "id_reused"; what: "call leg" | "message" | "usage"; id: string }
  | { reason: "rate_deck_unavailable"; version: string }
  | { reason: "too_many"; what: string; max: number }
  | { reason: "billing_details_not_found" };

export type LedgerResult<T> = { ok: true; value: T } | { ok: false; refusal: LedgerRefusal };

export const ok = <T>(value: T): LedgerResult<T> => ({ ok: true, value });
export const refuse = <T>(refusal: LedgerRefusal): LedgerResult<T> => ({ ok: false, refusal });
