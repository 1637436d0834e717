import type { Micros } from "../money";
import { autoTopUpRetryAtMs, type AutoTopUpConfig } from "../payments/auto-top-up-policy";
import type {
  GatewayAnswer,
  PaymentAttempt,
  PaymentEvent,
  PaymentOutcome,
  RetrievedPayment,
} from "../payments/gateway";
import {
  PAYMENT_ATTEMPT_TIMEOUT_MS,
  PAYMENT_AUTHENTICATION_WAIT_MS,
  PAYMENT_IDEMPOTENCY_WINDOW_MS,
  paymentStep,
  type Settlement,
} from "../payments/payment-steps";
import { fromStripeAmount } from "../payments/stripe-currencies";
import {
  autoTopUpConfig,
  autoTopUpStatus,
  NO_FAILURES,
  startPayment,
  type AutoTopUpStatus,
} from "./auto-top-up";
import { billingUrl, type CardOnFile } from "./card-on-file";
import type { LedgerCore } from "./core";
import type { LedgerGateway } from "./gateway-access";
import { byIdempotencyKey, type IdempotentCommand } from "./idempotency";
import type { Notices } from "./notices";
import type { PaymentStore, PaymentView } from "./payment-store";
import { ok, refuse, type LedgerResult } from "./types";
import type { Commands, Work } from "./unit-of-work";

export type { AutoTopUpStatus } from "./auto-top-up";
export type { PaymentKind, PaymentStatus, PaymentView } from "./payment-store";

export const AUTHENTICATION_ABANDONED_REASON =
  "The bank's authentication was not completed within 30 minutes; nothing was charged.";
export const NO_CHARGE_MADE_REASON =
  "The payment provider has no record of this payment; no charge was made.";

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

type Applied = { applied: boolean; why?: string };

/**
 * Top-ups: one-time payments an admin asks for (on-session, charged at once so the bank's
 * authentication can happen in the browser) and auto top-ups the ledger starts itself
 * (off-session, auto-top-up.ts, from the alarm). A payment row is written first (pending);
 * the gateway is called with the payment id as its idempotency key; the credit is posted
 * exactly once, by whichever of the gateway's answer, a retrieval or its webhook settles
 * the payment first. An unknown outcome is never guessed: it is retrieved at the gateway
 * until known. The tables are payment-store.ts's; what an answer means is paymentStep's
 * (payments/payment-steps.ts); this class calls the gateway and applies the steps.
 */
export class TopUps {
  constructor(
    private readonly core: LedgerCore,
    private readonly commands: Commands,
    private readonly payments: PaymentStore,
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
    const nowMs = Date.now();
    const created = this.commands.run(nowMs, () => {
      if (!this.core.account()) return refuse<PaymentView>({ reason: "account_not_found" });
      return byIdempotencyKey<PaymentView>(this.core.store, command, nowMs, () => {
        const paymentMethod = command.paymentMethod ?? this.cards.card()?.paymentMethodRef;
        if (!paymentMethod) return refuse({ reason: "no_payment_method" });
        return ok(
          startPayment(
            this.core,
            this.payments,
            { kind: "one-time", amountMicros: command.amountMicros, paymentMethod },
            nowMs,
          ),
        );
      });
    });
    if (!created.ok) return created;
    const payment = this.payments.find(created.value.id);
    if (payment?.status === "pending" && this.payments.attempts(payment.id) === 0)
      await this.#attempt(payment.id, Date.now(), { inRequest: true });
    return ok(this.payments.find(created.value.id) ?? created.value);
  }

  get(id: string): LedgerResult<PaymentView> {
    if (!this.core.account()) return refuse({ reason: "account_not_found" });
    const payment = this.payments.find(id);
    return payment ? ok(payment) : refuse({ reason: "top_up_not_found" });
  }

  /**
   * The admin is back from the bank's page: ask the gateway how the payment stands rather
   * than trust the redirect. Safe in any order with the webhook.
   */
  async reconcile(id: string): Promise<LedgerResult<PaymentView>> {
    const payment = this.payments.find(id);
    if (!this.core.account() || !payment) return this.get(id);
    if (payment.status === "pending") await this.#attempt(id, Date.now());
    return this.get(id);
  }

  /**
   * Applies a verified gateway event. The same event twice, an event for a payment this
   * ledger never started, or one whose amount does not match changes nothing.
   */
  confirm(event: PaymentEvent): LedgerResult<Applied> {
    const nowMs = Date.now();
    return this.commands.run(nowMs, (work) => {
      const account = this.core.account();
      if (!account) return refuse<Applied>({ reason: "account_not_found" });
      if (this.payments.seen(event.eventId)) return ok({ applied: false, why: "duplicate_event" });
      const payment = this.payments.find(event.paymentId);
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
      this.payments.record(event.eventId, payment.id, nowMs);
      const applied =
        event.outcome === "succeeded"
          ? this.#settle(work, payment, { status: "succeeded", gatewayRef: event.gatewayRef })
          : this.#settle(work, payment, {
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
  refunded(input: ReversalInput): LedgerResult<Applied> {
    return this.#reversal(input, (work, payment, micros) => {
      const due = Math.min(micros, payment.amountMicros) - payment.reversedMicros;
      if (due <= 0) return { applied: false, why: "already_reversed" };
      this.#post(
        work,
        payment,
        -due,
        `refund of top-up ${payment.id} (gateway event ${input.eventId})`,
      );
      this.payments.addReversed(payment.id, due);
      this.#reversedNotice(payment, -due, "refund");
      return { applied: true };
    });
  }

