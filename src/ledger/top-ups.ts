import type { Micros } from "../money";
import {
  AUTO_TOP_UPS_PER_DAY_DEFAULT,
  autoTopUpRetryAtMs,
  decideAutoTopUp,
  type AutoTopUpConfig,
} from "../payments/auto-top-up-policy";
import type {
  GatewayAnswer,
  PaymentAttempt,
  PaymentEvent,
  PaymentOutcome,
  RetrievedPayment,
} from "../payments/gateway";
import { fromStripeAmount } from "../payments/stripe-currencies";
import { billingUrl, type CardOnFile } from "./card-on-file";
import type { IdempotentCommand, LedgerCore } from "./core";
import type { LedgerGateway } from "./gateway-access";
import { randomId } from "./ids";
import type { Notices } from "./notices";
import { availableMicros } from "./posting";
import { ok, refuse, type LedgerResult } from "./types";

/** A gateway call that neither answered nor confirmed by then is asked about again. */
export const PAYMENT_ATTEMPT_TIMEOUT_MS = 60_000;
const PAYMENT_RETRY_BASE_MS = 5_000;
/** Unknown outcomes are asked about again at growing intervals, at most this far apart. */
export const PAYMENT_RECONCILE_MAX_INTERVAL_MS = 30 * 60_000;
/** A pending payment no webhook has settled is retrieved at the gateway after this long. */
export const PAYMENT_CONFIRMATION_WAIT_MS = 30 * 60_000;
/**
 * Stripe keeps an idempotency key 24 hours. Creating a payment again under its key is safe
 * only well inside that window; later the payment is looked up by our id instead, so an
 * expired key can never confirm a second PaymentIntent (a double charge).
 */
export const PAYMENT_IDEMPOTENCY_WINDOW_MS = 20 * 60 * 60_000;
/**
 * How long a one-time top-up waits for the admin to complete the bank's authentication;
 * then it is cancelled at the gateway and ends failed, crediting nothing.
 */
export const PAYMENT_AUTHENTICATION_WAIT_MS = 30 * 60_000;
const DAY_MS = 86_400_000;

export const AUTHENTICATION_ABANDONED_REASON =
  "The bank's authentication was not completed within 30 minutes; nothing was charged.";
export const NO_CHARGE_MADE_REASON =
  "The payment provider has no record of this payment; no charge was made.";

export type PaymentKind = "one-time" | "auto";
export type PaymentStatus = "pending" | "succeeded" | "failed";

export interface PaymentView {
  id: string;
  kind: PaymentKind;
  amountMicros: Micros;
  paymentMethod: string;
  status: PaymentStatus;
  /** Pending on the cardholder: where the bank's authentication page is. */
  nextActionUrl: string | null;
  failureReason: string | null;
  createdAtMs: number;
  settledAtMs: number | null;
  movementId: string | null;
  /** Credit taken back by refunds and lost disputes so far. */
  reversedMicros: Micros;
}

export interface AutoTopUpStatus {
  consecutiveFailures: number;
  retryNotBeforeMs: number;
  lastFailureReason: string | null;
  /** The last failure was a bank asking for the cardholder: the admin must act. */
  lastFailureNeedsAction?: boolean;
  /** Set when auto top-up switched itself off after repeated failures. */
  disabledReason: string | null;
}

export interface AutoTopUpView {
  config: AutoTopUpConfig | null;
  status: AutoTopUpStatus;
  inFlight: PaymentView | null;
  /** Why an enabled auto top-up cannot charge now (no card, card on hold); null when it can. */
  blockedReason: "no_card" | "card_held" | null;
}

export interface TopUpCommand extends IdempotentCommand {
  amountMicros: Micros;
  paymentMethod: string | null;
}

export interface ReversalInput {
  eventId: string;
  paymentId: string;
  /** What the gateway reported, in its own minor units and currency. */
  amountMinor: number;
  currency: string;
}

