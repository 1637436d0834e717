import type {
  CardSetup,
  CardSummary,
  GatewayAnswer,
  PaymentAttempt,
  PaymentGateway,
  PaymentRequest,
  RetrievedCard,
  RetrievedPayment,
  ScheduledWebhook,
  WebhookParse,
} from "./gateway";
import { chargeRefusal, toStripeAmount } from "./stripe-currencies";
import {
  CHARGE_REFUNDED_EVENT,
  DISPUTE_CLOSED_EVENT,
  DISPUTE_CREATED_EVENT,
  FRAUD_WARNING_EVENT,
  outcomeOfIntent,
  PAYMENT_FAILED_EVENT,
  PAYMENT_SUCCEEDED_EVENT,
  parseStripeWebhook,
  REQUIRES_ACTION_REASON,
  retrievedPayment,
  SETUP_SUCCEEDED_EVENT,
  type StripePaymentIntentJson,
} from "./stripe-event";
import { SIGNATURE_HEADER, signWebhook } from "./webhook-signature";

/**
 * The local default gateway. It answers like Stripe, keeps its PaymentIntents (in D1, as
 * Stripe-shaped JSON) so they can be retrieved, reconciled, authenticated, refunded and
 * disputed, and confirms through signed, Stripe-shaped webhooks posted to our own webhook
 * route, so dev and tests exercise the exact path production payments take.
 */

export const SANDBOX_CARD_SUCCEEDS = "pm_card_visa";
export const SANDBOX_CARD_DECLINED = "pm_card_chargeDeclined";
export const SANDBOX_CARD_CONFIRMS_LATE = "pm_card_visa_delayed";
export const SANDBOX_CARD_AUTHENTICATION = "pm_card_authenticationRequired";
export const SANDBOX_CARD_EXPIRES_SOON = "pm_card_expiresNextMonth";

interface TestCard {
  brand: string;
  last4: string;
  /** What the hosted page says it does. */
  behaviour: string;
  /** Months from now to its expiry month (valid to that month's end). */
  validMonths: number;
}

/** The sandbox's test methods; each name is also its payment method reference. */
export const SANDBOX_TEST_CARDS: Readonly<Record<string, TestCard>> = {
  [SANDBOX_CARD_SUCCEEDS]: {
    brand: "visa",
    last4: "4242",
    behaviour: "every charge succeeds",
    validMonths: 36,
  },
  [SANDBOX_CARD_AUTHENTICATION]: {
    brand: "visa",
    last4: "3184",
    behaviour:
      "the bank asks for 3-D Secure on every charge (on-session: a challenge page; automatic: refused)",
    validMonths: 36,
  },
  [SANDBOX_CARD_EXPIRES_SOON]: {
    brand: "mastercard",
    last4: "4444",
    behaviour: "charges succeed, but the card is valid only to the end of this month",
    validMonths: 0,
  },
  [SANDBOX_CARD_CONFIRMS_LATE]: {
    brand: "visa",
    last4: "1881",
    behaviour: "charges stay pending for 5 seconds, then succeed",
    validMonths: 36,
  },
  [SANDBOX_CARD_DECLINED]: {
    brand: "visa",
    last4: "0002",
    behaviour: "every charge is declined",
    validMonths: 36,
  },
};
export const SANDBOX_PAYMENT_METHODS = Object.keys(SANDBOX_TEST_CARDS);

/** How long `pm_card_visa_delayed` stays pending: long enough to see "pending" in the dashboard. */
export const SANDBOX_LATE_CONFIRMATION_MS = 5_000;

export const SANDBOX_DECLINE_MESSAGE = "Your card was declined.";
export const SANDBOX_AUTHENTICATION_FAILED_MESSAGE =
  "We are unable to authenticate your payment method. Please choose a different payment method and try again.";
export const WEBHOOK_PATH = "/v1/webhooks/payments";
/** Where the Worker serves the sandbox's hosted pages (development only). */
export const SANDBOX_PAGES_PATH = "/sandbox";

/**
 * A webhook the sandbox will send. Plain data, so a Durable Object can keep it in a table
 * and deliver it from its alarm; it is signed at delivery, as a real gateway signs at send.
 */
export type SandboxWebhook = ScheduledWebhook;

