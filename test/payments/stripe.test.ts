import Stripe from "stripe";
import { describe, expect, it } from "vitest";
import type { PaymentRequest } from "../../src/payments/gateway";
import { StripeGateway } from "../../src/payments/stripe";
import { REQUIRES_ACTION_REASON } from "../../src/payments/stripe-event";
import { signWebhook } from "../../src/payments/webhook-signature";

const WEBHOOK_SECRET = "whsec_test_stripe";

interface Recorded {
  url: URL;
  method: string;
  headers: Headers;
  form: URLSearchParams;
}

/** A fetch that answers like api.stripe.com from a script and records what it was asked. */
function stripeMock(
  ...answers: Array<(request: Recorded, init: RequestInit) => Promise<Response> | Response>
) {
  const requests: Recorded[] = [];
  const fetchMock = (async (input: RequestInfo | URL, init: RequestInit = {}) => {
    const request: Recorded = {
      url: new URL(String(input)),
      method: init.method ?? "GET",
      headers: new Headers(init.headers),
      form: new URLSearchParams(typeof init.body === "string" ? init.body : ""),
    };
    requests.push(request);
    const answer = answers[requests.length - 1];
    if (!answer)
      throw new Error(`unexpected request ${requests.length}: ${request.method} ${request.url}`);
    return answer(request, init);
  }) as typeof fetch;
  return { requests, fetchMock };
}

function json(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { "Content-Type": "application/json", "Request-Id": "req_test" },
  });
}

function intent(request: Recorded, status: string, extra: Record<string, unknown> = {}) {
  return {
    id: "pi_3Test",
    object: "payment_intent",
    amount: Number(request.form.get("amount")),
    currency: request.form.get("currency"),
    status,
    metadata: {
      paymentId: request.form.get("metadata[paymentId]"),
      accountId: request.form.get("metadata[accountId]"),
    },
    last_payment_error: null,
    ...extra,
  };
}

function gateway(
  fetchMock: typeof fetch,
  options: { timeoutMs?: number; maxNetworkRetries?: number } = {},
) {
  return new StripeGateway({
    secretKey: "sk_test_123",
    webhookSecret: WEBHOOK_SECRET,
    fetch: fetchMock,
    maxNetworkRetries: 0,
    ...options,
  });
}

const topUp: PaymentRequest = {
  paymentId: "pay_01J9Z",
  accountId: "acc_42",
  amountMicros: 25_000_000,
  currency: "EUR",
  paymentMethod: "pm_1Saved",
  customerRef: "cus_123",
  description: "Credit top-up",
};

