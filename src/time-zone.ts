/**
 * Wall-clock arithmetic in an IANA time zone with nothing but Intl: the runtime's ICU data
 * is the only source of offsets, so the export agrees with every other place that shows
 * local times. Offsets are computed at whole seconds because zone transitions and the
 * CSV's clock both live on whole seconds.
 */

export interface LocalDate {
  year: number;
  /** 1–12. */
  month: number;
  day: number;
}

export interface LocalDateTime extends LocalDate {
  hour: number;
  minute: number;
  second: number;
}

const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;

// Building a DateTimeFormat costs far more than using one, and an export formats every row.
// Few zones are in use; the cap only keeps a stream of invalid or rare zones from growing it.
const formatters = new Map<string, Intl.DateTimeFormat>();
const FORMATTERS_CACHED_MAX = 500;

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat("en-US", {
      timeZone,
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
      hourCycle: "h23",
    });
    if (formatters.size >= FORMATTERS_CACHED_MAX) formatters.clear();
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

export function isTimeZone(timeZone: string): boolean {
  try {
    formatterFor(timeZone);
    return true;
  } catch {
    return false;
  }
}

/** The wall clock in `timeZone` at the instant `atMs` (milliseconds dropped). */
export function localDateTime(atMs: number, timeZone: string): LocalDateTime {
  const fields: LocalDateTime = { year: 0, month: 0, day: 0, hour: 0, minute: 0, second: 0 };
  for (const part of formatterFor(timeZone).formatToParts(atMs)) {
    switch (part.type) {
      case "year":
      case "month":
      case "day":
      case "minute":
      case "second":
        fields[part.type] = Number(part.value);
        break;
      case "hour":
        // Some ICU versions still write midnight as 24 despite h23.
        fields.hour = Number(part.value) % 24;
        break;
    }
  }
  return fields;
}

/** Local wall time minus UTC at `atMs`, in milliseconds (a whole number of seconds). */
export function zoneOffsetMs(atMs: number, timeZone: string): number {
  const wall = localDateTime(atMs, timeZone);
  return wallAsUtcMs(wall) - Math.floor(atMs / 1000) * 1000;
}

function wallAsUtcMs(wall: LocalDateTime): number {
  return Date.UTC(wall.year, wall.month - 1, wall.day, wall.hour, wall.minute, wall.second);
}

// Rows arrive sorted by time, so one remembered hour per zone answers almost every row
// without calling ICU. An hour whose two ends disagree holds a transition and is not cached.
const offsetHours = new Map<string, { hourKey: number; offsetMs: number | null }>();

function cachedOffsetMs(atMs: number, timeZone: string): number {
  const hourKey = Math.floor(atMs / HOUR_MS);
  let entry = offsetHours.get(timeZone);
  if (!entry || entry.hourKey !== hourKey) {
    const startMs = hourKey * HOUR_MS;
    const atStart = zoneOffsetMs(startMs, timeZone);
    const atEnd = zoneOffsetMs(startMs + HOUR_MS - 1000, timeZone);
    entry = { hourKey, offsetMs: atStart === atEnd ? atStart : null };
    offsetHours.set(timeZone, entry);
  }
  return entry.offsetMs ?? zoneOffsetMs(atMs, timeZone);
}

/** `2026-11-22 14:03:05 +01:00`: the account's wall clock with the offset that makes it exact. */
export function formatLocalDateTime(atMs: number, timeZone: string): string {
  const offsetMs = cachedOffsetMs(atMs, timeZone);
  const wall = new Date(Math.floor(atMs / 1000) * 1000 + offsetMs);
  return (
    `${formatDate({ year: wall.getUTCFullYear(), month: wall.getUTCMonth() + 1, day: wall.getUTCDate() })} ` +
    `${pad2(wall.getUTCHours())}:${pad2(wall.getUTCMinutes())}:${pad2(wall.getUTCSeconds())} ` +
    formatOffset(offsetMs)
  );
}

/** `+01:00`, `-03:30`, `+00:00`; seconds appear only for historical offsets that have them. */
export function formatOffset(offsetMs: number): string {
  const sign = offsetMs < 0 ? "-" : "+";
  const totalSeconds = Math.abs(offsetMs) / 1000;
  const hours = Math.floor(totalSeconds / 3600);
  const minutes = Math.floor((totalSeconds % 3600) / 60);
  const seconds = totalSeconds % 60;
  return `${sign}${pad2(hours)}:${pad2(minutes)}${seconds ? `:${pad2(seconds)}` : ""}`;
}

export function formatDate(date: LocalDate): string {
  return `${String(date.year).padStart(4, "0")}-${pad2(date.month)}-${pad2(date.day)}`;
}

/** Calendar arithmetic on a local date; the proleptic Gregorian calendar has no zones. */
export function addDays(date: LocalDate, days: number): LocalDate {
  const utc = new Date(Date.UTC(date.year, date.month - 1, date.day + days));
  return { year: utc.getUTCFullYear(), month: utc.getUTCMonth() + 1, day: utc.getUTCDate() };
}

/**
 * The first instant of a local date. Usually its 00:00:00, but a day may start twice (a
 * fall-back at 01:00 repeats midnight; the earlier one counts) or not at 00:00 at all (a
 * spring-forward at midnight skips it; the day starts at the transition).
 */
export function startOfLocalDayMs(date: LocalDate, timeZone: string): number {
  const wallMs = Date.UTC(date.year, date.month - 1, date.day);
  // No zone moves twice within two days, so the offsets a day before and after bound it.
  const offsetBeforeMs = zoneOffsetMs(wallMs - DAY_MS, timeZone);
  const offsetAfterMs = zoneOffsetMs(wallMs + DAY_MS, timeZone);
  const candidates = [wallMs - offsetBeforeMs, wallMs - offsetAfterMs].filter(
    (atMs) => zoneOffsetMs(atMs, timeZone) === wallMs - atMs,
  );
  if (candidates.length > 0) return Math.min(...candidates);
  return firstInstantWithOffsetMs(
    wallMs - offsetAfterMs,
    wallMs - offsetBeforeMs,
    offsetAfterMs,
    timeZone,
  );
}

/** Binary search, at whole seconds, for the transition that skipped the local midnight. */
function firstInstantWithOffsetMs(
  lowMs: number,
  highMs: number,
  offsetMs: number,
  timeZone: string,
): number {
  let low = lowMs / 1000;
  let high = highMs / 1000;
  while (low < high) {
    const mid = Math.floor((low + high) / 2);
    if (zoneOffsetMs(mid * 1000, timeZone) === offsetMs) high = mid;
    else low = mid + 1;
  }
  return low * 1000;
}

function pad2(value: number): string {
  return String(value).padStart(2, "0");
}
