import { assertMicros } from "../money";
import { isMovementDescription, isMovementUnits, type ExportMovement } from "../exports/types";
import type { JsonObject, Movement } from "../ledger/types";

/**
 * One movement as D1 stores it (and as an archived month's NDJSON lines carry it): the
 * one codec between the `Movement` the ledger commits and its history copies, used by the
 * outbox, the listing, the export and the archive.
 */
export interface MovementRow {
  id: string;
  account_id: string;
  seq: number;
  at_ms: number;
  description: string;
  interaction_id: string;
  units: string | null;
  units_charged: number | null;
  unit_price_micros: number | null;
  amount_micros: number;
  balance_after_micros: number;
  user_id: string | null;
  reason: string | null;
  /** The explanation as JSON text, or null. */
  details: string | null;
}

/** The columns of a movement, in the order rows are inserted and archived. */
export const MOVEMENT_COLUMNS = [
  "id",
  "account_id",
  "seq",
  "at_ms",
  "description",
  "interaction_id",
  "units",
  "units_charged",
  "unit_price_micros",
  "amount_micros",
  "balance_after_micros",
  "user_id",
  "reason",
  "details",
] as const satisfies readonly (keyof MovementRow)[];

/** What the export reads of a row: the CSV needs neither seq nor the explanation. */
export type ExportMovementRow = Omit<MovementRow, "account_id" | "seq" | "details">;

/** `m` as a row of `accountId`, its values in `MOVEMENT_COLUMNS` order. */
export function movementToRow(accountId: string, m: Movement): MovementRow {
  return {
    id: m.id,
    account_id: accountId,
    seq: m.seq,
    at_ms: m.atMs,
    description: m.description,
    interaction_id: m.interactionId,
    units: m.units,
    units_charged: m.unitsCharged,
    unit_price_micros: m.unitPriceMicros,
    amount_micros: m.amountMicros,
    balance_after_micros: m.balanceAfterMicros,
    user_id: m.userId,
    reason: m.reason,
    details: m.details === null ? null : JSON.stringify(m.details),
  };
}

export function rowValues(row: MovementRow): (string | number | null)[] {
  return MOVEMENT_COLUMNS.map((column) => row[column]);
}

/** A row as the export reads it; a value the ledger never writes is a bug, not a row to skip. */
export function exportMovementFromRow(row: ExportMovementRow): ExportMovement {
  if (!isMovementDescription(row.description))
    throw new Error(`movement ${row.id}: unknown description ${row.description}`);
  if (row.units !== null && !isMovementUnits(row.units))
    throw new Error(`movement ${row.id}: unknown units ${row.units}`);
  assertMicros(row.amount_micros);
  assertMicros(row.balance_after_micros);
  return {
    id: row.id,
    atMs: row.at_ms,
    description: row.description,
    interactionId: row.interaction_id,
    units: row.units,
    unitsCharged: row.units_charged,
    unitPriceMicros: row.unit_price_micros,
    amountMicros: row.amount_micros,
    balanceAfterMicros: row.balance_after_micros,
    userId: row.user_id,
    reason: row.reason,
  };
}

/** A whole row back to the movement the ledger committed. */
export function movementFromRow(row: Omit<MovementRow, "account_id">): Movement {
  return {
    ...exportMovementFromRow(row),
    seq: row.seq,
    details: row.details === null ? null : (JSON.parse(row.details) as JsonObject),
  };
}
