import { describe, expect, it } from "vitest";
import type { PaymentAttempt } from "../../src/payments/gateway";
import {
  PAYMENT_AUTHENTICATION_WAIT_MS,
  PAYMENT_CONFIRMATION_WAIT_MS,
  PAYMENT_RECONCILE_MAX_INTERVAL_MS,
  type PaymentStep,
  paymentStep,
  paymentRetryDelayMs,
} from "../../src/payments/payment-steps";

const CREATED = 1_800_000_000_000;
const NOW = CREATED + 60_000;
const payment = { createdAtMs: CREATED };

const succeeded: PaymentAttempt = { status: "succeeded", gatewayRef: "pi_1" };
const failed: PaymentAttempt = {
  status: "failed",
  gatewayRef: "pi_1",
  failureCode: "declined",
  failureReason: "The card was declined.",
};
const challenge: PaymentAttempt = {
  status: "requires_action",
  gatewayRef: "pi_1",
  nextActionUrl: "https://bank.test/3ds",
};

describe("paymentStep: what one gateway answer does to a pending payment", () => {
  it.each<
    [string, PaymentAttempt, { inRequest: boolean; attempts: number; nowMs: number }, PaymentStep]
  >([
    [
      "a success settles it",
      succeeded,
      { inRequest: false, attempts: 1, nowMs: NOW },
      { step: "settle", outcome: succeeded },
    ],
    [
      "a failure settles it",
      failed,
      { inRequest: false, attempts: 1, nowMs: NOW },
      { step: "settle", outcome: failed },
    ],
    [
      "in the admin's own request a success only teaches the reference",
      succeeded,
      { inRequest: true, attempts: 1, nowMs: NOW },
      { step: "wait", gatewayRef: "pi_1" },
    ],
    [
      "in the admin's own request a failure only teaches the reference",
      failed,
      { inRequest: true, attempts: 1, nowMs: NOW },
      { step: "wait", gatewayRef: "pi_1" },
    ],
    [
      "pending waits for the webhook, then asks again",
      { status: "pending", gatewayRef: "pi_2" },
      { inRequest: false, attempts: 1, nowMs: NOW },
      { step: "wait", gatewayRef: "pi_2", nextAttemptAtMs: NOW + PAYMENT_CONFIRMATION_WAIT_MS },
    ],
    [
      "the bank's challenge waits for the cardholder until the deadline",
      challenge,
      { inRequest: true, attempts: 1, nowMs: NOW },
      {
        step: "wait",
        gatewayRef: "pi_1",
        nextActionUrl: "https://bank.test/3ds",
        nextAttemptAtMs: CREATED + PAYMENT_AUTHENTICATION_WAIT_MS,
      },
    ],
    [
      "a challenge answered after the deadline changes nothing (the attempt cancelled it)",
      challenge,
      { inRequest: false, attempts: 3, nowMs: CREATED + PAYMENT_AUTHENTICATION_WAIT_MS },
      { step: "wait" },
    ],
    [
      "an unknown outcome is asked about again, never guessed",
      { status: "retry", retryKind: "network", message: "connection reset" },
      { inRequest: false, attempts: 3, nowMs: NOW },
      {
        step: "wait",
        nextAttemptAtMs: NOW + paymentRetryDelayMs(3),
        unknown: { retryKind: "network", message: "connection reset" },
      },
    ],
  ])("%s", (_name, attempt, context, expected) => {
    expect(paymentStep(payment, attempt, context)).toEqual(expected);
  });

  it.each([
    [1, 5_000],
    [2, 10_000],
    [3, 20_000],
    [12, PAYMENT_RECONCILE_MAX_INTERVAL_MS],
  ])("after %i unknown attempts the next is %i ms later", (attempts, delayMs) => {
    expect(paymentRetryDelayMs(attempts)).toBe(delayMs);
  });
});