export interface SandboxDeps {
  webhookSecret: string;
  /** Absolute URL of our webhook route, e.g. `${PUBLIC_BASE_URL}/v1/webhooks/payments`. */
  webhookUrl: string;
  /** Where the hosted pages are served: PUBLIC_BASE_URL. */
  baseUrl: string;
  /** The sandbox's own records (its PaymentIntents), as Stripe keeps its own. */
  db: D1Database;
  /**
   * Takes a webhook to send at `deliverAtMs` (now for immediate outcomes). It must not send
   * it before `createPayment` has returned, as no real gateway does; the caller then runs
   * `deliverWebhook` for it (a DO alarm). Only the ledger charges, so only it passes this.
   */
  schedule?: (webhook: SandboxWebhook) => void | Promise<void>;
  /** Posts the signed request, e.g. the Worker's own fetch. */
  deliver: (request: Request) => Promise<Response | undefined>;
  nowMs?: () => number;
}

interface StoredIntent extends StripePaymentIntentJson {
  status: string;
  /** Sandbox only: the page the challenge sends the cardholder back to. */
  return_url?: string | null;
  /** Sandbox only: `pm_card_visa_delayed` reads as processing until then. */
  confirms_at_ms?: number | null;
}

export class SandboxGateway implements PaymentGateway {
  readonly name = "sandbox";
  readonly #deps: SandboxDeps;

  constructor(deps: SandboxDeps) {
    this.#deps = deps;
  }

  /** Idempotent by paymentId, as Stripe is by idempotency key: a repeat answers the first record. */
  async createPayment(request: PaymentRequest): Promise<PaymentAttempt> {
    const refusal = chargeRefusal(request.amountMicros, request.currency);
    if (refusal) {
      return {
        status: "failed",
        gatewayRef: null,
        failureCode: "gateway_rejected",
        failureReason: `The amount ${refusal}.`,
      };
    }
    const card = SANDBOX_TEST_CARDS[request.paymentMethod];
    if (!card) {
      return {
        status: "failed",
        gatewayRef: null,
        failureCode: "invalid_payment_method",
        failureReason: `No such payment method: '${request.paymentMethod}'. The sandbox accepts ${SANDBOX_PAYMENT_METHODS.join(", ")}.`,
      };
    }
    const gatewayRef = sandboxPaymentRef(request.paymentId);
    const existing = await this.#read(gatewayRef);
    if (existing) return this.#answer(existing);

    const nowMs = this.#now();
    const intent: StoredIntent = {
      id: gatewayRef,
      object: "payment_intent",
      amount: toStripeAmount(request.amountMicros, request.currency),
      currency: request.currency.toLowerCase(),
      status: "succeeded",
      payment_method: request.paymentMethod,
      customer: request.customerRef ?? null,
      description: request.description,
      metadata: { paymentId: request.paymentId, accountId: request.accountId },
      last_payment_error: null,
      next_action: null,
      return_url: request.onSession?.returnUrl ?? null,
      confirms_at_ms: null,
    };
    let deliverAtMs = nowMs;
    switch (request.paymentMethod) {
      case SANDBOX_CARD_DECLINED:
        Object.assign(intent, declined("card_declined", SANDBOX_DECLINE_MESSAGE));
        break;
      case SANDBOX_CARD_CONFIRMS_LATE:
        deliverAtMs = nowMs + SANDBOX_LATE_CONFIRMATION_MS;
        intent.confirms_at_ms = deliverAtMs;
        break;
      case SANDBOX_CARD_AUTHENTICATION:
        if (request.onSession) {
          intent.status = "requires_action";
          intent.next_action = {
            type: "redirect_to_url",
            redirect_to_url: {
              url: new URL(
                `${SANDBOX_PAGES_PATH}/authenticate/${gatewayRef}`,
                this.#deps.baseUrl,
              ).toString(),
            },
          };
        } else {
          // Off-session Stripe answers authentication_required: there is no cardholder.
          Object.assign(intent, declined("authentication_required", REQUIRES_ACTION_REASON));
        }
        break;
    }
    await this.#write(intent);
    // A challenge waits for the cardholder; every other outcome is confirmed by webhook.
    if (intent.status !== "requires_action") {
      const final = { ...intent, confirms_at_ms: null, status: intent.status };
      await this.#schedule(final, deliverAtMs);
    }
    return this.#answer(intent);
  }

