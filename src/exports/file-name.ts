import { formatDate } from "../notify/messages";

export interface NamedExport {
  accountId: string;
  periodStartMs: number;
  periodEndMs: number;
  timeZone: string;
}

/** `credit-movements_acme_2026-10-23_2026-11-22.csv`: what the admin's browser saves. */
export function exportFileName(file: NamedExport): string {
  const start = formatDate(file.periodStartMs, file.timeZone);
  const end = formatDate(file.periodEndMs, file.timeZone);
  // Account ids are [A-Za-z0-9_-] (schemas.accountId), so the name needs no escaping in a header.
  return `credit-movements_${file.accountId}_${start}_${end}.csv`;
}

export function attachmentDisposition(file: NamedExport): string {
  return `attachment; filename="${exportFileName(file)}"`;
}
