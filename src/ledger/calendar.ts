import { dayKeyOf, monthKeyOf } from "../rating/plan";
import { addDays, formatDate, startOfLocalDayMs } from "../time-zone";

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

/**
 * The instants a day ("YYYY-MM-DD") or a month ("YYYY-MM") of the account's calendar spans,
 * [startMs, endMs): what the daily cap and the usage report sum movements over.
 */
export function calendarSpanMs(key: string, timeZone: string): { startMs: number; endMs: number } {
  const year = Number(key.slice(0, 4));
  const month = Number(key.slice(5, 7));
  const first = { year, month, day: key.length === 7 ? 1 : Number(key.slice(8, 10)) };
  const next =
    key.length === 7
      ? { year: month === 12 ? year + 1 : year, month: month === 12 ? 1 : month + 1, day: 1 }
      : addDays(first, 1);
  if (formatDate(first).slice(0, key.length) !== key)
    throw new RangeError(`bad calendar key ${key}`);
  return { startMs: startOfLocalDayMs(first, timeZone), endMs: startOfLocalDayMs(next, timeZone) };
}
