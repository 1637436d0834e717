import { env } from "cloudflare:workers";
import { beforeEach, describe, expect, it } from "vitest";
import type { PaymentRequest } from "../../src/payments/gateway";
import {
  SANDBOX_DECLINE_MESSAGE,
  SANDBOX_LATE_CONFIRMATION_MS,
  SandboxGateway,
  type SandboxWebhook,
} from "../../src/payments/sandbox";
import { SIGNATURE_TOLERANCE_SECONDS } from "../../src/payments/webhook-signature";

const SECRET = "whsec_dev_sandbox";
const WEBHOOK_URL = "http://localhost:8787/v1/webhooks/payments";

/** A sandbox with a hand-driven clock and a queue of scheduled webhooks, so no test sleeps. */
function harness(startMs = 1_800_000_000_000) {
  const clock = { nowMs: startMs };
  const scheduled: SandboxWebhook[] = [];
  const delivered: Request[] = [];
  const gateway = new SandboxGateway({
    webhookSecret: SECRET,
    webhookUrl: WEBHOOK_URL,
    baseUrl: "http://localhost:8787",
    db: env.DB,
    nowMs: () => clock.nowMs,
    schedule: (webhook) => {
      scheduled.push(webhook);
    },
    deliver: async (request) => {
      delivered.push(request);
      return new Response(null, { status: 200 });
    },
  });
  /** Delivers every webhook due by now, as a DO alarm would. */
  async function runDue(): Promise<Request[]> {
    const due = scheduled.filter((w) => w.deliverAtMs <= clock.nowMs);
    for (const webhook of due) {
      scheduled.splice(scheduled.indexOf(webhook), 1);
      await gateway.deliverWebhook(webhook);
    }
    return delivered.splice(0);
  }
  return { clock, scheduled, gateway, runDue };
}

function payment(paymentMethod: string, overrides: Partial<PaymentRequest> = {}): PaymentRequest {
  return {
    paymentId: "pay_1",
    accountId: "acc_1",
    amountMicros: 25_000_000,
    currency: "EUR",
    paymentMethod,
    description: "Credit top-up",
    ...overrides,
  };
}

async function receive(h: ReturnType<typeof harness>, request: Request) {
  expect(request.method).toBe("POST");
  expect(request.url).toBe(WEBHOOK_URL);
  const parsed = await h.gateway.parseWebhook(await request.text(), request.headers, h.clock.nowMs);
  return parsed.ok && parsed.event.kind === "payment"
    ? { ok: true, event: parsed.event.event }
    : parsed;
}

describe("sandbox gateway", () => {
  // Every test charges "pay_1"; the sandbox remembers payments, as Stripe does.
  beforeEach(async () => {
    await env.DB.exec("DELETE FROM sandbox_payment_intents");
  });

  it("pm_card_visa succeeds and confirms through a signed payment_intent.succeeded webhook", async () => {
    const h = harness();
    const attempt = await h.gateway.createPayment(payment("pm_card_visa"));
    expect(attempt).toEqual({ status: "succeeded", gatewayRef: "pi_sandbox_pay_1" });

    const [request, ...rest] = await h.runDue();
    expect(rest).toHaveLength(0);
    const body = JSON.parse(await request!.clone().text());
    expect(body).toMatchObject({
      object: "event",
      type: "payment_intent.succeeded",
      data: {
        object: {
          object: "payment_intent",
          amount: 2500,
          currency: "eur",
          metadata: { paymentId: "pay_1", accountId: "acc_1" },
        },
      },
    });
    expect(request!.headers.get("Stripe-Signature")).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);
    expect(await receive(h, request!)).toEqual({
      ok: true,
      event: {
        eventId: "evt_sandbox_pay_1_succeeded",
        paymentId: "pay_1",
        accountId: "acc_1",
        gatewayRef: "pi_sandbox_pay_1",
        outcome: "succeeded",
        amountMinor: 2500,
        amountMicros: 25_000_000,
        currency: "EUR",
      },
    });
  });

  it("does not send the webhook before createPayment has answered", async () => {
    const h = harness();
    await h.gateway.createPayment(payment("pm_card_visa"));
    expect(h.scheduled).toHaveLength(1);
    expect(h.scheduled[0]!.deliverAtMs).toBe(h.clock.nowMs);
  });

  it("pm_card_chargeDeclined fails with the card's message and a payment_failed webhook", async () => {
    const h = harness();
    expect(await h.gateway.createPayment(payment("pm_card_chargeDeclined"))).toEqual({
      status: "failed",
      gatewayRef: "pi_sandbox_pay_1",
      failureCode: "declined",
      failureReason: SANDBOX_DECLINE_MESSAGE,
    });
    const [request] = await h.runDue();
    const parsed = await receive(h, request!);
    expect(parsed).toMatchObject({
      ok: true,
      event: { outcome: "failed", failureReason: "Your card was declined.", paymentId: "pay_1" },
    });
  });

  it("pm_card_visa_delayed stays pending and confirms later, signed at delivery time", async () => {
    const h = harness();
    expect(await h.gateway.createPayment(payment("pm_card_visa_delayed"))).toEqual({
      status: "pending",
      gatewayRef: "pi_sandbox_pay_1",
    });
    expect(await h.runDue()).toHaveLength(0);

    h.clock.nowMs += SANDBOX_LATE_CONFIRMATION_MS - 1;
    expect(await h.runDue()).toHaveLength(0);
    // An alarm can fire long after it was due; the signature must still be fresh then.
    h.clock.nowMs += 1 + (SIGNATURE_TOLERANCE_SECONDS + 60) * 1000;
    const [request] = await h.runDue();
    expect(await receive(h, request!)).toMatchObject({
      ok: true,
      event: { outcome: "succeeded", paymentId: "pay_1" },
    });
  });

  it("fails an unknown payment method with a reason and sends nothing", async () => {
    const h = harness();
    const attempt = await h.gateway.createPayment(payment("pm_card_unknown"));
    expect(attempt).toMatchObject({
      status: "failed",
      gatewayRef: null,
      failureCode: "invalid_payment_method",
    });
    expect(attempt.status === "failed" && attempt.failureReason).toContain("pm_card_unknown");
    expect(h.scheduled).toHaveLength(0);
  });

  it("refuses an amount that is not whole minor units, without throwing", async () => {
    const h = harness();
    expect(
      await h.gateway.createPayment(payment("pm_card_visa", { amountMicros: 25_000_001 })),
    ).toMatchObject({
      status: "failed",
      failureCode: "gateway_rejected",
    });
    expect(
      await h.gateway.createPayment(
        payment("pm_card_visa", { currency: "JPY", amountMicros: 100_500_000 }),
      ),
    ).toMatchObject({
      status: "failed",
    });
  });

  it("charges JPY in whole yen", async () => {
    const h = harness();
    await h.gateway.createPayment(
      payment("pm_card_visa", { currency: "JPY", amountMicros: 3_000_000_000 }),
    );
    const [request] = await h.runDue();
    expect(await receive(h, request!)).toMatchObject({
      ok: true,
      event: { amountMinor: 3000, amountMicros: 3_000_000_000, currency: "JPY" },
    });
  });

  it("answers a repeated paymentId the same way, with the same event id", async () => {
    const h = harness();
    const first = await h.gateway.createPayment(payment("pm_card_visa"));
    const second = await h.gateway.createPayment(payment("pm_card_visa"));
    expect(second).toEqual(first);
    const ids = await Promise.all(
      (await h.runDue()).map(async (r) => JSON.parse(await r.text()).id),
    );
    expect(new Set(ids).size).toBe(1);
  });
});
