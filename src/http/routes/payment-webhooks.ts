import { Hono } from "hono";
import type {
  GatewayAnswer,
  GatewayEvent,
  PaymentGateway,
  WebhookRejection,
} from "../../payments/gateway";
import type { AppEnv } from "../context";
import { ApiError } from "../errors";
import { ledgerOf } from "../../ledger-client/ledger-of";
import { workerGateway } from "./payment-method";

type Applied =
  | { accountId: string | null; applied: boolean; why?: string }
  /** The gateway could not be asked now: answer 503 so it delivers the event again later. */
  | { retry: string };

/**
 * The payment gateway's events. Both gateways speak Stripe's signed event format. Forged,
 * stale or malformed deliveries are 400 and change nothing; genuine events this service does
 * not need, or about payments and customers it did not create, are acknowledged (2xx) and
 * logged, so the gateway stops resending them. Every event is applied at most once by its
 * id, and each in any order with the others and with the browser's return.
 */
export const paymentWebhooks = new Hono<AppEnv>().post("/payments", async (c) => {
  const body = await c.req.text();
  const gateway = workerGateway(c.env);
  const parsed = await gateway.parseWebhook(body, c.req.raw.headers, Date.now());
  if (!parsed.ok) {
    if (parsed.reason === "ignored_event_type" || parsed.reason === "unrelated_payment")
      return acknowledged(c, parsed.reason, parsed.type);
    const field = parsed.reason === "malformed" ? "body" : "Stripe-Signature";
    throw new ApiError(
      400,
      parsed.reason,
      `${field}: the webhook was rejected (${parsed.reason.replaceAll("_", " ")}).`,
      [{ field, issue: parsed.reason }],
    );
  }
  const result = await apply(c.env, gateway, parsed.event);
  if ("retry" in result) {
    console.warn(
      JSON.stringify({
        event: "webhook_retry_later",
        kind: parsed.event.kind,
        error: result.retry,
      }),
    );
    throw new ApiError(
      503,
      "gateway_unavailable",
      "The payment gateway could not be asked; deliver again.",
    );
  }
  if (result.accountId) c.set("accountId", result.accountId);
  c.set("decision", `${parsed.event.kind}:${result.applied ? "applied" : result.why}`);
  return c.json({
    received: true,
    applied: result.applied,
    ...(result.why ? { why: result.why } : {}),
  });
});

function acknowledged(
  c: { json: (body: unknown) => Response; set: (key: "decision", value: string) => void },
  why: WebhookRejection,
  type: string | undefined,
) {
  console.log(JSON.stringify({ event: "webhook_ignored", type: type ?? null, why }));
  c.set("decision", `ignored:${why}`);
  return c.json({ received: true, applied: false, why });
}

const unrelated = { accountId: null, applied: false, why: "unrelated_payment" } as const;

/** A ledger answer, or its refusal (an account deleted since), as the webhook's answer. */
function answer(
  accountId: string,
  result:
    | { ok: true; value: { applied: boolean; why?: string } }
    | { ok: false; refusal: { reason: string } },
): Applied {
  return result.ok
    ? { accountId, ...result.value }
    : { accountId, applied: false, why: result.refusal.reason };
}

/** Unwraps a gateway answer; a permanent "no" means the object is not ours to act on. */
async function ask<T>(call: Promise<GatewayAnswer<T>>): Promise<T | { retry: string } | null> {
  const result = await call;
  if (result.ok) return result.value;
  return result.retryable ? { retry: result.message } : null;
}

function isRetry(value: unknown): value is { retry: string } {
  return typeof value === "object" && value !== null && "retry" in value;
}

async function apply(env: Env, gateway: PaymentGateway, event: GatewayEvent): Promise<Applied> {
  switch (event.kind) {
    case "payment": {
      const accountId = event.event.accountId;
      if (!accountId) return unrelated;
      return answer(accountId, await ledgerOf(env, accountId).confirmPayment(event.event));
    }
    case "card_setup": {
      const setup = event.setup ?? (await ask(gateway.retrieveCardSetup(event.setupRef)));
      if (isRetry(setup)) return setup;
      if (!setup?.accountId) return unrelated;
      if (!setup.succeeded || !setup.paymentMethodRef)
        return { accountId: setup.accountId, applied: false, why: "setup_not_succeeded" };
      const card = await ask(gateway.retrieveCard(setup.paymentMethodRef));
      if (isRetry(card)) return card;
      if (!card) return { accountId: setup.accountId, applied: false, why: "not_a_card" };
      const { customerRef: cardCustomer, ...summary } = card;
      return answer(
        setup.accountId,
        await ledgerOf(env, setup.accountId).saveCard({
          eventId: event.eventId,
          card: summary,
          customerRef: setup.customerRef ?? cardCustomer,
          setupCreatedMs: setup.createdMs,
        }),
      );
    }
    case "card_updated":
    case "card_detached": {
      const customerRef =
        event.kind === "card_updated" ? event.card.customerRef : event.customerRef;
      if (!customerRef) return unrelated;
      const customer = await ask(gateway.retrieveCustomer(customerRef));
      if (isRetry(customer)) return customer;
      const accountId = customer?.accountId;
      if (!accountId) return unrelated;
      const ledger = ledgerOf(env, accountId);
      if (event.kind === "card_detached")
        return answer(accountId, await ledger.cardDetached(event.eventId, event.paymentMethodRef));
      const { customerRef: _, ...card } = event.card;
      return answer(accountId, await ledger.cardUpdated(event.eventId, card));
    }
    case "customer_deleted": {
      if (!event.accountId) return unrelated;
      return answer(
        event.accountId,
        await ledgerOf(env, event.accountId).customerDeleted(event.eventId, event.customerRef),
      );
    }
    case "refund":
    case "dispute":
    case "fraud_warning": {
      // These objects point at the payment; its metadata says whose it is.
      const payment = await ask(gateway.retrievePayment(event.gatewayRef));
      if (isRetry(payment)) return payment;
      const accountId = payment?.accountId;
      const paymentId = payment?.paymentId;
      if (!accountId || !paymentId) return unrelated;
      const ledger = ledgerOf(env, accountId);
      if (event.kind === "fraud_warning")
        return answer(accountId, await ledger.fraudWarning(event.eventId, paymentId));
      if (event.kind === "refund")
        return answer(
          accountId,
          await ledger.refundedTopUp({
            eventId: event.eventId,
            paymentId,
            amountMinor: event.refundedMinor,
            currency: event.currency,
          }),
        );
      return answer(
        accountId,
        await ledger.disputedTopUp({
          eventId: event.eventId,
          paymentId,
          amountMinor: event.amountMinor,
          currency: event.currency,
          disputeRef: event.disputeRef,
          status: event.status,
        }),
      );
    }
    default: {
      const unmapped: never = event;
      throw new Error(`unhandled gateway event ${JSON.stringify(unmapped)}`);
    }
  }
}
