import { parseMoney, type Micros } from "../../money";
import type { MovementBody } from "./api-types";

/** The chart's span: the same 30 days the recommended threshold is computed from. */
export const SPEND_CHART_DAYS = 30;
const DAY_MS = 86_400_000;

export interface DaySpend {
  /** YYYY-MM-DD in the account's time zone. */
  date: string;
  spendMicros: Micros;
}

/** Top-ups add credit and adjustments are corrections: neither is spend. */
const NOT_SPEND = new Set(["top-up", "adjustment"]);

export function localDate(atMs: number, timeZone: string): string {
  // en-CA formats as YYYY-MM-DD.
  return new Intl.DateTimeFormat("en-CA", {
    timeZone,
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
  }).format(atMs);
}

/** The last `days` calendar days of the account's time zone, oldest first, ending today. */
export function lastDays(nowMs: number, timeZone: string, days = SPEND_CHART_DAYS): string[] {
  const [y, m, d] = localDate(nowMs, timeZone).split("-").map(Number) as [number, number, number];
  const todayUtc = Date.UTC(y, m - 1, d);
  return Array.from({ length: days }, (_, i) =>
    new Date(todayUtc - (days - 1 - i) * DAY_MS).toISOString().slice(0, 10),
  );
}

/** Charges per local day; a refund-like positive movement of a usage kind lowers its day's spend. */
export function dailySpend(
  movements: readonly MovementBody[],
  timeZone: string,
  nowMs: number,
  days = SPEND_CHART_DAYS,
): DaySpend[] {
  const totals = new Map(lastDays(nowMs, timeZone, days).map((date) => [date, 0]));
  for (const movement of movements) {
    if (NOT_SPEND.has(movement.description)) continue;
    const amount = parseMoney(movement.amount);
    if (!amount.ok) continue;
    const date = localDate(Date.parse(movement.at), timeZone);
    const total = totals.get(date);
    if (total !== undefined) totals.set(date, total - amount.micros);
  }
  return [...totals].map(([date, spendMicros]) => ({
    date,
    spendMicros: Math.max(0, spendMicros),
  }));
}