const NO_FAILURES: AutoTopUpStatus = {
  consecutiveFailures: 0,
  retryNotBeforeMs: 0,
  lastFailureReason: null,
  disabledReason: null,
};

type Settlement = Extract<PaymentAttempt, { status: "succeeded" | "failed" }>;

/**
 * Top-ups: one-time payments an admin asks for (on-session, charged at once so the bank's
 * authentication can happen in the browser) and auto top-ups the ledger starts itself
 * (off-session, from the alarm). A payment row is written first (pending); the gateway is
 * called with the payment id as its idempotency key; the credit is posted exactly once, by
 * whichever of the gateway's answer, a retrieval or its webhook settles the payment first.
 * An unknown outcome is never guessed: it is retrieved at the gateway until known.
 */
export class TopUps {
  constructor(
    private readonly core: LedgerCore,
    private readonly notices: Notices,
    private readonly gateway: LedgerGateway,
    private readonly cards: CardOnFile,
  ) {}

  // One-time top-ups ----------------------------------------------------------------------

  /**
   * Records the top-up and charges it at once, so the answer can carry the bank's
   * authentication page. A repeat with the same key answers the same top-up as it is now.
   */
  async request(command: TopUpCommand): Promise<LedgerResult<PaymentView>> {
    const created = this.core.idempotent<PaymentView>(command, () => {
      const paymentMethod = command.paymentMethod ?? this.cards.card()?.paymentMethodRef;
      if (!paymentMethod) return refuse({ reason: "no_payment_method" });
      return ok(this.#createPayment("one-time", command.amountMicros, paymentMethod));
    });
    if (!created.ok) return created;
    const payment = this.#find(created.value.id);
    if (payment?.status === "pending" && this.#attempts(payment.id) === 0)
      await this.#attempt(payment.id, Date.now(), { inRequest: true });
    return ok(this.#find(created.value.id) ?? created.value);
  }

  get(id: string): LedgerResult<PaymentView> {
    if (!this.core.account()) return refuse({ reason: "account_not_found" });
    const payment = this.#find(id);
    return payment ? ok(payment) : refuse({ reason: "top_up_not_found" });
  }

  /**
   * The admin is back from the bank's page: ask the gateway how the payment stands rather
   * than trust the redirect. Safe in any order with the webhook.
   */
  async reconcile(id: string): Promise<LedgerResult<PaymentView>> {
    const payment = this.#find(id);
    if (!this.core.account() || !payment) return this.get(id);
    if (payment.status === "pending") await this.#attempt(id, Date.now());
    return this.get(id);
  }

  /**
   * Applies a verified gateway event. The same event twice, an event for a payment this
   * ledger never started, or one whose amount does not match changes nothing.
   */
  confirm(event: PaymentEvent): LedgerResult<{ applied: boolean; why?: string }> {
    return this.core.transaction(() => {
      const account = this.core.account();
      if (!account)
        return refuse<{ applied: boolean; why?: string }>({ reason: "account_not_found" });
      if (this.#seen(event.eventId)) return ok({ applied: false, why: "duplicate_event" });
      const payment = this.#find(event.paymentId);
      if (!payment) return ok({ applied: false, why: "unknown_payment" });
      if (event.amountMicros !== payment.amountMicros || event.currency !== account.currency) {
        console.warn(
          JSON.stringify({
            event: "payment_event_mismatch",
            paymentId: payment.id,
            eventId: event.eventId,
          }),
        );
        return ok({ applied: false, why: "amount_mismatch" });
      }
      this.#record(event.eventId, payment.id);
      const applied =
        event.outcome === "succeeded"
          ? this.#settle(payment, { status: "succeeded", gatewayRef: event.gatewayRef })
          : this.#settle(payment, {
              status: "failed",
              gatewayRef: event.gatewayRef,
              failureCode: "declined",
              failureReason: event.failureReason ?? "The payment failed.",
            });
      return ok({ applied });
    });
  }

  // Refunds, disputes, fraud warnings ------------------------------------------------------

  /**
   * charge.refunded carries the total refunded so far; the ledger reverses what it has not
   * reversed yet, so replays, and refund events arriving out of order, reverse nothing twice.
   */
  refunded(input: ReversalInput): LedgerResult<{ applied: boolean; why?: string }> {
    return this.#reversal(input, (payment, micros) => {
      const due = Math.min(micros, payment.amountMicros) - payment.reversedMicros;
      if (due <= 0) return { applied: false, why: "already_reversed" };
      this.#post(payment, -due, `refund of top-up ${payment.id} (gateway event ${input.eventId})`);
      this.core.store.sql.exec(
        "UPDATE payments SET reversed_micros = reversed_micros + ? WHERE id = ?",
        due,
        payment.id,
      );
      this.#reversedNotice(payment, -due, "refund");
      return { applied: true };
    });
  }