describe("Stripe gateway: createPayment", () => {
  it("creates a confirmed off-session PaymentIntent in minor units with our paymentId as idempotency key", async () => {
    const { requests, fetchMock } = stripeMock((r) => json(200, intent(r, "succeeded")));
    expect(await gateway(fetchMock).createPayment(topUp)).toEqual({
      status: "succeeded",
      gatewayRef: "pi_3Test",
    });

    expect(requests).toHaveLength(1);
    const [request] = requests;
    expect(request!.method).toBe("POST");
    expect(request!.url.origin).toBe("https://api.stripe.com");
    expect(request!.url.pathname).toBe("/v1/payment_intents");
    expect(request!.headers.get("Idempotency-Key")).toBe("pay_01J9Z");
    expect(request!.headers.get("Authorization")).toBe("Bearer sk_test_123");
    expect(Object.fromEntries(request!.form)).toEqual({
      amount: "2500",
      currency: "eur",
      payment_method: "pm_1Saved",
      customer: "cus_123",
      "allowed_payment_method_types[0]": "card",
      confirm: "true",
      off_session: "true",
      description: "Credit top-up",
      "metadata[paymentId]": "pay_01J9Z",
      "metadata[accountId]": "acc_42",
    });
  });

  it("sends JPY without minor units and omits customer when there is none", async () => {
    const { requests, fetchMock } = stripeMock((r) => json(200, intent(r, "succeeded")));
    const { customerRef: _, ...withoutCustomer } = topUp;
    await gateway(fetchMock).createPayment({
      ...withoutCustomer,
      currency: "JPY",
      amountMicros: 3_000_000_000,
    });
    expect(requests[0]!.form.get("amount")).toBe("3000");
    expect(requests[0]!.form.get("currency")).toBe("jpy");
    expect(requests[0]!.form.has("customer")).toBe(false);
  });

  it("refuses an amount with a fraction of a minor unit without calling Stripe", async () => {
    const { requests, fetchMock } = stripeMock();
    expect(
      await gateway(fetchMock).createPayment({ ...topUp, amountMicros: 25_005_000 }),
    ).toMatchObject({ status: "failed", failureCode: "gateway_rejected" });
    expect(requests).toHaveLength(0);
  });

  it("maps processing to pending and requires_action to a failure the admin can act on", async () => {
    const processing = stripeMock((r) => json(200, intent(r, "processing")));
    expect(await gateway(processing.fetchMock).createPayment(topUp)).toEqual({
      status: "pending",
      gatewayRef: "pi_3Test",
    });

    const action = stripeMock((r) => json(200, intent(r, "requires_action")));
    expect(await gateway(action.fetchMock).createPayment(topUp)).toEqual({
      status: "failed",
      gatewayRef: "pi_3Test",
      failureCode: "requires_action",
      failureReason: REQUIRES_ACTION_REASON,
    });
  });

  it("maps a card decline (402 card_error) to failed with the decline message", async () => {
    const { fetchMock } = stripeMock((r) =>
      json(402, {
        error: {
          type: "card_error",
          code: "card_declined",
          decline_code: "insufficient_funds",
          message: "Your card has insufficient funds.",
          payment_intent: intent(r, "requires_payment_method"),
        },
      }),
    );
    expect(await gateway(fetchMock).createPayment(topUp)).toEqual({
      status: "failed",
      gatewayRef: "pi_3Test",
      failureCode: "declined",
      failureReason: "Your card has insufficient funds.",
    });
  });

  it("maps a missing payment method to invalid_payment_method", async () => {
    const { fetchMock } = stripeMock(() =>
      json(400, {
        error: {
          type: "invalid_request_error",
          code: "resource_missing",
          param: "payment_method",
          message: "No such PaymentMethod: 'pm_gone'",
        },
      }),
    );
    expect(await gateway(fetchMock).createPayment(topUp)).toMatchObject({
      status: "failed",
      failureCode: "invalid_payment_method",
    });
  });

  it("keeps a bad API key out of the admin's failure reason", async () => {
    const { fetchMock } = stripeMock(() =>
      json(401, {
        error: {
          type: "invalid_request_error",
          message: "Invalid API Key provided: sk_test_***123",
        },
      }),
    );
    const attempt = await gateway(fetchMock).createPayment(topUp);
    expect(attempt).toMatchObject({
      status: "failed",
      failureCode: "gateway_rejected",
      failureReason: "The payment was not completed.",
    });
    expect(attempt.status === "failed" && attempt.detail).toContain("Invalid API Key");
  });

  it("reports a timeout as retry, not as a failure", async () => {
    const { fetchMock } = stripeMock(
      (_r, init) =>
        new Promise<Response>((_, reject) => {
          init.signal?.addEventListener("abort", () => reject(init.signal!.reason));
        }),
    );
    const attempt = await gateway(fetchMock, { timeoutMs: 30 }).createPayment(topUp);
    expect(attempt).toMatchObject({ status: "retry", retryKind: "timeout" });
  });

  it("reports a lost connection, a 500 and a 429 as retry", async () => {
    const lost = stripeMock(() => Promise.reject(new TypeError("Network connection lost.")));
    expect(await gateway(lost.fetchMock).createPayment(topUp)).toMatchObject({
      status: "retry",
      retryKind: "network",
    });

    const down = stripeMock(() =>
      json(500, { error: { type: "api_error", message: "Something went wrong on Stripe's end." } }),
    );
    expect(await gateway(down.fetchMock).createPayment(topUp)).toMatchObject({
      status: "retry",
      retryKind: "gateway_unavailable",
    });

    const limited = stripeMock(() =>
      json(429, {
        error: { type: "invalid_request_error", code: "rate_limit", message: "Too many requests" },
      }),
    );
    expect(await gateway(limited.fetchMock).createPayment(topUp)).toMatchObject({
      status: "retry",
      retryKind: "rate_limited",
    });
  });

  it("retries a lost connection under the same idempotency key", async () => {
    const { requests, fetchMock } = stripeMock(
      () => Promise.reject(new TypeError("Network connection lost.")),
      (r) => json(200, intent(r, "succeeded")),
    );
    expect(await gateway(fetchMock, { maxNetworkRetries: 1 }).createPayment(topUp)).toEqual({
      status: "succeeded",
      gatewayRef: "pi_3Test",
    });
    expect(requests.map((r) => r.headers.get("Idempotency-Key"))).toEqual([
      "pay_01J9Z",
      "pay_01J9Z",
    ]);
  });
});

