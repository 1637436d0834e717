import { DurableObject } from "cloudflare:workers";
import { initialCardFor } from "../payments";
import { CardOnFile, type CardChange, type CardHold, type SavedCard } from "./card-on-file";
import { LedgerGateway } from "./gateway-access";
import type { Micros } from "../money";
import { LedgerCore } from "./core";
import { byIdempotencyKey, type IdempotentCommand } from "./idempotency";
import { autoTopUpConfig, AutoTopUpCheck } from "./auto-top-up";
import { PaymentStore } from "./payment-store";
import { Commands } from "./unit-of-work";
import type { AutoTopUpConfig } from "../payments/auto-top-up-policy";
import { CreditAlerts } from "./alerts";
import type { CreditState } from "./credit-state";
import { ExportJobs, type ExportJob } from "./export-jobs";
import { MovementRetention } from "./movement-retention";
import { Notices } from "./notices";
import { OutboxRelay } from "./outbox";
import {
  switchHistoryShard,
  type ShardSwitch,
  type ShardSwitchOutcome,
} from "../history/rebalance";
import {
  TopUps,
  type AutoTopUpView,
  type PaymentView,
  type ReversalInput,
  type TopUpCommand,
} from "./top-ups";
import type { CardSummary, PaymentEvent } from "../payments/gateway";
import { availableMicros } from "./posting";
import {
  ok,
  refuse,
  type AccountProfile,
  type LedgerResult,
  type Movement,
  type MovementsQuery,
} from "./types";
import type { DeckRefs } from "../rate-decks/kinds";
import type { CallQuote, CallRequest } from "../rating/decide";
import { monthKeyOf, type FairUseExceptions, type Plan } from "../rating/plan";
import type { BillingDetails } from "../billing-details";
import { Calls } from "./calls";
import { Charges } from "./charges";
import { COMMANDS_PER_BATCH_MAX, type CommandOutcome, type LedgerCommand } from "./commands";
import { AccountPlans, type SpendControlSettings } from "./plans";
import {
  INVOICE_USAGE_KEPT_MS,
  INVOICE_USAGE_PAGE_MAX,
  InvoiceUsage,
  type InvoiceUsageRecord,
} from "./invoice-usage";
import { RateTables } from "./rate-tables";
import type { SqlRowCounts } from "./sql-meter";
import { UsageCounters } from "./usage-counters";
import { usageReport, type UsageReport } from "./usage-report";

const DAY_MS = 86_400_000;
/** Idempotency records outlive the 30 days a client may retry within. */
export const IDEMPOTENCY_RETENTION_MS = 35 * DAY_MS;
const IDEMPOTENCY_PRUNE_EVERY_MS = DAY_MS;
export const MOVEMENTS_PAGE_MAX = 500;

export type { IdempotentCommand };

export interface AdjustCommand extends IdempotentCommand {
  amountMicros: Micros;
  reason: string;
}

export interface CreditView {
  currency: string;
  balanceMicros: Micros;
  reservedMicros: Micros;
  availableMicros: Micros;
  state: CreditState;
  lowLevelMicros: Micros;
  recommendedThresholdMicros: Micros;
  autoTopUp: AutoTopUpView;
  card: SavedCard | null;
  cardHold: CardHold | null;
}

export interface LedgerAudit {
  balanceMicros: Micros;
  reservedMicros: Micros;
  movementCount: number;
  movementSumMicros: Micros;
  outboxSize: number;
  /** Sum of the running call legs' reservations: always equal to reservedMicros. */
  legsReservedMicros: Micros;
}

/**
 * The only writer of one account's money. Each command is one synchronous SQLite
 * transaction (read, decide with pure functions, write) so commands of the same account
 * run one at a time and a reply leaves only after its write is durable (output gate).
 * This class only routes RPC calls and the alarm to the ledger's parts.
 */