  /** A dispute takes its amount back once; won, it gives it back once. */
  disputed(
    input: ReversalInput & { disputeRef: string; status: "open" | "won" | "lost" },
  ): LedgerResult<{ applied: boolean; why?: string }> {
    return this.#reversal(input, (payment, micros) => {
      const sql = this.core.store.sql;
      const known = sql
        .exec<{ status: string; amount_micros: number }>(
          "SELECT status, amount_micros FROM payment_disputes WHERE dispute_ref = ?",
          input.disputeRef,
        )
        .toArray()[0];
      let applied = false;
      if (!known) {
        // Whatever status it arrives with, a dispute first withdraws its amount.
        const amount = Math.min(micros, payment.amountMicros);
        this.#post(
          payment,
          -amount,
          `dispute of top-up ${payment.id} (gateway event ${input.eventId})`,
        );
        sql.exec(
          "INSERT INTO payment_disputes (dispute_ref, payment_id, amount_micros, status, created_at_ms) VALUES (?, ?, ?, 'open', ?)",
          input.disputeRef,
          payment.id,
          amount,
          Date.now(),
        );
        sql.exec(
          "UPDATE payments SET reversed_micros = reversed_micros + ? WHERE id = ?",
          amount,
          payment.id,
        );
        this.#reversedNotice(payment, -amount, "dispute");
        applied = true;
      }
      const current = known?.status ?? "open";
      if (current === "open" && input.status !== "open") {
        sql.exec(
          "UPDATE payment_disputes SET status = ? WHERE dispute_ref = ?",
          input.status,
          input.disputeRef,
        );
        if (input.status === "won") {
          const amount = known?.amount_micros ?? Math.min(micros, payment.amountMicros);
          this.#post(
            payment,
            amount,
            `dispute won for top-up ${payment.id} (gateway event ${input.eventId})`,
          );
          sql.exec(
            "UPDATE payments SET reversed_micros = reversed_micros - ? WHERE id = ?",
            amount,
            payment.id,
          );
          this.#reversedNotice(payment, amount, "dispute_won");
        }
        applied = true;
      }
      return applied ? { applied } : { applied, why: "already_applied" };
    });
  }

  /**
   * Radar's early fraud warning on a top-up: the card it was paid with is not charged
   * automatically again until the admin saves a card or saves the auto top-up settings.
   */
  fraudWarning(
    eventId: string,
    paymentId: string,
  ): LedgerResult<{ applied: boolean; why?: string }> {
    return this.core.transaction(() => {
      if (!this.core.account()) return refuse({ reason: "account_not_found" });
      if (this.#seen(eventId)) return ok({ applied: false, why: "duplicate_event" });
      const payment = this.#find(paymentId);
      if (!payment) return ok({ applied: false, why: "unknown_payment" });
      this.#record(eventId, paymentId);
      const held = this.cards.holdCard(
        payment.paymentMethod,
        `the payment provider warned of possible fraud on top-up ${payment.id}`,
      );
      console.warn(JSON.stringify({ event: "fraud_warning", paymentId, held }));
      return ok(held ? { applied: true } : { applied: false, why: "not_the_saved_card" });
    });
  }

  // Auto top-up ---------------------------------------------------------------------------

  configureAutoTopUp(config: AutoTopUpConfig): LedgerResult<AutoTopUpView> {
    return this.core.transaction(() => {
      if (!this.core.account()) return refuse<AutoTopUpView>({ reason: "account_not_found" });
      this.core.store.writeSetting("auto_top_up", config);
      // Saving the settings is the admin's answer to a failure or a warning: start over.
      this.core.store.writeSetting("auto_top_up_status", NO_FAILURES);
      this.core.store.deleteSetting("card_hold");
      this.cards.checkExpiry(Date.now(), config.enabled);
      this.checkAutoTopUp(Date.now());
      return ok(this.autoTopUpView());
    });
  }

  autoTopUpView(): AutoTopUpView {
    const inFlight = this.core.store.sql
      .exec<{ id: string }>(
        "SELECT id FROM payments WHERE kind = 'auto' AND status = 'pending' LIMIT 1",
      )
      .toArray()[0];
    const config = this.#config();
    return {
      config,
      status: this.#status(),
      inFlight: inFlight ? this.#find(inFlight.id) : null,
      blockedReason: config?.enabled ? this.#blockedReason(config) : null,
    };
  }

  /**
   * Starts an auto top-up when the available credit is below the threshold and none is
   * in flight. Runs inside the transaction of the change that moved the balance, so
   * concurrent debits start one payment between them.
   */
  checkAutoTopUp(nowMs: number): void {
    const account = this.core.account();
    const config = this.#config();
    // The common case, on every debit: nothing to do, decided without a query.
    if (!account || !config?.enabled || availableMicros(account) >= config.thresholdMicros) return;
    const paymentMethod = config.paymentMethod ?? this.cards.chargeableRef();
    // No card, or one on hold: the status line says so, and nothing is tried.
    if (!paymentMethod) return;
    const sql = this.core.store.sql;
    const pending = sql
      .exec<{ kind: string; total: number }>(
        "SELECT kind, sum(amount_micros) AS total FROM payments WHERE status = 'pending' GROUP BY kind",
      )
      .toArray();
    const startOfDayMs = nowMs - (nowMs % DAY_MS);
    const startedToday = sql
      .exec<{ n: number }>(
        "SELECT count(*) AS n FROM payments WHERE kind = 'auto' AND created_at_ms >= ?",
        startOfDayMs,
      )
      .one().n;
    const status = this.#status();
    const decision = decideAutoTopUp(
      config,
      {
        inFlight: pending.some((p) => p.kind === "auto"),
        consecutiveFailures: status.consecutiveFailures,
        retryNotBeforeMs: status.retryNotBeforeMs,
        startedTodayCount: startedToday,
      },
      availableMicros(account),
      pending.reduce((sum, p) => sum + p.total, 0),
      account.currency,
      nowMs,
    );
    if (decision.start) this.#createPayment("auto", decision.amountMicros, paymentMethod);
  }

  autoTopUpConfig(): AutoTopUpConfig | null {
    return this.#config();
  }

  // Alarm ---------------------------------------------------------------------------------

  async onAlarm(nowMs: number): Promise<number | null> {
    const sql = this.core.store.sql;
    const due = sql
      .exec<{ id: string }>(
        "SELECT id FROM payments WHERE status = 'pending' AND next_attempt_at_ms <= ? ORDER BY created_at_ms",
        nowMs,
      )
      .toArray();
    for (const { id } of due) await this.#attempt(id, nowMs);
    const status = this.#status();
    if (status.retryNotBeforeMs > 0 && status.retryNotBeforeMs <= nowMs)
      this.core.transaction(() => this.checkAutoTopUp(nowMs));
    const next = sql
      .exec<{ at: number | null }>(
        "SELECT min(next_attempt_at_ms) AS at FROM payments WHERE status = 'pending'",
      )
      .one().at;
    const retryAt =
      this.#status().retryNotBeforeMs > nowMs ? this.#status().retryNotBeforeMs : null;
    const candidates = [next, retryAt].filter((t): t is number => t !== null);
    return candidates.length > 0 ? Math.min(...candidates) : null;
  }

  // Internals -----------------------------------------------------------------------------

  #createPayment(kind: PaymentKind, amountMicros: Micros, paymentMethod: string): PaymentView {
    const now = Date.now();
    const id = randomId(kind === "auto" ? "atu" : "top");
    this.core.store.sql.exec(
      `INSERT INTO payments (id, kind, amount_micros, payment_method, status, next_attempt_at_ms, created_at_ms)
       VALUES (?, ?, ?, ?, 'pending', ?, ?)`,
      id,
      kind,
      amountMicros,
      paymentMethod,
      now,
      now,
    );
    this.core.wakeAt(now);
    return this.#find(id) as PaymentView;
  }

  /**
   * One step towards knowing a pending payment's outcome; safe to repeat. Never charged yet:
   * create it (idempotency key = id). Charged: retrieve it. No answer ever came and the
   * gateway's idempotency window is closing: look it up by our id instead of creating again.
   */
  async #attempt(id: string, nowMs: number, options: { inRequest?: boolean } = {}): Promise<void> {
    const account = this.core.account();
    const payment = this.#find(id);
    if (!account || !payment || payment.status !== "pending") return;
    const gatewayRef = this.#gatewayRef(id);
    // Before the call, so a crash during it leads to one more (idempotent) call, not none.
    this.core.store.sql.exec(
      "UPDATE payments SET attempts = attempts + 1, next_attempt_at_ms = ? WHERE id = ?",
      nowMs + PAYMENT_ATTEMPT_TIMEOUT_MS,
      id,
    );
    const gateway = this.gateway.get();
    let attempt: PaymentAttempt;
    try {
      if (gatewayRef) {
        attempt = outcomeOrRetry(await gateway.retrievePayment(gatewayRef));
      } else if (nowMs - payment.createdAtMs < PAYMENT_IDEMPOTENCY_WINDOW_MS) {
        const customerRef = this.cards.customerRef();
        attempt = await gateway.createPayment({
          paymentId: id,
          accountId: account.accountId,
          amountMicros: payment.amountMicros,
          currency: account.currency,
          paymentMethod: payment.paymentMethod,
          ...(customerRef ? { customerRef } : {}),
          description: payment.kind === "auto" ? "Auto top-up of credit" : "Credit top-up",
          ...(payment.kind === "one-time"
            ? { onSession: { returnUrl: returnUrl(this.core.env, account.accountId, id) } }
            : {}),
        });
      } else {
        const found = await gateway.findPayment(id);
        attempt =
          found.ok && found.value === null
            ? {
                status: "failed",
                gatewayRef: null,
                failureCode: "gateway_rejected",
                failureReason: NO_CHARGE_MADE_REASON,
              }
            : outcomeOrRetry(found);
      }
      if (
        attempt.status === "requires_action" &&
        nowMs >= payment.createdAtMs + PAYMENT_AUTHENTICATION_WAIT_MS
      ) {
        // Abandoned: cancelled so it cannot succeed later (if it did meanwhile, its webhook
        // still credits it, once).
        const cancelled = await gateway.cancelPayment(attempt.gatewayRef);
        if (!cancelled.ok)
          console.warn(
            JSON.stringify({
              event: "payment_cancel_failed",
              paymentId: id,
              error: cancelled.message,
            }),
          );
        attempt = {
          status: "failed",
          gatewayRef: attempt.gatewayRef,
          failureCode: "requires_action",
          failureReason: AUTHENTICATION_ABANDONED_REASON,
        };
      }
    } catch (error) {
      attempt = { status: "retry", retryKind: "network", message: String(error) };
    }
    this.core.transaction(() => this.#learn(id, attempt, options.inRequest ?? false));
  }

  /**
   * What one gateway answer tells about a pending payment, applied in one transaction. The
   * answer to the admin's own request settles nothing: the API promises a pending top-up
   * that the gateway's webhook confirms (or, failing that, a retrieval a minute later).
   */
  #learn(id: string, attempt: PaymentAttempt, inRequest: boolean): void {
    const current = this.#find(id);
    if (current?.status !== "pending") return;
    const sql = this.core.store.sql;
    const attempts = this.#attempts(id);
    const now = Date.now();
    if (inRequest && (attempt.status === "succeeded" || attempt.status === "failed")) {
      sql.exec(
        "UPDATE payments SET gateway_ref = coalesce(?, gateway_ref) WHERE id = ?",
        attempt.gatewayRef,
        id,
      );
      return;
    }
    switch (attempt.status) {
      case "succeeded":
      case "failed":
        this.#settle(current, attempt);
        return;
      case "pending":
        sql.exec(
          "UPDATE payments SET gateway_ref = ?, next_attempt_at_ms = ? WHERE id = ?",
          attempt.gatewayRef,
          now + PAYMENT_CONFIRMATION_WAIT_MS,
          id,
        );
        return;
      case "requires_action": {
        const deadline = current.createdAtMs + PAYMENT_AUTHENTICATION_WAIT_MS;
        if (now < deadline) {
          sql.exec(
            "UPDATE payments SET gateway_ref = ?, next_action_url = ?, next_attempt_at_ms = ? WHERE id = ?",
            attempt.gatewayRef,
            attempt.nextActionUrl,
            deadline,
            id,
          );
          return;
        }
        // Past the deadline #attempt has cancelled it; this answer came from before that.
        return;
      }
      case "retry":
        // Unknown is not failed: ask again, further apart, until the gateway tells.
        sql.exec(
          "UPDATE payments SET next_attempt_at_ms = ? WHERE id = ?",
          now +
            Math.min(
              PAYMENT_RETRY_BASE_MS * 2 ** (attempts - 1),
              PAYMENT_RECONCILE_MAX_INTERVAL_MS,
            ),
          id,
        );
        console.warn(
          JSON.stringify({
            event: "payment_outcome_unknown",
            paymentId: id,
            attempts,
            retryKind: attempt.retryKind,
            message: attempt.message,
          }),
        );
        return;
      default: {
        const unmapped: never = attempt;
        throw new Error(`unhandled payment attempt ${JSON.stringify(unmapped)}`);
      }
    }
  }

  /**
   * Settles a payment once; returns false when nothing changed. A success reported after
   * the payment was given up (abandoned, or a retrieval that found nothing yet) is still
   * credited, once, and the operator is alerted: money was taken, so it must show.
   */
  #settle(payment: PaymentView, outcome: Settlement): boolean {
    const late = payment.status === "failed" && outcome.status === "succeeded";
    if (payment.status !== "pending" && !late) return false;
    const sql = this.core.store.sql;
    const now = Date.now();
    if (outcome.status === "succeeded") {
      const movement = this.core.post({
        description: "top-up",
        interactionId: payment.id,
        units: null,
        unitsCharged: null,
        unitPriceMicros: null,
        amountMicros: payment.amountMicros,
        userId: null,
        reason: payment.kind === "auto" ? "auto top-up" : "one-time top-up",
        details: { paymentMethod: payment.paymentMethod, gatewayRef: outcome.gatewayRef },
      });
      sql.exec(
        "UPDATE payments SET status = 'succeeded', gateway_ref = ?, settled_at_ms = ?, movement_id = ?, next_attempt_at_ms = NULL, next_action_url = NULL, failure_reason = NULL WHERE id = ?",
        outcome.gatewayRef,
        now,
        movement.id,
        payment.id,
      );
      if (late) {
        console.error(
          JSON.stringify({
            event: "late_payment_credited",
            alert: "operator",
            accountId: this.core.account()?.accountId,
            paymentId: payment.id,
            gatewayRef: outcome.gatewayRef,
            previousFailure: payment.failureReason,
          }),
        );
      }
      if (payment.kind === "auto") this.core.store.writeSetting("auto_top_up_status", NO_FAILURES);
      return true;
    }
    sql.exec(
      "UPDATE payments SET status = 'failed', gateway_ref = coalesce(?, gateway_ref), failure_reason = ?, settled_at_ms = ?, next_attempt_at_ms = NULL, next_action_url = NULL WHERE id = ?",
      outcome.gatewayRef,
      outcome.failureReason,
      now,
      payment.id,
    );
    if (payment.kind === "auto") this.#autoTopUpFailed(payment, outcome, now);
    return true;
  }

  /** Backs off, tells the admin once, and after too many failures in a row switches off. */
  #autoTopUpFailed(
    payment: PaymentView,
    outcome: Settlement & { status: "failed" },
    nowMs: number,
  ) {
    const account = this.core.account();
    const previous = this.#status();
    const failureReason = outcome.failureReason;
    const needsAction = outcome.failureCode === "requires_action";
    const consecutiveFailures = previous.consecutiveFailures + 1;
    const retryAtMs = autoTopUpRetryAtMs(consecutiveFailures, nowMs);
    const currency = account?.currency ?? "";
    if (retryAtMs === null) {
      const config = this.#config();
      if (config) this.core.store.writeSetting("auto_top_up", { ...config, enabled: false });
      this.core.store.writeSetting("auto_top_up_status", {
        consecutiveFailures,
        retryNotBeforeMs: 0,
        lastFailureReason: failureReason,
        lastFailureNeedsAction: needsAction,
        disabledReason: `Auto top-up was switched off after ${consecutiveFailures} failed payments in a row.`,
      } satisfies AutoTopUpStatus);
      this.notices.enqueue({ kind: "auto_top_up.disabled", consecutiveFailures, failureReason });
      return;
    }
    this.core.store.writeSetting("auto_top_up_status", {
      consecutiveFailures,
      retryNotBeforeMs: retryAtMs,
      lastFailureReason: failureReason,
      lastFailureNeedsAction: needsAction,
      disabledReason: null,
    } satisfies AutoTopUpStatus);
    this.core.wakeAt(retryAtMs);
    // The first failure of a run is emailed; one that needs the admin is emailed every time.
    if (consecutiveFailures === 1 || needsAction) {
      this.notices.enqueue({
        kind: "auto_top_up.failed",
        amountMicros: payment.amountMicros,
        currency,
        failureReason,
        nextAttemptAtMs: retryAtMs,
        timeZone: account?.timeZone ?? "UTC",
        ...(needsAction ? { actionUrl: billingUrl(this.core.env, "add-credit") } : {}),
      });
    }
  }

  #reversal(
    input: ReversalInput,
    apply: (payment: PaymentView, micros: Micros) => { applied: boolean; why?: string },
  ): LedgerResult<{ applied: boolean; why?: string }> {
    return this.core.transaction(() => {
      const account = this.core.account();
      if (!account) return refuse({ reason: "account_not_found" });
      if (this.#seen(input.eventId)) return ok({ applied: false, why: "duplicate_event" });
      const payment = this.#find(input.paymentId);
      if (!payment) return ok({ applied: false, why: "unknown_payment" });
      const micros = fromStripeAmount(input.amountMinor, input.currency);
      if (input.currency !== account.currency || micros === null)
        return ok({ applied: false, why: "amount_mismatch" });
      // Only credit that was given can be taken back.
      if (payment.status !== "succeeded") return ok({ applied: false, why: "not_credited" });
      this.#record(input.eventId, payment.id);
      return ok(apply(payment, micros));
    });
  }

  /** A reversal (negative) or a restoration: its own `adjustment` movement, naming the cause. */
  #post(payment: PaymentView, amountMicros: Micros, reason: string): void {
    this.core.post({
      description: "adjustment",
      interactionId: payment.id,
      units: null,
      unitsCharged: null,
      unitPriceMicros: null,
      amountMicros,
      userId: null,
      reason,
      details: { topUpId: payment.id, gatewayRef: this.#gatewayRef(payment.id) },
    });
  }

  #reversedNotice(
    payment: PaymentView,
    amountMicros: Micros,
    cause: "refund" | "dispute" | "dispute_won",
  ) {
    const account = this.core.account();
    this.notices.enqueue({
      kind: "top_up.reversed",
      topUpId: payment.id,
      amountMicros,
      currency: account?.currency ?? "",
      cause,
      balanceMicros: account?.balanceMicros ?? 0,
    });
  }

  #blockedReason(config: AutoTopUpConfig): AutoTopUpView["blockedReason"] {
    if (config.paymentMethod) return null;
    if (!this.cards.card()) return "no_card";
    return this.cards.hold() ? "card_held" : null;
  }

  #seen(eventId: string): boolean {
    return (
      this.core.store.sql.exec("SELECT 1 FROM payment_events WHERE event_id = ?", eventId).toArray()
        .length > 0
    );
  }

  #record(eventId: string, paymentId: string): void {
    this.core.store.sql.exec(
      "INSERT INTO payment_events (event_id, payment_id, received_at_ms) VALUES (?, ?, ?)",
      eventId,
      paymentId,
      Date.now(),
    );
  }

  #attempts(id: string): number {
    return this.core.store.sql
      .exec<{ attempts: number }>("SELECT attempts FROM payments WHERE id = ?", id)
      .one().attempts;
  }

  #gatewayRef(id: string): string | null {
    return (
      this.core.store.sql
        .exec<{ gateway_ref: string | null }>("SELECT gateway_ref FROM payments WHERE id = ?", id)
        .toArray()[0]?.gateway_ref ?? null
    );
  }

  #config(): AutoTopUpConfig | null {
    const config = this.core.store.readSetting<AutoTopUpConfig>("auto_top_up");
    return config
      ? {
          ...config,
          paymentMethod: config.paymentMethod ?? null,
          maxPerDay: config.maxPerDay ?? AUTO_TOP_UPS_PER_DAY_DEFAULT,
        }
      : null;
  }

  #status(): AutoTopUpStatus {
    return this.core.store.readSetting<AutoTopUpStatus>("auto_top_up_status") ?? NO_FAILURES;
  }

  #find(id: string): PaymentView | null {
    const row = this.core.store.sql
      .exec<PaymentRow>("SELECT * FROM payments WHERE id = ?", id)
      .toArray()[0];
    return row
      ? {
          id: row.id,
          kind: row.kind,
          amountMicros: row.amount_micros,
          paymentMethod: row.payment_method,
          status: row.status,
          nextActionUrl: row.status === "pending" ? row.next_action_url : null,
          failureReason: row.failure_reason,
          createdAtMs: row.created_at_ms,
          settledAtMs: row.settled_at_ms,
          movementId: row.movement_id,
          reversedMicros: row.reversed_micros,
        }
      : null;
  }
}

/** Where the gateway sends the admin back after the bank's page: our own reconciling route. */
export function returnUrl(env: { PUBLIC_BASE_URL: string }, accountId: string, paymentId: string) {
  return new URL(
    `/payments/return/${encodeURIComponent(accountId)}/${paymentId}`,
    env.PUBLIC_BASE_URL,
  ).toString();
}

function outcomeOrRetry(
  answer: GatewayAnswer<RetrievedPayment | null>,
): PaymentOutcome | Extract<PaymentAttempt, { status: "retry" }> {
  if (answer.ok && answer.value) return answer.value.outcome;
  return {
    status: "retry",
    retryKind: answer.ok || !answer.retryable ? "gateway_unavailable" : "network",
    message: answer.ok ? "the payment was not found" : answer.message,
  };
}

interface PaymentRow extends Record<string, SqlStorageValue> {
  id: string;
  kind: PaymentKind;
  amount_micros: number;
  payment_method: string;
  status: PaymentStatus;
  next_action_url: string | null;
  failure_reason: string | null;
  created_at_ms: number;
  settled_at_ms: number | null;
  movement_id: string | null;
  reversed_micros: number;
}
