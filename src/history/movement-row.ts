import { assertMicros } from "../money";
import { isMovementDescription, isMovementUnits, type ExportMovement } from "../exports/types";
import type { JsonObject, Movement } from "../ledger/types";

/**
 * One movement as D1 stores it (and as an archived month's NDJSON lines carry it): the
 * one codec between the `Movement` the ledger commits and its rows, used by the ledger's
 * own table, the outbox, the listing, the export and the archive, each read with the same
 * checks.
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

/** The ledger's own table: the same columns but the account's id, since it holds one account. */
export type LedgerMovementRow = Omit<MovementRow, "account_id">;

export const LEDGER_MOVEMENT_COLUMNS = MOVEMENT_COLUMNS.filter(
  (column): column is keyof LedgerMovementRow => column !== "account_id",
);

/** What the export reads of a row: the CSV needs neither seq nor the explanation. */
export type ExportMovementRow = Omit<MovementRow, "account_id" | "seq" | "details">;

export const EXPORT_MOVEMENT_COLUMNS = MOVEMENT_COLUMNS.filter(
  (column): column is keyof ExportMovementRow =>
    column !== "account_id" && column !== "seq" && column !== "details",
);

/** `m` as a row of `accountId`. */
export function movementToRow(accountId: string, m: Movement): MovementRow {
  return { account_id: accountId, ...movementToLedgerRow(m) };
}

/** `m` as the ledger's table holds it. */
export function movementToLedgerRow(m: Movement): LedgerMovementRow {
  return {
    id: m.id,
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

/** The row's values in the order of `columns` (`MOVEMENT_COLUMNS` or `LEDGER_MOVEMENT_COLUMNS`). */
export function rowValues<Row extends LedgerMovementRow>(
  row: Row,
  columns: readonly (keyof Row)[] = MOVEMENT_COLUMNS as readonly (keyof Row)[],
): (string | number | null)[] {
  return columns.map((column) => row[column] as string | number | null);
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

/** A whole row (of D1, of an archive or of the ledger's table) back to the movement the ledger committed. */
export function movementFromRow(row: LedgerMovementRow): Movement {
  return {
    ...exportMovementFromRow(row),
    seq: row.seq,
    details: row.details === null ? null : (JSON.parse(row.details) as JsonObject),
  };
}
