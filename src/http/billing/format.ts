import { parseMoney, type Micros } from "../../money";
import { formatAmount } from "../../notify/messages";

/** "EUR 25.00" from the API's decimal string; the same form the alerts and emails use. */
export function amountText(decimal: string | null | undefined, currency: string): string {
  if (decimal === null || decimal === undefined) return "—";
  const parsed = parseMoney(decimal);
  return parsed.ok ? formatAmount(parsed.micros, currency) : `${currency} ${decimal}`;
}

export const microsText = (micros: Micros, currency: string) => formatAmount(micros, currency);

/** "22 Nov 2026, 14:05" in the account's zone. */
export function dateTimeText(iso: string | null | undefined, timeZone: string): string {
  if (!iso) return "—";
  return new Intl.DateTimeFormat("en-GB", {
    timeZone,
    day: "numeric",
    month: "short",
    year: "numeric",
    hour: "2-digit",
    minute: "2-digit",
    hourCycle: "h23",
  }).format(Date.parse(iso));
}

export function dateText(isoOrDate: string, timeZone = "UTC"): string {
  const ms = /^\d{4}-\d{2}-\d{2}$/.test(isoOrDate)
    ? Date.parse(`${isoOrDate}T12:00:00Z`)
    : Date.parse(isoOrDate);
  const zone = /^\d{4}-\d{2}-\d{2}$/.test(isoOrDate) ? "UTC" : timeZone;
  return new Intl.DateTimeFormat("en-GB", {
    timeZone: zone,
    day: "numeric",
    month: "short",
    year: "numeric",
  }).format(ms);
}

/** YYYY-MM of now in the account's zone: the month the usage section opens on. */
export function currentMonth(nowMs: number, timeZone: string): string {
  return new Intl.DateTimeFormat("en-CA", { timeZone, year: "numeric", month: "2-digit" })
    .format(nowMs)
    .slice(0, 7);
}