describe("Stripe gateway: parseWebhook", () => {
  const NOW_MS = 1_800_000_000_000;

  function event(type: string, object: Record<string, unknown>) {
    return JSON.stringify({
      id: "evt_1Q",
      object: "event",
      type,
      created: NOW_MS / 1000,
      livemode: false,
      data: { object },
    });
  }
  const paid = {
    id: "pi_3Test",
    object: "payment_intent",
    amount: 2500,
    currency: "eur",
    status: "succeeded",
    metadata: { paymentId: "pay_01J9Z", accountId: "acc_42" },
    last_payment_error: null,
  };

  async function signed(body: string, atMs = NOW_MS) {
    return new Headers({
      "Stripe-Signature": await signWebhook(WEBHOOK_SECRET, body, atMs / 1000),
    });
  }

  it("verifies and reduces payment_intent.succeeded", async () => {
    const body = event("payment_intent.succeeded", paid);
    expect(
      await gateway(stripeMock().fetchMock).parseWebhook(body, await signed(body), NOW_MS),
    ).toEqual({
      ok: true,
      event: {
        kind: "payment",
        event: {
          eventId: "evt_1Q",
          paymentId: "pay_01J9Z",
          accountId: "acc_42",
          gatewayRef: "pi_3Test",
          outcome: "succeeded",
          amountMinor: 2500,
          amountMicros: 25_000_000,
          currency: "EUR",
        },
      },
    });
  });

  it("carries the failure message of payment_intent.payment_failed", async () => {
    const body = event("payment_intent.payment_failed", {
      ...paid,
      status: "requires_payment_method",
      last_payment_error: {
        type: "card_error",
        code: "card_declined",
        message: "Your card was declined.",
      },
    });
    expect(
      await gateway(stripeMock().fetchMock).parseWebhook(body, await signed(body), NOW_MS),
    ).toMatchObject({
      ok: true,
      event: { event: { outcome: "failed", failureReason: "Your card was declined." } },
    });
  });

  it("rejects bad signatures, stale deliveries, other event types, foreign payments and malformed events", async () => {
    const stripe = gateway(stripeMock().fetchMock);
    const body = event("payment_intent.succeeded", paid);
    const headers = await signed(body);
    expect(await stripe.parseWebhook(body.replace("2500", "250000"), headers, NOW_MS)).toEqual({
      ok: false,
      reason: "bad_signature",
    });
    expect(await stripe.parseWebhook(body, new Headers(), NOW_MS)).toEqual({
      ok: false,
      reason: "bad_signature",
    });
    expect(await stripe.parseWebhook(body, headers, NOW_MS + 301_000)).toEqual({
      ok: false,
      reason: "stale_timestamp",
    });

    const created = event("payment_intent.created", paid);
    expect(await stripe.parseWebhook(created, await signed(created), NOW_MS)).toEqual({
      ok: false,
      reason: "ignored_event_type",
      type: "payment_intent.created",
    });

    const foreign = event("payment_intent.succeeded", { ...paid, metadata: { orderId: "o_1" } });
    expect(await stripe.parseWebhook(foreign, await signed(foreign), NOW_MS)).toEqual({
      ok: false,
      reason: "unrelated_payment",
      type: "payment_intent.succeeded",
    });

    const noAmount = event("payment_intent.succeeded", { ...paid, amount: "25.00" });
    expect(await stripe.parseWebhook(noAmount, await signed(noAmount), NOW_MS)).toEqual({
      ok: false,
      reason: "malformed",
      type: "payment_intent.succeeded",
    });
    expect(await stripe.parseWebhook("not json", await signed("not json"), NOW_MS)).toEqual({
      ok: false,
      reason: "malformed",
    });
  });

  it("agrees with the Stripe SDK's own signature scheme in both directions", async () => {
    const body = event("payment_intent.succeeded", paid);
    const ours = await signWebhook(WEBHOOK_SECRET, body, Math.floor(Date.now() / 1000));
    const verified = await Stripe.webhooks.constructEventAsync(
      body,
      ours,
      WEBHOOK_SECRET,
      undefined,
      Stripe.createSubtleCryptoProvider(),
    );
    expect(verified.id).toBe("evt_1Q");

    const theirs = await Stripe.webhooks.generateTestHeaderStringAsync({
      payload: body,
      secret: WEBHOOK_SECRET,
      timestamp: NOW_MS / 1000,
      cryptoProvider: Stripe.createSubtleCryptoProvider(),
    });
    const parsed = await gateway(stripeMock().fetchMock).parseWebhook(
      body,
      new Headers({ "Stripe-Signature": theirs }),
      NOW_MS,
    );
    expect(parsed.ok).toBe(true);
  });
});
