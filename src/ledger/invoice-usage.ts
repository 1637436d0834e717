import type { Micros } from "../money";
import type { AiService } from "../rating/service-rates";

/** The most records one page of the operator's invoice-usage listing returns. */
export const INVOICE_USAGE_PAGE_MAX = 500;
/** Records are kept 400 days: a month is invoiced once, and this outlasts a year's disputes. */
export const INVOICE_USAGE_KEPT_MS = 400 * 86_400_000;
/** Bounds one alarm's pruning; a full run is followed by the next at once. */
export const INVOICE_USAGE_PRUNED_PER_RUN = 5_000;

/**
 * AI usage the plan bills by invoice, with the amount the invoice will show. It is not a
 * credit movement: it never changes the balance and is not in the credit export, which is
 * "every movement of your credit". The operator lists it per month to invoice it.
 */
export interface InvoiceUsageRecord {
  /** Order of recording; the listing's cursor. */
  seq: number;
  usageId: string;
  atMs: number;
  /** "YYYY-MM" in the account's time zone: the month it is invoiced in. */
  month: string;
  service: AiService;
  userId: string | null;
  callId: string | null;
  seconds: number;
  billedMinutes: number;
  /** Taken from the plan's allowance first, so not invoiced. */
  includedMinutes: number;
  invoicedMinutes: number;
  ratePerMinuteMicros: Micros;
  amountMicros: Micros;
  deckVersion: string;
}

export interface InvoicedService {
  service: AiService;
  records: number;
  minutes: number;
  amountMicros: Micros;
}

type Row = {
  seq: number;
  usage_id: string;
  at_ms: number;
  month: string;
  service: string;
  user_id: string | null;
  call_id: string | null;
  seconds: number;
  billed_minutes: number;
  included_minutes: number;
  invoiced_minutes: number;
  rate_per_minute_micros: number;
  amount_micros: number;
  deck_version: string;
};

/** The ledger's table of invoice-billed usage; written in the transaction that decides it. */
export class InvoiceUsage {
  constructor(private readonly sql: SqlStorage) {}

  record(usage: Omit<InvoiceUsageRecord, "seq">): void {
    this.sql.exec(
      `INSERT INTO invoice_usage (usage_id, at_ms, month, service, user_id, call_id, seconds,
         billed_minutes, included_minutes, invoiced_minutes, rate_per_minute_micros, amount_micros, deck_version)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      usage.usageId,
      usage.atMs,
      usage.month,
      usage.service,
      usage.userId,
      usage.callId,
      usage.seconds,
      usage.billedMinutes,
      usage.includedMinutes,
      usage.invoicedMinutes,
      usage.ratePerMinuteMicros,
      usage.amountMicros,
      usage.deckVersion,
    );
  }

  /** One page of a month's records, oldest first, after a seq. */
  list(month: string, afterSeq: number, limit: number): InvoiceUsageRecord[] {
    return this.sql
      .exec<Row>(
        "SELECT * FROM invoice_usage WHERE month = ? AND seq > ? ORDER BY seq LIMIT ?",
        month,
        afterSeq,
        limit,
      )
      .toArray()
      .map((r) => ({
        seq: r.seq,
        usageId: r.usage_id,
        atMs: r.at_ms,
        month: r.month,
        service: r.service as AiService,
        userId: r.user_id,
        callId: r.call_id,
        seconds: r.seconds,
        billedMinutes: r.billed_minutes,
        includedMinutes: r.included_minutes,
        invoicedMinutes: r.invoiced_minutes,
        ratePerMinuteMicros: r.rate_per_minute_micros,
        amountMicros: r.amount_micros,
        deckVersion: r.deck_version,
      }));
  }

  /** Removes up to one run of records older than `beforeMs`; true when a full run was removed. */
  pruneBefore(beforeMs: number): boolean {
    const removed = this.sql.exec(
      "DELETE FROM invoice_usage WHERE seq IN (SELECT seq FROM invoice_usage WHERE at_ms < ? ORDER BY at_ms LIMIT ?)",
      beforeMs,
      INVOICE_USAGE_PRUNED_PER_RUN,
    ).rowsWritten;
    return removed >= INVOICE_USAGE_PRUNED_PER_RUN;
  }

  /** The month's totals per service: the usage report's "Billed by invoice". */
  totals(month: string): InvoicedService[] {
    return this.sql
      .exec<{ service: string; records: number; minutes: number; amount_micros: number }>(
        `SELECT service, count(*) AS records, sum(invoiced_minutes) AS minutes, sum(amount_micros) AS amount_micros
         FROM invoice_usage WHERE month = ? GROUP BY service ORDER BY service`,
        month,
      )
      .toArray()
      .map((r) => ({
        service: r.service as AiService,
        records: r.records,
        minutes: r.minutes,
        amountMicros: r.amount_micros,
      }));
  }
}