  async retrievePayment(gatewayRef: string): Promise<GatewayAnswer<RetrievedPayment>> {
    const intent = await this.#read(gatewayRef);
    const payment = intent ? retrievedPayment(this.#current(intent)) : null;
    return payment
      ? { ok: true, value: payment }
      : { ok: false, retryable: false, message: `No such payment_intent: '${gatewayRef}'` };
  }

  async findPayment(paymentId: string): Promise<GatewayAnswer<RetrievedPayment | null>> {
    const intent = await this.#read(sandboxPaymentRef(paymentId));
    return { ok: true, value: intent ? retrievedPayment(this.#current(intent)) : null };
  }

  async cancelPayment(gatewayRef: string): Promise<GatewayAnswer<null>> {
    const intent = await this.#read(gatewayRef);
    if (!intent || this.#current(intent).status === "succeeded")
      return { ok: false, retryable: false, message: `Cannot cancel '${gatewayRef}'` };
    await this.#write({ ...intent, status: "canceled", next_action: null });
    return { ok: true, value: null };
  }

  async saveCustomer(input: {
    accountId: string;
  }): Promise<GatewayAnswer<{ customerRef: string }>> {
    return { ok: true, value: { customerRef: sandboxCustomerRef(input.accountId) } };
  }

  async startCardSetup(input: {
    accountId: string;
    returnUrl: string;
  }): Promise<GatewayAnswer<{ url: string }>> {
    const url = new URL(
      `${SANDBOX_PAGES_PATH}/setup/${encodeURIComponent(input.accountId)}`,
      this.#deps.baseUrl,
    );
    url.searchParams.set("return", input.returnUrl);
    return { ok: true, value: { url: url.toString() } };
  }

  /** The sandbox's setup events carry the whole SetupIntent, so nothing needs retrieving. */
  async retrieveCardSetup(setupRef: string): Promise<GatewayAnswer<CardSetup>> {
    return { ok: false, retryable: false, message: `No such setup_intent: '${setupRef}'` };
  }

  async retrieveCard(paymentMethodRef: string): Promise<GatewayAnswer<RetrievedCard>> {
    const card = SANDBOX_TEST_CARDS[paymentMethodRef];
    if (!card)
      return {
        ok: false,
        retryable: false,
        message: `No such PaymentMethod: '${paymentMethodRef}'`,
      };
    const now = new Date(this.#now());
    const months = now.getUTCFullYear() * 12 + now.getUTCMonth() + card.validMonths;
    return {
      ok: true,
      value: {
        paymentMethodRef,
        brand: card.brand,
        last4: card.last4,
        expMonth: (months % 12) + 1,
        expYear: Math.floor(months / 12),
        customerRef: null,
      },
    };
  }

  async retrieveCustomer(
    customerRef: string,
  ): Promise<GatewayAnswer<{ accountId: string | null; deleted: boolean }>> {
    const prefix = sandboxCustomerRef("");
    return customerRef.startsWith(prefix)
      ? { ok: true, value: { accountId: customerRef.slice(prefix.length), deleted: false } }
      : { ok: false, retryable: false, message: `No such customer: '${customerRef}'` };
  }

  async detachCard(): Promise<GatewayAnswer<null>> {
    return { ok: true, value: null };
  }

  parseWebhook(body: string, headers: Headers, nowMs: number): Promise<WebhookParse> {
    return parseStripeWebhook(this.#deps.webhookSecret, body, headers, nowMs);
  }

  /** Signs the webhook with the current time and posts it to our webhook route. */
  async deliverWebhook(webhook: SandboxWebhook): Promise<Response | undefined> {
    return this.#deps.deliver(
      await signedWebhookRequest(
        this.#deps.webhookUrl,
        this.#deps.webhookSecret,
        webhook.body,
        this.#now(),
      ),
    );
  }

  // The hosted pages' actions -------------------------------------------------------------

  /** The "save a card" page was submitted: Stripe would now send setup_intent.succeeded. */
  async completeCardSetup(accountId: string, paymentMethodRef: string): Promise<Response> {
    const nowMs = this.#now();
    const setupIntent = {
      id: `seti_sandbox_${crypto.randomUUID().replaceAll("-", "")}`,
      object: "setup_intent",
      status: "succeeded",
      usage: "off_session",
      customer: sandboxCustomerRef(accountId),
      payment_method: paymentMethodRef,
      metadata: { accountId },
      created: Math.floor(nowMs / 1000),
    };
    return this.#send(SETUP_SUCCEEDED_EVENT, setupIntent.id, setupIntent, nowMs);
  }

  /** The challenge page answered: the payment succeeds or fails, and the webhook says so. */
  async completeAuthentication(
    gatewayRef: string,
    approved: boolean,
  ): Promise<{ returnUrl: string | null } | null> {
    const intent = await this.#read(gatewayRef);
    if (!intent) return null;
    if (intent.status === "requires_action") {
      const settled: StoredIntent = approved
        ? { ...intent, status: "succeeded", next_action: null }
        : {
            ...intent,
            ...declined(
              "payment_intent_authentication_failure",
              SANDBOX_AUTHENTICATION_FAILED_MESSAGE,
            ),
            next_action: null,
          };
      await this.#write(settled);
      await this.#send(
        approved ? PAYMENT_SUCCEEDED_EVENT : PAYMENT_FAILED_EVENT,
        `${gatewayRef}_authenticated`,
        settled,
        this.#now(),
      );
    }
    return { returnUrl: intent.return_url ?? null };
  }

  /** What the challenge page shows; null when there is no such payment. */
  async pendingAuthentication(gatewayRef: string) {
    const intent = await this.#read(gatewayRef);
    return intent
      ? {
          amount: intent.amount,
          currency: intent.currency.toUpperCase(),
          status: this.#current(intent).status,
        }
      : null;
  }

  /**
   * The operator's dev routes: what a refund in Stripe's dashboard, a cardholder's dispute,
   * its outcome, or Radar's early fraud warning would send, for a sandbox payment.
   */
  async fireChargeEvent(
    gatewayRef: string,
    what:
      | { kind: "refund"; amountMicros?: number }
      | { kind: "dispute"; status: "needs_response" | "won" | "lost" }
      | { kind: "fraud_warning" },
  ): Promise<Response | "no_such_payment" | "not_chargeable"> {
    const intent = await this.#read(gatewayRef);
    if (!intent || this.#current(intent).status !== "succeeded") return "no_such_payment";
    const chargeRef = gatewayRef.replace(/^pi_/, "ch_");
    const nowMs = this.#now();
    switch (what.kind) {
      case "refund": {
        const currency = intent.currency.toUpperCase();
        // A refund is an amount Stripe could charge: whole units of its own table.
        if (
          what.amountMicros !== undefined &&
          chargeRefusal(what.amountMicros, currency)?.includes("multiple")
        )
          return "not_chargeable";
        const asked =
          what.amountMicros === undefined
            ? intent.amount
            : toStripeAmount(what.amountMicros, currency);
        const refunded = Math.min(asked, intent.amount);
        return this.#send(
          CHARGE_REFUNDED_EVENT,
          `${chargeRef}_refunded_${refunded}`,
          {
            id: chargeRef,
            object: "charge",
            amount: intent.amount,
            amount_refunded: refunded,
            refunded: refunded === intent.amount,
            currency: intent.currency,
            payment_intent: gatewayRef,
          },
          nowMs,
        );
      }
      case "dispute":
        return this.#send(
          what.status === "needs_response" ? DISPUTE_CREATED_EVENT : DISPUTE_CLOSED_EVENT,
          `${chargeRef}_dispute_${what.status}`,
          {
            id: gatewayRef.replace(/^pi_/, "dp_"),
            object: "dispute",
            amount: intent.amount,
            currency: intent.currency,
            charge: chargeRef,
            payment_intent: gatewayRef,
            reason: "fraudulent",
            status: what.status,
          },
          nowMs,
        );
      case "fraud_warning":
        return this.#send(
          FRAUD_WARNING_EVENT,
          `${chargeRef}_fraud_warning`,
          {
            id: gatewayRef.replace(/^pi_/, "issfr_"),
            object: "radar.early_fraud_warning",
            actionable: true,
            charge: chargeRef,
            fraud_type: "unauthorized_use_of_card",
            payment_intent: gatewayRef,
          },
          nowMs,
        );
    }
  }

  // Internals -----------------------------------------------------------------------------

  #answer(intent: StoredIntent): PaymentAttempt {
    return outcomeOfIntent({
      ...this.#current(intent),
      currency: intent.currency.toUpperCase(),
      metadata: intent.metadata ?? {},
      last_payment_error: intent.last_payment_error ?? null,
    });
  }

  /** The record as Stripe would answer now: a delayed confirmation has happened once due. */
  #current(intent: StoredIntent): StoredIntent {
    if (intent.confirms_at_ms && intent.status === "succeeded")
      return intent.confirms_at_ms <= this.#now() ? intent : { ...intent, status: "processing" };
    return intent;
  }

