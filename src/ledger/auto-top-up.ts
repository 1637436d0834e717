import {
  AUTO_TOP_UPS_PER_DAY_DEFAULT,
  decideAutoTopUp,
  type AutoTopUpConfig,
} from "../payments/auto-top-up-policy";
import type { Micros } from "../money";
import type { CardOnFile } from "./card-on-file";
import type { LedgerCore } from "./core";
import { randomId } from "./ids";
import type { PaymentKind, PaymentStore, PaymentView } from "./payment-store";
import { availableMicros } from "./posting";
import type { LedgerStore } from "./store";

const DAY_MS = 86_400_000;

export interface AutoTopUpStatus {
  consecutiveFailures: number;
  retryNotBeforeMs: number;
  lastFailureReason: string | null;
  /** The last failure was a bank asking for the cardholder: the admin must act. */
  lastFailureNeedsAction?: boolean;
  /** Set when auto top-up switched itself off after repeated failures. */
  disabledReason: string | null;
}

export const NO_FAILURES: AutoTopUpStatus = {
  consecutiveFailures: 0,
  retryNotBeforeMs: 0,
  lastFailureReason: null,
  disabledReason: null,
};

/** The admin's auto top-up settings, with the defaults of fields added since they were saved. */
export function autoTopUpConfig(store: LedgerStore): AutoTopUpConfig | null {
  const config = store.readSetting("auto_top_up");
  return config
    ? {
        ...config,
        paymentMethod: config.paymentMethod ?? null,
        maxPerDay: config.maxPerDay ?? AUTO_TOP_UPS_PER_DAY_DEFAULT,
      }
    : null;
}

export function autoTopUpStatus(store: LedgerStore): AutoTopUpStatus {
  return store.readSetting("auto_top_up_status") ?? NO_FAILURES;
}

/** Writes a new pending payment, due for its first attempt at once. */
export function startPayment(
  core: LedgerCore,
  payments: PaymentStore,
  payment: { kind: PaymentKind; amountMicros: Micros; paymentMethod: string },
  nowMs: number,
): PaymentView {
  const id = randomId(payment.kind === "auto" ? "atu" : "top");
  payments.insert({ ...payment, id, createdAtMs: nowMs });
  core.wakeAt(nowMs);
  return payments.find(id) as PaymentView;
}

/**
 * The second of the checks after every change of money (unit-of-work.ts): starts an auto
 * top-up when the available credit is below the threshold and none is in flight. It runs
 * inside the transaction of the change, so concurrent debits start one payment between them.
 */
export class AutoTopUpCheck {
  constructor(
    private readonly core: LedgerCore,
    private readonly payments: PaymentStore,
    private readonly cards: CardOnFile,
  ) {}

  check(nowMs: number): void {
    const account = this.core.account();
    const config = autoTopUpConfig(this.core.store);
    // The common case, on every debit: nothing to do, decided without a query.
    if (!account || !config?.enabled || availableMicros(account) >= config.thresholdMicros) return;
    const paymentMethod = config.paymentMethod ?? this.cards.chargeableRef();
    // No card, or one on hold: the status line says so, and nothing is tried.
    if (!paymentMethod) return;
    const pending = this.payments.pendingTotals();
    const status = autoTopUpStatus(this.core.store);
    const decision = decideAutoTopUp(
      config,
      {
        inFlight: pending.some((p) => p.kind === "auto"),
        consecutiveFailures: status.consecutiveFailures,
        retryNotBeforeMs: status.retryNotBeforeMs,
        startedTodayCount: this.payments.autoStartedSince(nowMs - (nowMs % DAY_MS)),
      },
      availableMicros(account),
      pending.reduce((sum, p) => sum + p.total, 0),
      account.currency,
      nowMs,
    );
    if (decision.start)
      startPayment(
        this.core,
        this.payments,
        { kind: "auto", amountMicros: decision.amountMicros, paymentMethod },
        nowMs,
      );
  }
}
