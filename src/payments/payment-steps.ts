import type { PaymentAttempt, PaymentRetryKind } from "./gateway";

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

export type Settlement = Extract<PaymentAttempt, { status: "succeeded" | "failed" }>;

/** What the ledger does with one gateway answer about a pending payment. */
export type PaymentStep =
  /** Settle it: credit it or record its failure. */
  | { step: "settle"; outcome: Settlement }
  /** Keep it pending; learn what the answer taught; ask again at `nextAttemptAtMs`, if given. */
  | {
      step: "wait";
      gatewayRef?: string | null;
      nextActionUrl?: string;
      nextAttemptAtMs?: number;
      /** Set when the outcome is unknown: logged, never guessed. */
      unknown?: { retryKind: PaymentRetryKind; message: string };
    };

/**
 * The step one gateway answer calls for, for a payment still pending. The answer to the
 * admin's own request settles nothing: the API promises a pending top-up that the
 * gateway's webhook confirms (or, failing that, a retrieval a minute later).
 */
export function paymentStep(
  payment: { createdAtMs: number },
  attempt: PaymentAttempt,
  context: { inRequest: boolean; attempts: number; nowMs: number },
): PaymentStep {
  const { inRequest, attempts, nowMs } = context;
  switch (attempt.status) {
    case "succeeded":
    case "failed":
      return inRequest
        ? { step: "wait", gatewayRef: attempt.gatewayRef }
        : { step: "settle", outcome: attempt };
    case "pending":
      return {
        step: "wait",
        gatewayRef: attempt.gatewayRef,
        nextAttemptAtMs: nowMs + PAYMENT_CONFIRMATION_WAIT_MS,
      };
    case "requires_action": {
      const deadline = payment.createdAtMs + PAYMENT_AUTHENTICATION_WAIT_MS;
      // Past the deadline the attempt has cancelled it; this answer came from before that.
      if (nowMs >= deadline) return { step: "wait" };
      return {
        step: "wait",
        gatewayRef: attempt.gatewayRef,
        nextActionUrl: attempt.nextActionUrl,
        nextAttemptAtMs: deadline,
      };
    }
    case "retry":
      // Unknown is not failed: ask again, further apart, until the gateway tells.
      return {
        step: "wait",
        nextAttemptAtMs: nowMs + paymentRetryDelayMs(attempts),
        unknown: { retryKind: attempt.retryKind, message: attempt.message },
      };
    default: {
      const unmapped: never = attempt;
      throw new Error(`unhandled payment attempt ${JSON.stringify(unmapped)}`);
    }
  }
}

/** Delay before asking again after `attempts` attempts whose outcome stayed unknown. */
export function paymentRetryDelayMs(attempts: number): number {
  return Math.min(PAYMENT_RETRY_BASE_MS * 2 ** (attempts - 1), PAYMENT_RECONCILE_MAX_INTERVAL_MS);
}
