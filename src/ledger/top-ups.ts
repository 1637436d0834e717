import type { Micros } from "../money";
import {
  AUTO_TOP_UPS_PER_DAY_DEFAULT,
  autoTopUpRetryAtMs,
  decideAutoTopUp,
  type AutoTopUpConfig,
} from "../payments/auto-top-up-policy";
import type { PaymentAttempt, PaymentEvent, PaymentGateway } from "../payments/gateway";
import { gatewayFor } from "../payments";
import type { IdempotentCommand, LedgerCore } from "./core";
import { randomId } from "./ids";
import type { Notices } from "./notices";
import { availableMicros } from "./posting";
import { ok, refuse, type LedgerResult } from "./types";

/** A gateway call that neither answered nor confirmed by then is asked again (same key). */
export const PAYMENT_ATTEMPT_TIMEOUT_MS = 60_000;
/** Retries of a payment whose outcome the gateway would not tell (timeouts, 5xx). */
export const PAYMENT_ATTEMPTS_MAX = 6;
const PAYMENT_RETRY_BASE_MS = 5_000;
/** A pending payment no webhook has settled is asked about again after this long. */
export const PAYMENT_CONFIRMATION_WAIT_MS = 30 * 60_000;
const DAY_MS = 86_400_000;

export type PaymentKind = "one-time" | "auto";
export type PaymentStatus = "pending" | "succeeded" | "failed";

export interface PaymentView {
  id: string;
  kind: PaymentKind;
  amountMicros: Micros;
  paymentMethod: string;
  status: PaymentStatus;
  failureReason: string | null;
  createdAtMs: number;
  settledAtMs: number | null;
  movementId: string | null;
}

export interface AutoTopUpStatus {
  consecutiveFailures: number;
  retryNotBeforeMs: number;
  lastFailureReason: string | null;
  /** Set when auto top-up switched itself off after repeated failures. */
  disabledReason: string | null;
}

export interface AutoTopUpView {
  config: AutoTopUpConfig | null;
  status: AutoTopUpStatus;
  inFlight: PaymentView | null;
}

export interface TopUpCommand extends IdempotentCommand {
  amountMicros: Micros;
  paymentMethod: string | null;
}

const NO_FAILURES: AutoTopUpStatus = {
  consecutiveFailures: 0,
  retryNotBeforeMs: 0,
  lastFailureReason: null,
  disabledReason: null,
};

/**
 * Top-ups: one-time payments an admin asks for and auto top-ups the ledger starts itself.
 * A payment row is written first (pending); the alarm calls the gateway with the payment
 * id as its idempotency key, and the credit is posted exactly once, by whichever of the
 * gateway's answer or its webhook settles the payment first.
 */
export class TopUps {
  #gateway: PaymentGateway | undefined;

  constructor(
    private readonly core: LedgerCore,
    private readonly notices: Notices,
    private readonly selfFetch: (request: Request) => Promise<Response>,
  ) {}

  // One-time top-ups ----------------------------------------------------------------------

