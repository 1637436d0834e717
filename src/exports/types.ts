import type { Micros } from "../money";

import { MOVEMENT_KINDS, MOVEMENT_UNITS, type MovementKind, type MovementUnits } from "../ledger/types";

// The export speaks the ledger's vocabulary; one list of descriptions and units serves both.
export { MOVEMENT_KINDS as MOVEMENT_DESCRIPTIONS, MOVEMENT_UNITS, type MovementUnits };
export type MovementDescription = MovementKind;

/**
 * One credit movement as the export reads it from the ledger's history. The ledger maps
 * its own rows to this shape; the export never sees anything else.
 */
export interface ExportMovement {
  /** UUIDv7: sorts by time, and breaks ties between movements of the same millisecond. */
  id: string;
  atMs: number;
  description: MovementDescription;
  /** Call id, message id, top-up id…: free text from other systems, so quoted and guarded. */
  interactionId: string;
  units: MovementUnits | null;
  unitsCharged: number | null;
  /**
   * The rated price as the rate deck quotes it: per minute for calls (`units` = "seconds")
   * and AI usage, per fragment for messages. The CSV turns it into a price per `units`.
   */
  unitPriceMicros: Micros | null;
  /** Negative for charges, positive for top-ups; the exact amount the balance moved. */
  amountMicros: Micros;
  balanceAfterMicros: Micros;
  userId: string | null;
  reason: string | null;
}

export function isMovementDescription(value: string): value is MovementDescription {
  return (MOVEMENT_KINDS as readonly string[]).includes(value);
}

export function isMovementUnits(value: string): value is MovementUnits {
  return (MOVEMENT_UNITS as readonly string[]).includes(value);
}
