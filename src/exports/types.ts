import {
  MOVEMENT_KINDS,
  MOVEMENT_UNITS,
  type Movement,
  type MovementKind,
  type MovementUnits,
} from "../ledger/types";

// The export speaks the ledger's vocabulary; one list of descriptions and units serves both.
export { MOVEMENT_KINDS as MOVEMENT_DESCRIPTIONS, MOVEMENT_UNITS, type MovementUnits };
export type MovementDescription = MovementKind;

/**
 * One credit movement as the export reads it from the D1 history: the ledger's movement
 * without its commit sequence and explanation, which the CSV does not show. Note for the
 * CSV: `unitPriceMicros` is the rated price as the deck quotes it (per minute for calls and
 * AI usage, per fragment for messages); the CSV turns it into a price per `units`.
 */
export type ExportMovement = Omit<Movement, "seq" | "details">;

export function isMovementDescription(value: string): value is MovementDescription {
  return (MOVEMENT_KINDS as readonly string[]).includes(value);
}

export function isMovementUnits(value: string): value is MovementUnits {
  return (MOVEMENT_UNITS as readonly string[]).includes(value);
}