  request(command: TopUpCommand): LedgerResult<PaymentView> {
    return this.core.idempotent(command, () => {
      const paymentMethod = command.paymentMethod ?? this.savedPaymentMethod();
      if (!paymentMethod) return refuse({ reason: "no_payment_method" });
      return ok(this.#createPayment("one-time", command.amountMicros, paymentMethod));
    });
  }

  get(id: string): LedgerResult<PaymentView> {
    if (!this.core.account()) return refuse({ reason: "account_not_found" });
    const payment = this.#find(id);
    return payment ? ok(payment) : refuse({ reason: "top_up_not_found" });
  }

  savedPaymentMethod(): string | null {
    return this.core.store.readSetting<string>("payment_method") ?? null;
  }

  setSavedPaymentMethod(paymentMethod: string): void {
    this.core.store.writeSetting("payment_method", paymentMethod);
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
      const sql = this.core.store.sql;
      if (
        sql.exec("SELECT 1 FROM payment_events WHERE event_id = ?", event.eventId).toArray()
          .length > 0
      ) {
        return ok({ applied: false, why: "duplicate_event" });
      }
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
      sql.exec(
        "INSERT INTO payment_events (event_id, payment_id, received_at_ms) VALUES (?, ?, ?)",
        event.eventId,
        payment.id,
        Date.now(),
      );
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

  // Auto top-up ---------------------------------------------------------------------------

  configureAutoTopUp(config: AutoTopUpConfig): LedgerResult<AutoTopUpView> {
    return this.core.transaction(() => {
      if (!this.core.account()) return refuse<AutoTopUpView>({ reason: "account_not_found" });
      this.core.store.writeSetting("auto_top_up", config);
      this.setSavedPaymentMethod(config.paymentMethod);
      // Saving the settings is the admin's answer to a failure: start over.
      this.core.store.writeSetting("auto_top_up_status", NO_FAILURES);
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
    return {
      config: this.#config(),
      status: this.#status(),
      inFlight: inFlight ? this.#find(inFlight.id) : null,
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
    if (decision.start) this.#createPayment("auto", decision.amountMicros, config.paymentMethod);
  }

  // Alarm ---------------------------------------------------------------------------------

  async onAlarm(nowMs: number): Promise<number | null> {
    const sql = this.core.store.sql;
    for (const webhook of sql
      .exec<{ id: number; body: string }>(
        "SELECT id, body FROM sandbox_webhooks WHERE deliver_at_ms <= ? ORDER BY id",
        nowMs,
      )
      .toArray()) {
      sql.exec("DELETE FROM sandbox_webhooks WHERE id = ?", webhook.id);
      await this.#sandboxDeliver(webhook.body);
    }
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
        `SELECT min(at) AS at FROM (
           SELECT min(next_attempt_at_ms) AS at FROM payments WHERE status = 'pending'
           UNION ALL SELECT min(deliver_at_ms) FROM sandbox_webhooks)`,
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

  /** One call to the gateway for a pending payment; safe to repeat (idempotency key = id). */
  async #attempt(id: string, nowMs: number): Promise<void> {
    const account = this.core.account();
    const payment = this.#find(id);
    if (!account || !payment || payment.status !== "pending") return;
    // Before the call, so a crash during it leads to one more (idempotent) call, not none.
    this.core.store.sql.exec(
      "UPDATE payments SET attempts = attempts + 1, next_attempt_at_ms = ? WHERE id = ?",
      nowMs + PAYMENT_ATTEMPT_TIMEOUT_MS,
      id,
    );
    let attempt: PaymentAttempt;
    try {
      attempt = await this.#gatewayFor().createPayment({
        paymentId: id,
        accountId: account.accountId,
        amountMicros: payment.amountMicros,
        currency: account.currency,
        paymentMethod: payment.paymentMethod,
        description: payment.kind === "auto" ? "Auto top-up of credit" : "Credit top-up",
      });
    } catch (error) {
      attempt = { status: "retry", retryKind: "network", message: String(error) };
    }
    this.core.transaction(() => {
      const current = this.#find(id);
      if (!current || current.status !== "pending") return;
      const attempts = this.core.store.sql
        .exec<{ attempts: number }>("SELECT attempts FROM payments WHERE id = ?", id)
        .one().attempts;
      switch (attempt.status) {
        case "succeeded":
        case "failed":
          this.#settle(current, attempt);
          return;
        case "pending":
          this.core.store.sql.exec(
            "UPDATE payments SET gateway_ref = ?, next_attempt_at_ms = ? WHERE id = ?",
            attempt.gatewayRef,
            Date.now() + PAYMENT_CONFIRMATION_WAIT_MS,
            id,
          );
          return;
        case "retry":
          if (attempts >= PAYMENT_ATTEMPTS_MAX) {
            this.#settle(current, {
              status: "failed",
              gatewayRef: null,
              failureCode: "gateway_rejected",
              failureReason: "The payment provider could not be reached; no charge was made.",
            });
          } else {
            this.core.store.sql.exec(
              "UPDATE payments SET next_attempt_at_ms = ? WHERE id = ?",
              Date.now() + PAYMENT_RETRY_BASE_MS * 2 ** (attempts - 1),
              id,
            );
          }
          return;
        default: {
          const unmapped: never = attempt;
          throw new Error(`unhandled payment attempt ${JSON.stringify(unmapped)}`);
        }
      }
    });
  }

  /** Settles a pending payment once; returns false when it was already settled. */
  #settle(
    payment: PaymentView,
    outcome: Extract<PaymentAttempt, { status: "succeeded" | "failed" }>,
  ): boolean {
    if (payment.status !== "pending") return false;
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
        "UPDATE payments SET status = 'succeeded', gateway_ref = ?, settled_at_ms = ?, movement_id = ?, next_attempt_at_ms = NULL WHERE id = ?",
        outcome.gatewayRef,
        now,
        movement.id,
        payment.id,
      );
      if (payment.kind === "auto") this.core.store.writeSetting("auto_top_up_status", NO_FAILURES);
      return true;
    }
    sql.exec(
      "UPDATE payments SET status = 'failed', gateway_ref = coalesce(?, gateway_ref), failure_reason = ?, settled_at_ms = ?, next_attempt_at_ms = NULL WHERE id = ?",
      outcome.gatewayRef,
      outcome.failureReason,
      now,
      payment.id,
    );
    if (payment.kind === "auto") this.#autoTopUpFailed(payment, outcome.failureReason, now);
    return true;
  }

  /** Backs off, tells the admin once, and after too many failures in a row switches off. */
  #autoTopUpFailed(payment: PaymentView, failureReason: string, nowMs: number): void {
    const account = this.core.account();
    const previous = this.#status();
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
        disabledReason: `Auto top-up was switched off after ${consecutiveFailures} failed payments in a row.`,
      } satisfies AutoTopUpStatus);
      this.notices.enqueue({ kind: "auto_top_up.disabled", consecutiveFailures, failureReason });
      return;
    }
    this.core.store.writeSetting("auto_top_up_status", {
      consecutiveFailures,
      retryNotBeforeMs: retryAtMs,
      lastFailureReason: failureReason,
      disabledReason: null,
    } satisfies AutoTopUpStatus);
    this.core.wakeAt(retryAtMs);
    if (consecutiveFailures === 1) {
      this.notices.enqueue({
        kind: "auto_top_up.failed",
        amountMicros: payment.amountMicros,
        currency,
        failureReason,
        nextAttemptAtMs: retryAtMs,
        timeZone: account?.timeZone ?? "UTC",
      });
    }
  }

  #gatewayFor(): PaymentGateway {
    this.#gateway ??= gatewayFor(this.core.env, {
      sandbox: {
        // The sandbox's confirmations wait in a table and go out from the alarm, through
        // the Worker's own webhook route, as a real gateway's would.
        schedule: (webhook) => {
          this.core.store.sql.exec(
            "INSERT INTO sandbox_webhooks (deliver_at_ms, body) VALUES (?, ?)",
            webhook.deliverAtMs,
            webhook.body,
          );
          this.core.wakeAt(webhook.deliverAtMs);
        },
        deliver: (request) => this.selfFetch(request),
      },
    });
    return this.#gateway;
  }

  async #sandboxDeliver(body: string): Promise<void> {
    const gateway = this.#gatewayFor();
    if (!("deliverWebhook" in gateway)) return;
    try {
      await (
        gateway as { deliverWebhook(w: { deliverAtMs: number; body: string }): Promise<unknown> }
      ).deliverWebhook({
        deliverAtMs: Date.now(),
        body,
      });
    } catch (error) {
      console.warn(JSON.stringify({ event: "sandbox_webhook_failed", error: String(error) }));
    }
  }

  autoTopUpConfig(): AutoTopUpConfig | null {
    return this.#config();
  }

  #config(): AutoTopUpConfig | null {
    const config = this.core.store.readSetting<AutoTopUpConfig>("auto_top_up");
    return config
      ? { ...config, maxPerDay: config.maxPerDay ?? AUTO_TOP_UPS_PER_DAY_DEFAULT }
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
          failureReason: row.failure_reason,
          createdAtMs: row.created_at_ms,
          settledAtMs: row.settled_at_ms,
          movementId: row.movement_id,
        }
      : null;
  }
}

interface PaymentRow extends Record<string, SqlStorageValue> {
  id: string;
  kind: PaymentKind;
  amount_micros: number;
  payment_method: string;
  status: PaymentStatus;
  failure_reason: string | null;
  created_at_ms: number;
  settled_at_ms: number | null;
  movement_id: string | null;
}
