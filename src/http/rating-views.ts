import type { AuthorizeAnswer, EndAnswer, ExtendAnswer } from "../ledger/calls";
import { CALL_CHARGE_WORDS, CALL_REFUSAL_WORDS } from "../ledger/charge-words";
import type { MessageAnswer, UsageAnswer } from "../ledger/charges";
import type { SpendControlSettings } from "../ledger/plans";
import type { InvoicedService, InvoiceUsageRecord } from "../ledger/invoice-usage";
import type { UsageReport } from "../ledger/usage-report";
import { formatMoney, sumMicros, type Micros } from "../money";
import type { FairUseExceptions } from "../rating/plan";
import type { AppliedRate, CallQuote } from "../rating/decide";
import type { CallChargeReason } from "../rating/reasons";

const moneyOrNull = (micros: Micros | null) => (micros === null ? null : formatMoney(micros));

function rateView(rate: AppliedRate) {
  return {
    prefix: rate.prefix,
    destination: rate.destination,
    ratePerMinute: formatMoney(rate.ratePerMinuteMicros),
    initialIncrementSeconds: rate.initialSeconds,
    subsequentIncrementSeconds: rate.subsequentSeconds,
    deckVersion: rate.deckVersion,
  };
}

function chargeReasonView(chargeReason: CallChargeReason | null | undefined) {
  return chargeReason ? { chargeReason, explanation: CALL_CHARGE_WORDS[chargeReason] } : {};
}

/** The contract's `{allowed, reason?, billing, ratePerMinute?, grantSeconds}`, with the why. */
export function authorizeView(answer: AuthorizeAnswer) {
  const credit = answer.billing === "credit" && answer.rate;
  return {
    allowed: answer.allowed,
    ...(answer.reason && { reason: answer.reason, message: CALL_REFUSAL_WORDS[answer.reason] }),
    billing: answer.billing,
    ...(credit && { ratePerMinute: formatMoney(answer.rate!.ratePerMinuteMicros) }),
    grantSeconds: answer.grantSeconds,
    ...chargeReasonView(answer.chargeReason),
    ...(credit && { rate: rateView(answer.rate!) }),
  };
}

export function extendView(answer: ExtendAnswer) {
  return {
    allowed: answer.allowed,
    ...(answer.reason && { reason: answer.reason, message: CALL_REFUSAL_WORDS[answer.reason] }),
    billing: answer.billing,
    grantSeconds: answer.grantSeconds,
  };
}

export function endView(answer: EndAnswer) {
  return {
    charged: formatMoney(answer.chargedMicros),
    billedSeconds: answer.billedSeconds,
    movementId: answer.movementId,
    billing: answer.billing,
    durationSeconds: answer.durationSeconds,
    includedSeconds: answer.includedSeconds,
    creditSeconds: answer.creditSeconds,
  };
}

export function quoteView(quote: CallQuote) {
  if (!quote.ok) {
    return {
      priced: false,
      reason: quote.reason,
      message: CALL_REFUSAL_WORDS[quote.reason],
      billing: quote.terms.billing,
      ...chargeReasonView(quote.terms.chargeReason),
    };
  }
  const { terms, settlement } = quote;
  const chargeReason = settlement.charge?.chargeReason ?? terms.chargeReason;
  return {
    priced: true,
    billing: settlement.charge ? "credit" : terms.billing,
    ...chargeReasonView(chargeReason),
    ...(terms.rate && { rate: rateView(terms.rate) }),
    durationSeconds: settlement.durationSeconds,
    includedSeconds: settlement.includedSeconds,
    creditSeconds: settlement.creditSeconds,
    billedSeconds: settlement.billedSeconds,
    cost: formatMoney(settlement.amountMicros),
  };
}

