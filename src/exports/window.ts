import { EXPORT_PAST_DAYS } from "./limits";
import { addDays, formatDate, localDateTime, startOfLocalDayMs } from "../time-zone";

/**
 * The period an export covers: the account's current local day and the EXPORT_PAST_DAYS
 * whole local days before it. Both ends are inclusive, as SQL BETWEEN reads them. The end
 * is the instant of the request, so movements written after it never shift the file.
 */
export interface ExportWindow {
  periodStartMs: number;
  periodEndMs: number;
  /** Local dates for the email, e.g. "2026-10-23" and "2026-11-22". */
  startLocalDate: string;
  endLocalDate: string;
}

export function exportWindow(
  nowMs: number,
  timeZone: string,
  pastDays: number = EXPORT_PAST_DAYS,
): ExportWindow {
  const today = localDateTime(nowMs, timeZone);
  const firstDay = addDays(today, -pastDays);
  // Days are counted on the calendar, not as 24 h: a DST change makes one 23 h or 25 h long.
  return {
    periodStartMs: startOfLocalDayMs(firstDay, timeZone),
    periodEndMs: nowMs,
    startLocalDate: formatDate(firstDay),
    endLocalDate: formatDate(today),
  };
}

/** "2026-10-23 to 2026-11-22": how the email names the period. */
export function describeExportPeriod(window: ExportWindow): string {
  return `${window.startLocalDate} to ${window.endLocalDate}`;
}

export function isInExportWindow(atMs: number, window: ExportWindow): boolean {
  return atMs >= window.periodStartMs && atMs <= window.periodEndMs;
}
