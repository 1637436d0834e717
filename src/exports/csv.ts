import { formatMoney, type Micros, mulDivFloor } from "../money";
import type { ExportMovement, MovementUnits } from "./types";
import { formatLocalDateTime } from "../time-zone";

/**
 * One CSV record per credit movement, RFC 4180: every record (the last one too) ends in
 * CRLF, and a field holding a comma, quote, CR or LF is quoted with its quotes doubled.
 *
 * Formula injection: a spreadsheet runs a cell that starts with = + - @ (or a tab or CR,
 * which some of them strip first) as a formula. Only TEXT fields can start that way
 * by someone else's hand (an interaction id from a carrier, a user id, an operator's
 * reason), so only they are guarded, by prefixing a single quote: the value stays
 * readable and the prefix is visible rather than silently changing what the cell means.
 * Numeric fields are written by this file from integers and are never guarded, so a
 * charge stays the number -0.12 and sums in a spreadsheet.
 */

export const CSV_COLUMNS = [
  "Date & Time",
  "Interaction ID",
  "Description",
  "Units",
  "Units charged",
  "Value per unit",
  "Credit movement",
  "Balance after",
  "User",
  "Reason",
] as const;

export const CSV_HEADER = `${CSV_COLUMNS.join(",")}\r\n`;

export const CSV_CONTENT_TYPE = "text/csv; charset=utf-8";

const NEEDS_QUOTES = /[",\r\n]/;
const FORMULA_START = /^[=+\-@\t\r]/;

/** Rate decks quote call prices per minute while calls count seconds. */
const SECONDS_PER_PRICED_MINUTE = 60;

export function movementToCsvRow(movement: ExportMovement, timeZone: string): string {
  const fields = [
    formatLocalDateTime(movement.atMs, timeZone),
    textField(movement.interactionId),
    textField(movement.description),
    textField(movement.units),
    movement.unitsCharged === null ? "" : integerField(movement.unitsCharged),
    movement.unitPriceMicros === null
      ? ""
      : formatMoney(valuePerUnitMicros(movement.unitPriceMicros, movement.units)),
    formatMoney(movement.amountMicros),
    formatMoney(movement.balanceAfterMicros),
    textField(movement.userId),
    textField(movement.reason),
  ];
  return `${fields.join(",")}\r\n`;
}

/**
 * The price of one unit in the Units column. For calls that is a second, and a per-minute
 * rate over 60 is rarely a whole micro (0.01/min is 166.67 micros/s), so it is rounded half
 * up to 6 decimals. It is shown for reading only: the charge was computed from the
 * per-minute rate, and Credit movement carries that exact charge, so the column still sums
 * to the balance change even where units × value per unit is a micro or two off.
 */
export function valuePerUnitMicros(ratedPriceMicros: Micros, units: MovementUnits | null): Micros {
  if (ratedPriceMicros < 0)
    throw new RangeError(`a rated price is never negative: ${ratedPriceMicros}`);
  if (units !== "seconds") return ratedPriceMicros;
  return mulDivFloor(
    2 * ratedPriceMicros + SECONDS_PER_PRICED_MINUTE,
    1,
    2 * SECONDS_PER_PRICED_MINUTE,
  );
}

/** RFC 4180 quoting plus the formula guard; null is an empty field. */
export function textField(value: string | null): string {
  if (value === null || value === "") return "";
  const guarded = FORMULA_START.test(value) ? `'${value}` : value;
  return NEEDS_QUOTES.test(guarded) ? `"${guarded.replaceAll('"', '""')}"` : guarded;
}

function integerField(value: number): string {
  if (!Number.isSafeInteger(value))
    throw new RangeError(`units charged must be an integer: ${value}`);
  return String(value);
}
