import { dayKeyOf, monthKeyOf } from "../rating/plan";

const MINUTE_MS = 60_000;
/** Zones remembered at once; one ledger uses one, an isolate a handful. */
const ZONES_CACHED_MAX = 100;

const byZone = new Map<string, { minute: number; day: string; month: string }>();

/**
 * The account's calendar day and month of an instant. Formatting a date in a time zone is
 * the dearest step of a call's authorization (Intl), and every UTC offset in use is a
 * whole number of minutes, so a zone's day cannot change inside a UTC minute: it is
 * computed once per zone and minute.
 */
export function calendarAt(nowMs: number, timeZone: string): { day: string; month: string } {
  const minute = Math.floor(nowMs / MINUTE_MS);
  const cached = byZone.get(timeZone);
  if (cached?.minute === minute) return cached;
  const entry = { minute, day: dayKeyOf(nowMs, timeZone), month: monthKeyOf(nowMs, timeZone) };
  if (byZone.size >= ZONES_CACHED_MAX) byZone.clear();
  byZone.set(timeZone, entry);
  return entry;
}