export function messageView(answer: MessageAnswer) {
  return {
    messageId: answer.messageId,
    charged: formatMoney(answer.chargedMicros),
    channel: answer.channel,
    country: answer.country,
    fragments: answer.fragments,
    pricePerFragment: formatMoney(answer.pricePerFragmentMicros),
    deckVersion: answer.deckVersion,
    movementId: answer.movementId,
  };
}

export function usageChargeView(answer: UsageAnswer) {
  return {
    usageId: answer.usageId,
    service: answer.service,
    charged: formatMoney(answer.chargedMicros),
    billedMinutes: answer.billedMinutes,
    includedMinutes: answer.includedMinutes,
    chargedMinutes: answer.chargedMinutes,
    ratePerMinute: formatMoney(answer.ratePerMinuteMicros),
    billedBy: answer.billedBy,
    invoiced: formatMoney(answer.invoicedMicros),
    deckVersion: answer.deckVersion,
    movementId: answer.movementId,
  };
}

export function usageReportView(report: UsageReport) {
  const fairUseMinutes =
    report.fairUseSecondsPerUser === null ? null : report.fairUseSecondsPerUser / 60;
  return {
    month: report.month,
    timezone: report.timeZone,
    package: report.packageName,
    fairUseMinutesPerUser: fairUseMinutes,
    users: report.users.map((u) => ({
      userId: u.userId,
      packageSecondsUsed: u.includedSeconds,
      packageMinutesUsed: Math.floor(u.includedSeconds / 60),
      fairUseMinutes: u.fairUseSeconds === null ? null : u.fairUseSeconds / 60,
      fairUseException: u.fairUseException,
      overFairUse: u.overFairUse,
      creditCallSeconds: u.creditSeconds,
      creditCallBilledSeconds: u.creditBilledSeconds,
      creditCallSpend: formatMoney(u.creditMicros),
    })),
    allowances: report.allowances,
    spend: report.spend.map((s) => ({
      category: s.category,
      charges: s.charges,
      units: s.units,
      amount: formatMoney(s.amountMicros),
    })),
    totalSpend: formatMoney(report.totalSpendMicros),
    invoiced: report.invoiced.map(invoicedServiceView),
    totalInvoiced: formatMoney(report.totalInvoicedMicros),
  };
}

function invoicedServiceView(s: InvoicedService) {
  return {
    service: s.service,
    records: s.records,
    minutes: s.minutes,
    amount: formatMoney(s.amountMicros),
  };
}

export function invoiceUsageView(page: {
  month: string;
  timeZone: string;
  currency: string;
  totals: InvoicedService[];
  records: InvoiceUsageRecord[];
  nextAfterSeq: number | null;
}) {
  return {
    month: page.month,
    timezone: page.timeZone,
    currency: page.currency,
    totals: page.totals.map(invoicedServiceView),
    total: formatMoney(sumMicros(page.totals.map((t) => t.amountMicros))),
    usage: page.records.map((r) => ({
      usageId: r.usageId,
      at: new Date(r.atMs).toISOString(),
      service: r.service,
      userId: r.userId,
      callId: r.callId,
      seconds: r.seconds,
      billedMinutes: r.billedMinutes,
      includedMinutes: r.includedMinutes,
      invoicedMinutes: r.invoicedMinutes,
      ratePerMinute: formatMoney(r.ratePerMinuteMicros),
      amount: formatMoney(r.amountMicros),
      deckVersion: r.deckVersion,
    })),
    nextCursor: page.nextAfterSeq === null ? null : String(page.nextAfterSeq),
  };
}

export function fairUseExceptionsView(exceptions: FairUseExceptions) {
  return {
    exceptions: Object.entries(exceptions)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([userId, minutesPerMonth]) => ({ userId, minutesPerMonth })),
  };
}

export function spendControlsView(controls: SpendControlSettings) {
  return {
    maxCostPerCall: moneyOrNull(controls.maxCostPerCallMicros),
    dailyCap: moneyOrNull(controls.dailyCapMicros),
  };
}