  async #schedule(intent: StoredIntent, deliverAtMs: number): Promise<void> {
    if (!this.#deps.schedule) throw new Error("this sandbox gateway cannot schedule webhooks");
    const succeeded = intent.status === "succeeded";
    const { return_url: _r, confirms_at_ms: _c, ...object } = intent;
    const event = {
      id: `evt_sandbox_${intent.metadata?.paymentId}_${succeeded ? "succeeded" : "failed"}`,
      object: "event",
      type: succeeded ? PAYMENT_SUCCEEDED_EVENT : PAYMENT_FAILED_EVENT,
      created: Math.floor(deliverAtMs / 1000),
      livemode: false,
      data: { object },
    };
    await this.#deps.schedule({ deliverAtMs, body: JSON.stringify(event) });
  }

  /** Sends an event now, signed, to our webhook route: as Stripe does after a page action. */
  async #send(type: string, key: string, object: object, nowMs: number): Promise<Response> {
    const { return_url: _r, confirms_at_ms: _c, ...clean } = object as StoredIntent;
    const body = JSON.stringify({
      id: `evt_sandbox_${key}`,
      object: "event",
      type,
      created: Math.floor(nowMs / 1000),
      livemode: false,
      data: { object: clean },
    });
    const answer = await this.deliverWebhook({ deliverAtMs: nowMs, body });
    return answer ?? new Response(null, { status: 204 });
  }

  async #read(gatewayRef: string): Promise<StoredIntent | null> {
    const row = await this.#deps.db
      .prepare("SELECT body FROM sandbox_payment_intents WHERE id = ?")
      .bind(gatewayRef)
      .first<{ body: string }>();
    return row ? (JSON.parse(row.body) as StoredIntent) : null;
  }

  async #write(intent: StoredIntent): Promise<void> {
    await this.#deps.db
      .prepare(
        `INSERT INTO sandbox_payment_intents (id, payment_id, body, updated_at_ms) VALUES (?, ?, ?, ?)
         ON CONFLICT (id) DO UPDATE SET body = excluded.body, updated_at_ms = excluded.updated_at_ms`,
      )
      .bind(intent.id, intent.metadata?.paymentId ?? "", JSON.stringify(intent), this.#now())
      .run();
  }

  #now(): number {
    return this.#deps.nowMs?.() ?? Date.now();
  }
}

function declined(code: string, message: string) {
  return {
    status: "requires_payment_method",
    last_payment_error: { type: "card_error", code, message },
  };
}

export function sandboxPaymentRef(paymentId: string): string {
  return `pi_sandbox_${paymentId}`;
}

export function sandboxCustomerRef(accountId: string): string {
  return `cus_sandbox_${accountId}`;
}

export async function signedWebhookRequest(
  url: string,
  secret: string,
  body: string,
  nowMs: number,
): Promise<Request> {
  return new Request(url, {
    method: "POST",
    headers: {
      "Content-Type": "application/json",
      [SIGNATURE_HEADER]: await signWebhook(secret, body, nowMs / 1000),
    },
    body,
  });
}

/** A sandbox account starts with the test card that succeeds, valid three more years. */
export function sandboxInitialCard(nowMs: number): CardSummary {
  return {
    paymentMethodRef: SANDBOX_CARD_SUCCEEDS,
    brand: "visa",
    last4: "4242",
    expMonth: 12,
    expYear: new Date(nowMs).getUTCFullYear() + 3,
  };
}