  /** A dispute takes its amount back once; won, it gives it back once. */
  disputed(
    input: ReversalInput & { disputeRef: string; status: "open" | "won" | "lost" },
  ): LedgerResult<Applied> {
    return this.#reversal(input, (work, payment, micros) => {
      const known = this.payments.dispute(input.disputeRef);
      let applied = false;
      if (!known) {
        // Whatever status it arrives with, a dispute first withdraws its amount.
        const amount = Math.min(micros, payment.amountMicros);
        this.#post(
          work,
          payment,
          -amount,
          `dispute of top-up ${payment.id} (gateway event ${input.eventId})`,
        );
        this.payments.openDispute(input.disputeRef, payment.id, amount, work.nowMs);
        this.payments.addReversed(payment.id, amount);
        this.#reversedNotice(payment, -amount, "dispute");
        applied = true;
      }
      const current = known?.status ?? "open";
      if (current === "open" && input.status !== "open") {
        this.payments.closeDispute(input.disputeRef, input.status);
        if (input.status === "won") {
          const amount = known?.amountMicros ?? Math.min(micros, payment.amountMicros);
          this.#post(
            work,
            payment,
            amount,
            `dispute won for top-up ${payment.id} (gateway event ${input.eventId})`,
          );
          this.payments.addReversed(payment.id, -amount);
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
  fraudWarning(eventId: string, paymentId: string): LedgerResult<Applied> {
    const nowMs = Date.now();
    return this.commands.run(nowMs, () => {
      if (!this.core.account()) return refuse<Applied>({ reason: "account_not_found" });
      if (this.payments.seen(eventId)) return ok({ applied: false, why: "duplicate_event" });
      const payment = this.payments.find(paymentId);
      if (!payment) return ok({ applied: false, why: "unknown_payment" });
      this.payments.record(eventId, paymentId, nowMs);
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
    const nowMs = Date.now();
    const result = this.commands.run(nowMs, (work) => {
      if (!this.core.account()) return refuse<null>({ reason: "account_not_found" });
      this.core.store.writeSetting("auto_top_up", config);
      // Saving the settings is the admin's answer to a failure or a warning: start over.
      this.core.store.writeSetting("auto_top_up_status", NO_FAILURES);
      this.core.store.deleteSetting("card_hold");
      this.cards.checkExpiry(nowMs, config.enabled);
      // The threshold may now be above the available credit, and it is the default low level.
      work.recheckMoney();
      return ok(null);
    });
    // Read after the checks, so a top-up they started shows as in flight.
    return result.ok ? ok(this.autoTopUpView()) : result;
  }

  autoTopUpView(): AutoTopUpView {
    const config = autoTopUpConfig(this.core.store);
    return {
      config,
      status: autoTopUpStatus(this.core.store),
      inFlight: this.payments.pendingAuto(),
      blockedReason: config?.enabled ? this.#blockedReason(config) : null,
    };
  }

  // Alarm ---------------------------------------------------------------------------------

  async onAlarm(nowMs: number): Promise<number | null> {
    for (const id of this.payments.dueIds(nowMs)) await this.#attempt(id, nowMs);
    const status = autoTopUpStatus(this.core.store);
    // A failed auto top-up's wait is over: the checks may start the next one.
    if (status.retryNotBeforeMs > 0 && status.retryNotBeforeMs <= nowMs)
      this.commands.run(nowMs, (work) => work.recheckMoney());
    const next = this.payments.nextAttemptAtMs();
    const retryNotBeforeMs = autoTopUpStatus(this.core.store).retryNotBeforeMs;
    const retryAt = retryNotBeforeMs > nowMs ? retryNotBeforeMs : null;
    const candidates = [next, retryAt].filter((t): t is number => t !== null);
    return candidates.length > 0 ? Math.min(...candidates) : null;
  }

  // Internals -----------------------------------------------------------------------------

  /**
   * One step towards knowing a pending payment's outcome; safe to repeat. Never charged yet:
   * create it (idempotency key = id). Charged: retrieve it. No answer ever came and the
   * gateway's idempotency window is closing: look it up by our id instead of creating again.
   */
  async #attempt(id: string, nowMs: number, options: { inRequest?: boolean } = {}): Promise<void> {
    const account = this.core.account();
    const payment = this.payments.find(id);
    if (!account || !payment || payment.status !== "pending") return;
    const gatewayRef = this.payments.gatewayRef(id);
    // Before the call, so a crash during it leads to one more (idempotent) call, not none.
    this.payments.countAttempt(id, nowMs + PAYMENT_ATTEMPT_TIMEOUT_MS);
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
    // After the gateway's answer, time has moved on: the step is decided at its arrival.
    this.commands.run(Date.now(), (work) =>
      this.#learn(work, id, attempt, options.inRequest ?? false),
    );
  }

  /** Applies what one gateway answer tells about a pending payment (paymentStep). */
  #learn(work: Work, id: string, attempt: PaymentAttempt, inRequest: boolean): void {
    const current = this.payments.find(id);
    if (current?.status !== "pending") return;
    const attempts = this.payments.attempts(id);
    const next = paymentStep(current, attempt, { inRequest, attempts, nowMs: work.nowMs });
    if (next.step === "settle") {
      this.#settle(work, current, next.outcome);
      return;
    }
    const { step: _step, unknown, ...learnt } = next;
    this.payments.update(id, learnt);
    if (unknown)
      console.warn(
        JSON.stringify({ event: "payment_outcome_unknown", paymentId: id, attempts, ...unknown }),
      );
  }

  /**
   * Settles a payment once; returns false when nothing changed. A success reported after
   * the payment was given up (abandoned, or a retrieval that found nothing yet) is still
   * credited, once, and the operator is alerted: money was taken, so it must show.
   */
  #settle(work: Work, payment: PaymentView, outcome: Settlement): boolean {
    const late = payment.status === "failed" && outcome.status === "succeeded";
    if (payment.status !== "pending" && !late) return false;
    if (outcome.status === "succeeded") {
      const movement = work.post({
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
      this.payments.succeeded(payment.id, outcome.gatewayRef, movement.id, work.nowMs);
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
    this.payments.failed(payment.id, outcome.gatewayRef, outcome.failureReason, work.nowMs);
    if (payment.kind === "auto") this.#autoTopUpFailed(payment, outcome, work.nowMs);
    return true;
  }

  /** Backs off, tells the admin once, and after too many failures in a row switches off. */
  #autoTopUpFailed(
    payment: PaymentView,
    outcome: Settlement & { status: "failed" },
    nowMs: number,
  ) {
    const account = this.core.account();
    const previous = autoTopUpStatus(this.core.store);
    const failureReason = outcome.failureReason;
    const needsAction = outcome.failureCode === "requires_action";
    const consecutiveFailures = previous.consecutiveFailures + 1;
    const retryAtMs = autoTopUpRetryAtMs(consecutiveFailures, nowMs);
    const currency = account?.currency ?? "";
    if (retryAtMs === null) {
      const config = autoTopUpConfig(this.core.store);
      if (config) this.core.store.writeSetting("auto_top_up", { ...config, enabled: false });
      this.core.store.writeSetting("auto_top_up_status", {
        consecutiveFailures,
        retryNotBeforeMs: 0,
        lastFailureReason: failureReason,
        lastFailureNeedsAction: needsAction,
        disabledReason: `Auto top-up was switched off after ${consecutiveFailures} failed payments in a row.`,
      });
      this.notices.enqueue({ kind: "auto_top_up.disabled", consecutiveFailures, failureReason });
      return;
    }
    this.core.store.writeSetting("auto_top_up_status", {
      consecutiveFailures,
      retryNotBeforeMs: retryAtMs,
      lastFailureReason: failureReason,
      lastFailureNeedsAction: needsAction,
      disabledReason: null,
    });
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
    apply: (work: Work, payment: PaymentView, micros: Micros) => Applied,
  ): LedgerResult<Applied> {
    const nowMs = Date.now();
    return this.commands.run(nowMs, (work) => {
      const account = this.core.account();
      if (!account) return refuse<Applied>({ reason: "account_not_found" });
      if (this.payments.seen(input.eventId)) return ok({ applied: false, why: "duplicate_event" });
      const payment = this.payments.find(input.paymentId);
      if (!payment) return ok({ applied: false, why: "unknown_payment" });
      const micros = fromStripeAmount(input.amountMinor, input.currency);
      if (input.currency !== account.currency || micros === null)
        return ok({ applied: false, why: "amount_mismatch" });
      // Only credit that was given can be taken back.
      if (payment.status !== "succeeded") return ok({ applied: false, why: "not_credited" });
      this.payments.record(input.eventId, payment.id, nowMs);
      return ok(apply(work, payment, micros));
    });
  }

  /** A reversal (negative) or a restoration: its own `adjustment` movement, naming the cause. */
  #post(work: Work, payment: PaymentView, amountMicros: Micros, reason: string): void {
    work.post({
      description: "adjustment",
      interactionId: payment.id,
      units: null,
      unitsCharged: null,
      unitPriceMicros: null,
      amountMicros,
      userId: null,
      reason,
      details: { topUpId: payment.id, gatewayRef: this.payments.gatewayRef(payment.id) },
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
