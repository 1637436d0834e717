/**
 * The months of the archive: UTC calendar months, so that an archived month means the
 * same span of time whatever the account's time zone, and an export or listing in local
 * time simply reads the one or two months its window touches.
 */

/**
 * Whole months of movements kept in D1 before the current one. Older months are archived
 * to R2: the export covers 31 days and the yearly views a year, so 13 months keeps every
 * everyday read in D1 while the shard stops growing with the account's age.
 */
export const HISTORY_MONTHS_IN_D1 = 13;

const MONTH_PATTERN = /^(\d{4})-(\d{2})$/;

/** `YYYY-MM` of the UTC month holding `atMs`. */
export function monthOf(atMs: number): string {
  const date = new Date(atMs);
  return `${date.getUTCFullYear()}-${String(date.getUTCMonth() + 1).padStart(2, "0")}`;
}

export function monthStartMs(month: string): number {
  const match = MONTH_PATTERN.exec(month);
  if (!match) throw new RangeError(`bad month: ${month}`);
  return Date.UTC(Number(match[1]), Number(match[2]) - 1, 1);
}

/** The first instant of the next month: a month is [start, end). */
export function monthEndMs(month: string): number {
  const start = new Date(monthStartMs(month));
  return Date.UTC(start.getUTCFullYear(), start.getUTCMonth() + 1, 1);
}

/**
 * Movements before this instant are due for the archive: the start of the month
 * `HISTORY_MONTHS_IN_D1` months before the current one.
 */
export function archiveCutoffMs(nowMs: number, monthsInD1 = HISTORY_MONTHS_IN_D1): number {
  const now = new Date(nowMs);
  return Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - monthsInD1, 1);
}