export class AccountLedger extends DurableObject<Env> {
  readonly #core: LedgerCore;
  readonly #commands: Commands;
  readonly #outbox: OutboxRelay;
  readonly #retention: MovementRetention;
  readonly #exports: ExportJobs;
  readonly #notices: Notices;
  readonly #gateway: LedgerGateway;
  readonly #cards: CardOnFile;
  readonly #topUps: TopUps;
  readonly #alerts: CreditAlerts;
  readonly #plans: AccountPlans;
  readonly #usage: UsageCounters;
  readonly #invoiceUsage: InvoiceUsage;
  readonly #calls: Calls;
  readonly #charges: Charges;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.#core = new LedgerCore(ctx.storage, env);
    this.#outbox = new OutboxRelay(this.#core);
    this.#exports = new ExportJobs(this.#core);
    this.#notices = new Notices(this.#core);
    this.#gateway = new LedgerGateway(this.#core, (request) => ctx.exports.default.fetch(request));
    this.#cards = new CardOnFile(this.#core, this.#notices, this.#gateway);
    const payments = new PaymentStore(this.#core.store.sql);
    this.#alerts = new CreditAlerts(this.#core, this.#notices);
    // Every command that changes money runs through here; what follows it is written there.
    this.#commands = new Commands(
      this.#core,
      this.#outbox,
      this.#alerts,
      new AutoTopUpCheck(this.#core, payments, this.#cards),
    );
    this.#topUps = new TopUps(
      this.#core,
      this.#commands,
      payments,
      this.#notices,
      this.#gateway,
      this.#cards,
    );
    this.#plans = new AccountPlans(this.#core);
    this.#usage = new UsageCounters(this.#core.store);
    this.#retention = new MovementRetention(this.#core, this.#usage);
    this.#invoiceUsage = new InvoiceUsage(this.#core.store.sql);
    const rateTables = new RateTables(env.DB);
    this.#calls = new Calls(this.#core, this.#commands, this.#plans, this.#usage, rateTables);
    this.#charges = new Charges(
      this.#core,
      this.#commands,
      this.#plans,
      this.#usage,
      rateTables,
      this.#invoiceUsage,
    );
    void ctx.blockConcurrencyWhile(() => this.#core.start());
  }

  // Account -----------------------------------------------------------------------------

  /**
   * Creates the ledger of a new account; opening it again with the same profile is a
   * no-op. A new account starts with the card its gateway gives it (the sandbox's test card).
   */
  open(profile: AccountProfile): LedgerResult<AccountProfile> {
    const core = this.#core;
    return core.transaction(() => {
      const existing = core.account();
      if (!existing) {
        const now = Date.now();
        core.store.insertAccount(profile, now);
        const card = initialCardFor(this.env, now);
        if (card) this.#cards.saveInitial(card, now);
        return ok(profile);
      }
      const current = {
        accountId: existing.accountId,
        currency: existing.currency,
        timeZone: existing.timeZone,
      };
      if (current.accountId !== profile.accountId || current.currency !== profile.currency) {
        return refuse({ reason: "account_conflict", existing: current });
      }
      return ok(current);
    });
  }

  // Money -------------------------------------------------------------------------------

  /** An operator's signed correction with its reason. It may take the balance below zero. */
  adjust(command: AdjustCommand): LedgerResult<{ movement: Movement }> {
    const nowMs = Date.now();
    return this.#commands.run(nowMs, (work) => {
      if (!this.#core.account())
        return refuse<{ movement: Movement }>({ reason: "account_not_found" });
      return byIdempotencyKey(this.#core.store, command, nowMs, () =>
        ok({
          movement: work.post({
            description: "adjustment",
            interactionId: command.idempotencyKey ?? "",
            units: null,
            unitsCharged: null,
            unitPriceMicros: null,
            amountMicros: command.amountMicros,
            userId: null,
            reason: command.reason,
            details: null,
          }),
        }),
      );
    });
  }

  credit(): LedgerResult<CreditView> {
    const account = this.#core.account();
    if (!account) return refuse({ reason: "account_not_found" });
    const now = Date.now();
    return ok({
      currency: account.currency,
      balanceMicros: account.balanceMicros,
      reservedMicros: account.reservedMicros,
      availableMicros: availableMicros(account),
      state: this.#alerts.state(now),
      lowLevelMicros: this.#alerts.lowLevelMicros(now, account.currency),
      recommendedThresholdMicros: this.#alerts.recommendedThresholdMicros(now, account.currency),
      autoTopUp: this.#topUps.autoTopUpView(),
      card: this.#cards.card(),
      cardHold: this.#cards.hold(),
    });
  }

  /** The admin's low-balance level (null: follow auto top-up or the recommendation). */
  setAlertSettings(settings: {
    lowBalanceLevelMicros: Micros | null;
    webhook: { url: string; secret: string } | null;
  }): LedgerResult<CreditView> {
    const result = this.#commands.run(Date.now(), (work) => {
      if (!this.#core.account()) return refuse<null>({ reason: "account_not_found" });
      this.#alerts.setLowLevel(settings.lowBalanceLevelMicros);
      if (settings.webhook) this.#core.store.writeSetting("alert_webhook", settings.webhook);
      else this.#core.store.deleteSetting("alert_webhook");
      work.recheckMoney();
      return ok(null);
    });
    return result.ok ? this.credit() : result;
  }

  // Top-ups -----------------------------------------------------------------------------

  requestTopUp(command: TopUpCommand): Promise<LedgerResult<PaymentView>> {
    return this.#topUps.request(command);
  }

  /** The admin came back from the bank's page: the gateway is asked, the redirect not trusted. */
  reconcileTopUp(id: string): Promise<LedgerResult<PaymentView>> {
    return this.#topUps.reconcile(id);
  }

  refundedTopUp(input: ReversalInput): LedgerResult<{ applied: boolean; why?: string }> {
    return this.#topUps.refunded(input);
  }

  disputedTopUp(
    input: ReversalInput & { disputeRef: string; status: "open" | "won" | "lost" },
  ): LedgerResult<{ applied: boolean; why?: string }> {
    return this.#topUps.disputed(input);
  }

  fraudWarning(
    eventId: string,
    paymentId: string,
  ): LedgerResult<{ applied: boolean; why?: string }> {
    return this.#topUps.fraudWarning(eventId, paymentId);
  }

  // Card on file ------------------------------------------------------------------------

  paymentMethod(): LedgerResult<SavedCard> {
    if (!this.#core.account()) return refuse({ reason: "account_not_found" });
    const card = this.#cards.card();
    return card ? ok(card) : refuse({ reason: "payment_method_not_found" });
  }

  gatewayCustomer(): LedgerResult<{ customerRef: string | null }> {
    if (!this.#core.account()) return refuse({ reason: "account_not_found" });
    return ok({ customerRef: this.#cards.customerRef() });
  }

  setGatewayCustomer(customerRef: string): LedgerResult<{ customerRef: string }> {
    return this.#cards.setCustomer(customerRef);
  }

  saveCard(input: {
    eventId: string;
    card: CardSummary;
    customerRef: string | null;
    setupCreatedMs: number;
  }): LedgerResult<CardChange> {
    const result = this.#cards.save(input);
    this.#afterCardChange();
    return result;
  }

  removeCard(): LedgerResult<{ removed: SavedCard | null }> {
    return this.#cards.remove();
  }

  cardUpdated(eventId: string, card: CardSummary): LedgerResult<CardChange> {
    const result = this.#cards.updated(eventId, card);
    this.#afterCardChange();
    return result;
  }

  cardDetached(eventId: string, paymentMethodRef: string): LedgerResult<CardChange> {
    return this.#cards.detached(eventId, paymentMethodRef);
  }

  customerDeleted(eventId: string, customerRef: string): LedgerResult<CardChange> {
    return this.#cards.customerDeleted(eventId, customerRef);
  }

  /** A new or renewed card may be about to expire, and may let a waiting auto top-up run. */
  #afterCardChange(): void {
    const nowMs = Date.now();
    this.#commands.run(nowMs, (work) => {
      this.#cards.checkExpiry(nowMs, this.#autoTopUpOn());
      work.recheckMoney();
    });
  }

  topUp(id: string): LedgerResult<PaymentView> {
    return this.#topUps.get(id);
  }

  confirmPayment(event: PaymentEvent): LedgerResult<{ applied: boolean; why?: string }> {
    return this.#topUps.confirm(event);
  }

  configureAutoTopUp(config: AutoTopUpConfig): LedgerResult<AutoTopUpView> {
    return this.#topUps.configureAutoTopUp(config);
  }

  /** The cron's safety net: starts an auto top-up the ledger missed; safe to run twice. */
  sweep(): LedgerResult<AutoTopUpView> {
    if (!this.#core.account()) return refuse({ reason: "account_not_found" });
    this.#commands.run(Date.now(), (work) => work.recheckMoney());
    return ok(this.#topUps.autoTopUpView());
  }

  /**
   * Committed movements, whether or not D1 has its copy yet. Those up to `prunedThroughSeq`
   * left the ledger (movement-retention.ts) and are read from D1.
   */
  movements(query: MovementsQuery): LedgerResult<{
    movements: Movement[];
    nextAfterSeq: number | null;
    prunedThroughSeq: number;
  }> {
    const store = this.#core.store;
    if (!store.readAccount()) return refuse({ reason: "account_not_found" });
    const limit = Math.min(Math.max(1, query.limit), MOVEMENTS_PAGE_MAX);
    const page = store.listMovements({ ...query, limit: limit + 1 });
    const movements = page.slice(0, limit);
    const last = movements.at(-1);
    return ok({
      movements,
      nextAfterSeq: page.length > limit && last ? last.seq : null,
      prunedThroughSeq: store.prunedMovements().throughSeq,
    });
  }

  /** Balance against the sum of movements: the invariant tests and operators check. */
  audit(): LedgerAudit {
    const store = this.#core.store;
    const account = store.readAccount();
    const { count, sumMicros } = store.sumMovements();
    return {
      balanceMicros: account?.balanceMicros ?? 0,
      reservedMicros: account?.reservedMicros ?? 0,
      movementCount: count,
      movementSumMicros: sumMicros,
      outboxSize: store.outboxSize(),
      legsReservedMicros: this.#calls.runningReservedMicros(),
    };
  }

  // Rated usage: plans, calls, messages, AI usage ---------------------------------------

  setPlan(plan: Plan): LedgerResult<Plan> {
    return this.#plans.setPlan(plan);
  }

  plan(): LedgerResult<Plan | null> {
    return this.#core.account() ? ok(this.#plans.plan()) : refuse({ reason: "account_not_found" });
  }

  /** Support's per-user fair-use limits (minutes per month); null removes the user's own limit. */
  setFairUseException(
    userId: string,
    minutesPerMonth: number | null,
  ): LedgerResult<FairUseExceptions> {
    return this.#plans.setFairUseException(userId, minutesPerMonth);
  }

  fairUseExceptions(): LedgerResult<FairUseExceptions> {
    return this.#core.account()
      ? ok(this.#plans.fairUseExceptions())
      : refuse({ reason: "account_not_found" });
  }

  setSpendControls(controls: SpendControlSettings): LedgerResult<SpendControlSettings> {
    return this.#plans.setSpendControls(controls);
  }

  spendControls(): LedgerResult<SpendControlSettings> {
    return this.#core.account()
      ? ok(this.#plans.spendControls())
      : refuse({ reason: "account_not_found" });
  }

  /**
   * Runs the switch's commands in order, each in its own transaction; their writes commit
   * together when this call returns, before any answer leaves (output gate).
   */
  async run(commands: LedgerCommand[]): Promise<CommandOutcome[]> {
    if (commands.length > COMMANDS_PER_BATCH_MAX)
      throw new RangeError(`${commands.length} commands in one batch`);
    const outcomes: CommandOutcome[] = [];
    for (const command of commands) {
      try {
        outcomes.push(await this.#runOne(command));
      } catch (error) {
        console.error(
          JSON.stringify({
            event: "ledger_command_failed",
            kind: command.kind,
            error: String(error),
          }),
        );
        outcomes.push({ ok: false, failed: String(error) });
      }
    }
    return outcomes;
  }

  #runOne(item: LedgerCommand): CommandOutcome | Promise<CommandOutcome> {
    switch (item.kind) {
      case "authorize":
        return this.#calls.authorize(item.command, item.decks);
      case "extend":
        return this.#calls.extend(item.command);
      case "end":
        return this.#calls.end(item.command);
      case "message":
        return this.#charges.message(item.command, item.decks);
      case "usage":
        return this.#charges.usage(item.command, item.decks);
    }
  }

  quoteCall(
    request: CallRequest,
    durationSeconds: number,
    decks: DeckRefs,
  ): Promise<LedgerResult<CallQuote>> {
    return this.#calls.quote(request, durationSeconds, decks);
  }

  /** The month's usage and overages; `month` defaults to the current one in the account's zone. */
  usage(month: string | null): LedgerResult<UsageReport> {
    const account = this.#core.account();
    if (!account) return refuse({ reason: "account_not_found" });
    const key = month ?? monthKeyOf(Date.now(), account.timeZone);
    return ok(
      usageReport({
        counters: this.#usage,
        invoiced: this.#invoiceUsage.totals(key),
        plan: this.#plans.plan(),
        fairUseExceptions: this.#plans.fairUseExceptions(),
        month: key,
        timeZone: account.timeZone,
      }),
    );
  }

  /** A month's invoice-billed AI usage for the operator's invoice, a page at a time. */
  invoiceUsage(query: { month: string | null; afterSeq: number; limit: number }): LedgerResult<{
    month: string;
    timeZone: string;
    currency: string;
    totals: ReturnType<InvoiceUsage["totals"]>;
    records: InvoiceUsageRecord[];
    nextAfterSeq: number | null;
  }> {
    const account = this.#core.account();
    if (!account) return refuse({ reason: "account_not_found" });
    const month = query.month ?? monthKeyOf(Date.now(), account.timeZone);
    const limit = Math.min(Math.max(1, query.limit), INVOICE_USAGE_PAGE_MAX);
    const page = this.#invoiceUsage.list(month, query.afterSeq, limit + 1);
    const records = page.slice(0, limit);
    const last = records.at(-1);
    return ok({
      month,
      timeZone: account.timeZone,
      currency: account.currency,
      totals: this.#invoiceUsage.totals(month),
      records,
      nextAfterSeq: page.length > limit && last ? last.seq : null,
    });
  }

  // Billing details ------------------------------------------------------------------------

  /** Who is invoiced and where; validated by the caller (billing-details.ts). */
  setBillingDetails(details: BillingDetails): LedgerResult<BillingDetails> {
    return this.#core.transaction(() => {
      if (!this.#core.account()) return refuse<BillingDetails>({ reason: "account_not_found" });
      this.#core.store.writeSetting("billing_details", details);
      return ok(details);
    });
  }

  /** The account's billing details, for the Billing page and the payment gateway's customer. */
  billingDetails(): LedgerResult<BillingDetails> {
    if (!this.#core.account()) return refuse({ reason: "account_not_found" });
    const details = this.#core.store.readSetting("billing_details");
    return details ? ok(details) : refuse({ reason: "billing_details_not_found" });
  }

  // Exports -----------------------------------------------------------------------------

  requestExport(): Promise<LedgerResult<{ job: ExportJob; created: boolean }>> {
    return this.#exports.request();
  }

  exportJob(id: string): LedgerResult<ExportJob> {
    return this.#exports.get(id);
  }

  finishExport(
    id: string,
    outcome:
      | { status: "ready"; rows: number; sumMicros: number; objectKey: string }
      | { status: "failed"; failure: string },
  ): LedgerResult<{ job: ExportJob; changed: boolean }> {
    return this.#exports.finish(id, outcome);
  }

  // Outbox and alarm ----------------------------------------------------------------------

  /** Copies every pending movement to D1 now; exports call this before they read D1. */
  async flushOutbox(): Promise<LedgerResult<{ remaining: number }>> {
    const account = this.#core.account();
    if (!account) return refuse({ reason: "account_not_found" });
    await this.#outbox.drain(account.accountId, Number.MAX_SAFE_INTEGER);
    return ok({ remaining: this.#core.store.outboxSize() });
  }

  /**
   * The rebalancing job's switch of this account's history shard, run while the outbox
   * copies nothing (src/history/rebalance.ts says what it copies, checks and switches).
   */
  async switchHistoryShard(move: ShardSwitch): Promise<LedgerResult<ShardSwitchOutcome>> {
    const account = this.#core.account();
    if (!account) return refuse({ reason: "account_not_found" });
    return ok(
      await this.#outbox.exclusive(() => switchHistoryShard(this.env, account.accountId, move)),
    );
  }

  /** Bench instrument: counts the rows this ledger's statements read and write from now on. */
  startSqlMeter(): void {
    this.#core.sqlMeter.start();
  }

  /** Bench instrument: the rows counted since startSqlMeter(); the meter is then off. */
  stopSqlMeter(): SqlRowCounts {
    return this.#core.sqlMeter.stop();
  }

  /** One alarm drives every kind of due work; each part says when it next needs it. */
  override async alarm(): Promise<void> {
    const core = this.#core;
    core.alarmFired();
    const account = core.account();
    if (!account) return;
    const now = Date.now();
    const due = [
      await this.#outbox.onAlarm(account.accountId, now),
      await this.#exports.onAlarm(now),
      await this.#gateway.onAlarm(now),
      await this.#topUps.onAlarm(now),
      await this.#cards.onAlarm(now, this.#autoTopUpOn()),
      await this.#notices.onAlarm(now),
      this.#calls.onAlarm(now),
      this.#pruneIdempotency(now),
      this.#pruneInvoiceUsage(now),
      this.#retention.onAlarm(now),
    ];
    const next = Math.min(...due.filter((t): t is number => t !== null));
    if (Number.isFinite(next)) core.wakeAt(next);
  }

  #autoTopUpOn(): boolean {
    return autoTopUpConfig(this.#core.store)?.enabled ?? false;
  }

  #pruneInvoiceUsage(now: number): number {
    return this.#core.periodically("invoice_usage_pruned_at_ms", DAY_MS, now, () =>
      this.#invoiceUsage.pruneBefore(now - INVOICE_USAGE_KEPT_MS),
    );
  }

  #pruneIdempotency(now: number): number {
    return this.#core.periodically(
      "idempotency_pruned_at_ms",
      IDEMPOTENCY_PRUNE_EVERY_MS,
      now,
      () => {
        this.#core.store.pruneIdempotency(now - IDEMPOTENCY_RETENTION_MS);
        return false;
      },
    );
  }
}
