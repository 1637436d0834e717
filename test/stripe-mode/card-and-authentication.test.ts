import { evictDurableObject, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { exports } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import { api, ledger, newAccount, type TestAccount } from "../helpers";
import {
  credit,
  paymentIntent,
  postSignedWebhook,
  stripeEvent,
  topUp,
  topUpMovements,
} from "../top-ups/helpers";

interface StripeRequest {
  method: string;
  path: string;
  form: URLSearchParams;
  idempotencyKey: string | null;
}

type Route = [
  method: string,
  path: RegExp,
  answer: (r: StripeRequest, m: RegExpMatchArray) => unknown,
];

/**
 * api.stripe.com as a table of routes answering Stripe's own object shapes; every request is
 * recorded, and anything unrouted (or any other host) fails the test.
 */
function fakeStripe(routes: Route[]): StripeRequest[] {
  const seen: StripeRequest[] = [];
  vi.stubGlobal("fetch", async (input: RequestInfo | URL, init?: RequestInit) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    if (url.hostname !== "api.stripe.com")
      throw new Error(`a test reached for the network: ${url}`);
    const request: StripeRequest = {
      method: init?.method ?? "GET",
      path: url.pathname,
      form: new URLSearchParams(typeof init?.body === "string" ? init.body : url.search),
      idempotencyKey: new Headers(init?.headers).get("Idempotency-Key"),
    };
    seen.push(request);
    for (const [method, path, answer] of routes) {
      const match = request.path.match(path);
      if (method === request.method && match) {
        const body = answer(request, match);
        return body instanceof Response
          ? body
          : Response.json(body, { headers: { "Request-Id": "req_fake" } });
      }
    }
    throw new Error(`unexpected Stripe request ${request.method} ${request.path}`);
  });
  return seen;
}

const customer = (id: string, accountId: string) => ({
  id,
  object: "customer",
  metadata: { accountId },
});

const card = (id: string, customerId: string | null, exp = { month: 12, year: 2030 }) => ({
  id,
  object: "payment_method",
  type: "card",
  customer: customerId,
  card: { brand: "visa", last4: id.slice(-4), exp_month: exp.month, exp_year: exp.year },
});

const setupIntent = (id: string, accountId: string, pm: string, createdSec: number) => ({
  id,
  object: "setup_intent",
  status: "succeeded",
  usage: "off_session",
  customer: "cus_T1",
  payment_method: pm,
  metadata: { accountId },
  created: createdSec,
});

/** Saves a card as Stripe would report it: Checkout completes, its SetupIntent names the card. */
async function completeCheckout(acct: TestAccount, setupId: string) {
  return postSignedWebhook(
    stripeEvent("checkout.session.completed", {
      id: `cs_test_${setupId}`,
      object: "checkout.session",
      mode: "setup",
      status: "complete",
      customer: "cus_T1",
      setup_intent: setupId,
      metadata: { accountId: acct.id },
    }),
  );
}

describe("Stripe: a card on file", () => {
  afterEach(() => vi.unstubAllGlobals());

  it("creates the customer once, opens Checkout in setup mode, records the card, replaces and detaches", async () => {
    const acct = await newAccount();
    const nowSec = Math.floor(Date.now() / 1000);
    const seen = fakeStripe([
      ["POST", /^\/v1\/customers$/, () => customer("cus_T1", acct.id)],
      [
        "POST",
        /^\/v1\/checkout\/sessions$/,
        () => ({
          id: "cs_test_1",
          object: "checkout.session",
          mode: "setup",
          url: "https://checkout.stripe.com/c/pay/cs_test_1",
        }),
      ],
      [
        "GET",
        /^\/v1\/setup_intents\/seti_new$/,
        () => setupIntent("seti_new", acct.id, "pm_1111", nowSec),
      ],
      [
        "GET",
        /^\/v1\/setup_intents\/seti_newer$/,
        () => setupIntent("seti_newer", acct.id, "pm_2222", nowSec + 60),
      ],
      ["GET", /^\/v1\/payment_methods\/(pm_\w+)$/, (_r, m) => card(m[1] as string, "cus_T1")],
      ["POST", /^\/v1\/payment_methods\/(pm_\w+)\/detach$/, (_r, m) => card(m[1] as string, null)],
    ]);
    const setup = await api("POST", `/v1/accounts/${acct.id}/payment-method/setup`, {
      token: acct.adminKey,
    });
    expect(setup.status).toBe(201);
    expect(setup.body).toEqual({ url: "https://checkout.stripe.com/c/pay/cs_test_1" });
    const [created, session] = seen;
    expect(created?.idempotencyKey).toBe(`customer-${acct.id}`);
    expect(created?.form.get("metadata[accountId]")).toBe(acct.id);
    expect(Object.fromEntries(session?.form ?? [])).toMatchObject({
      mode: "setup",
      customer: "cus_T1",
      "allowed_payment_method_types[0]": "card",
      "setup_intent_data[metadata][accountId]": acct.id,
      success_url: "http://localhost:8787/billing?card=saved",
    });
    // A second setup reuses the customer the ledger remembers.
    await api("POST", `/v1/accounts/${acct.id}/payment-method/setup`, { token: acct.adminKey });
    expect(seen.filter((r) => r.path === "/v1/customers")).toHaveLength(1);

    expect((await completeCheckout(acct, "seti_new")).body).toMatchObject({ applied: true });
    const saved = await api("GET", `/v1/accounts/${acct.id}/payment-method`, {
      token: acct.adminKey,
    });
    expect(saved.body).toMatchObject({ brand: "visa", last4: "1111", expMonth: 12, expYear: 2030 });

    // setup_intent.succeeded for the same setup says the same: nothing changes.
    const same = await postSignedWebhook(
      stripeEvent("setup_intent.succeeded", setupIntent("seti_new", acct.id, "pm_1111", nowSec)),
    );
    expect(same.body).toMatchObject({ applied: false, why: "same_card" });

    // A newer card replaces it; the old one is detached by the ledger's alarm.
    expect((await completeCheckout(acct, "seti_newer")).body).toMatchObject({ applied: true });
    await runDurableObjectAlarm(ledger(acct.id));
    expect(
      seen.some((r) => r.method === "POST" && r.path === "/v1/payment_methods/pm_1111/detach"),
    ).toBe(true);
    // The older setup's event arriving late does not bring its card back.
    const late = await postSignedWebhook(
      stripeEvent("setup_intent.succeeded", setupIntent("seti_new", acct.id, "pm_1111", nowSec)),
    );
    expect(late.body).toMatchObject({ applied: false, why: "superseded_setup" });
    expect((await credit(acct.id)).paymentMethod).toMatchObject({ last4: "2222" });
  });

  it("gives the customer the billing details: at creation, and again when they change", async () => {
    const acct = await newAccount();
    const seen = fakeStripe([
      ["POST", /^\/v1\/customers$/, () => customer("cus_T1", acct.id)],
      ["POST", /^\/v1\/customers\/cus_T1$/, () => customer("cus_T1", acct.id)],
      [
        "POST",
        /^\/v1\/customers\/cus_T1\/tax_ids$/,
        (r) => ({
          id: "txi_1",
          object: "tax_id",
          type: r.form.get("type"),
          value: r.form.get("value"),
        }),
      ],
      [
        "POST",
        /^\/v1\/checkout\/sessions$/,
        () => ({
          id: "cs_test_2",
          object: "checkout.session",
          mode: "setup",
          url: "https://checkout.stripe.com/c/pay/cs_test_2",
        }),
      ],
    ]);
    const details = {
      companyName: "Acme GmbH",
      addressLine1: "Friedrichstraße 1",
      city: "Berlin",
      postalCode: "10117",
      country: "DE",
      taxId: "DE136695976",
      invoiceEmail: "invoices@acme.test",
    };
    const put = (body: unknown) =>
      api("PUT", `/v1/accounts/${acct.id}/billing-details`, { token: acct.adminKey, body });
    // Before any customer exists, saving the details calls nobody.
    expect((await put(details)).status).toBe(200);
    expect(seen).toHaveLength(0);

    await api("POST", `/v1/accounts/${acct.id}/payment-method/setup`, { token: acct.adminKey });
    const created = seen.find((r) => r.path === "/v1/customers");
    expect(Object.fromEntries(created?.form ?? [])).toMatchObject({
      name: "Acme GmbH",
      email: "invoices@acme.test",
      "address[line1]": "Friedrichstraße 1",
      "address[postal_code]": "10117",
      "address[country]": "DE",
    });
    const taxId = seen.find((r) => r.path === "/v1/customers/cus_T1/tax_ids");
    expect(Object.fromEntries(taxId?.form ?? [])).toEqual({ type: "eu_vat", value: "DE136695976" });

    // A change reaches the existing customer.
    expect((await put({ ...details, companyName: "Acme Telecom GmbH" })).status).toBe(200);
    const updated = seen.filter((r) => r.path === "/v1/customers/cus_T1").at(-1);
    expect(updated?.form.get("name")).toBe("Acme Telecom GmbH");
  });

  it("payment_method.updated, payment_method.detached and customer.deleted keep the summary true", async () => {
    const acct = await newAccount();
    const nowSec = Math.floor(Date.now() / 1000);
    fakeStripe([
      [
        "GET",
        /^\/v1\/setup_intents\/seti_a$/,
        () => setupIntent("seti_a", acct.id, "pm_3333", nowSec),
      ],
      ["GET", /^\/v1\/payment_methods\/pm_3333$/, () => card("pm_3333", "cus_T1")],
      ["GET", /^\/v1\/customers\/cus_T1$/, () => customer("cus_T1", acct.id)],
    ]);
    await completeCheckout(acct, "seti_a");
    const updated = await postSignedWebhook(
      stripeEvent("payment_method.updated", card("pm_3333", "cus_T1", { month: 3, year: 2032 })),
    );
    expect(updated.body).toMatchObject({ applied: true });
    expect((await credit(acct.id)).paymentMethod).toMatchObject({ expMonth: 3, expYear: 2032 });

    const detachedBody = JSON.stringify({
      ...JSON.parse(stripeEvent("payment_method.detached", card("pm_3333", null))),
      data: { object: card("pm_3333", null), previous_attributes: { customer: "cus_T1" } },
    });
    expect((await postSignedWebhook(detachedBody)).body).toMatchObject({ applied: true });
    expect((await postSignedWebhook(detachedBody)).body).toMatchObject({
      applied: false,
      why: "duplicate_event",
    });
    expect((await credit(acct.id)).paymentMethod).toBeNull();

    await completeCheckout(acct, "seti_a");
    const deleted = await postSignedWebhook(
      stripeEvent("customer.deleted", { ...customer("cus_T1", acct.id), deleted: true }),
    );
    expect(deleted.body).toMatchObject({ applied: true });
    expect((await credit(acct.id)).paymentMethod).toBeNull();
  });
});

/** A top-up Stripe wants authenticated: the PaymentIntent and the page it sends the admin to. */
function authenticationRoutes(): Route[] {
  return [
    [
      "POST",
      /^\/v1\/payment_intents$/,
      (r) => ({
        ...paymentIntent({
          id: "pi_3ds",
          paymentId: r.form.get("metadata[paymentId]") as string,
          accountId: r.form.get("metadata[accountId]") as string,
          amount: Number(r.form.get("amount")),
          status: "requires_action",
        }),
        next_action: {
          type: "redirect_to_url",
          redirect_to_url: {
            url: "https://hooks.stripe.com/3d_secure_2/hosted?payment_intent=pi_3ds",
            return_url: r.form.get("return_url"),
          },
        },
      }),
    ],
  ];
}

describe("Stripe: one-time top-up with 3-D Secure, webhook and return in either order", () => {
  afterEach(() => vi.unstubAllGlobals());

  async function startTopUp(acct: TestAccount, retrieved: () => unknown) {
    const seen = fakeStripe([
      ...authenticationRoutes(),
      ["GET", /^\/v1\/payment_intents\/pi_3ds$/, retrieved],
    ]);
    const res = await topUp(acct.id, acct.adminKey, { amount: "25.00" }, crypto.randomUUID());
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({
      status: "requires_action",
      nextAction: { url: "https://hooks.stripe.com/3d_secure_2/hosted?payment_intent=pi_3ds" },
    });
    const create = seen[0] as StripeRequest;
    expect(create.form.get("return_url")).toBe(
      `http://localhost:8787/payments/return/${acct.id}/${res.body.id}`,
    );
    expect(create.form.has("off_session")).toBe(false);
    expect(create.form.get("allowed_payment_method_types[0]")).toBe("card");
    expect(create.form.get("customer")).toBe("cus_T1");
    return { topUpId: res.body.id as string, seen };
  }

  async function withCustomer(): Promise<TestAccount> {
    const acct = await newAccount();
    await runInDurableObject(ledger(acct.id), (_i, state) => {
      state.storage.sql.exec(
        `INSERT OR REPLACE INTO settings (key, value) VALUES
           ('gateway_customer', '"cus_T1"'),
           ('card', '{"paymentMethodRef":"pm_4242","brand":"visa","last4":"4242","expMonth":12,"expYear":2030,"savedAtMs":1,"setupCreatedMs":1}')`,
      );
    });
    await evictDurableObject(ledger(acct.id));
    return acct;
  }

  const succeededEvent = (acct: TestAccount, topUpId: string) =>
    stripeEvent(
      "payment_intent.succeeded",
      paymentIntent({ id: "pi_3ds", paymentId: topUpId, accountId: acct.id, amount: 2500 }),
    );

  const back = (acct: TestAccount, topUpId: string) =>
    exports.default.fetch(
      new Request(
        `http://credit.test/payments/return/${acct.id}/${topUpId}?payment_intent=pi_3ds&redirect_status=succeeded`,
        { redirect: "manual" },
      ),
    );

  it("webhook first, then the browser's return: credited once", async () => {
    const acct = await withCustomer();
    const { topUpId } = await startTopUp(acct, () =>
      paymentIntent({ id: "pi_3ds", paymentId: "x", accountId: acct.id, amount: 2500 }),
    );
    expect((await postSignedWebhook(succeededEvent(acct, topUpId))).body).toMatchObject({
      applied: true,
    });
    const returned = await back(acct, topUpId);
    expect(returned.status).toBe(303);
    expect((await credit(acct.id)).balance).toBe("25.00");
    expect(await topUpMovements(acct.id)).toHaveLength(1);
  });

  it("the return first (the payment retrieved), then the webhook: credited once", async () => {
    const acct = await withCustomer();
    const { topUpId, seen } = await startTopUp(acct, () =>
      paymentIntent({ id: "pi_3ds", paymentId: "x", accountId: acct.id, amount: 2500 }),
    );
    await back(acct, topUpId);
    expect(
      seen.filter((r) => r.method === "GET" && r.path === "/v1/payment_intents/pi_3ds"),
    ).toHaveLength(1);
    expect((await credit(acct.id)).balance).toBe("25.00");
    const hook = await postSignedWebhook(succeededEvent(acct, topUpId));
    expect(hook.body).toMatchObject({ applied: false });
    expect(await topUpMovements(acct.id)).toHaveLength(1);
    // Never created a second time.
    expect(
      seen.filter((r) => r.method === "POST" && r.path === "/v1/payment_intents"),
    ).toHaveLength(1);
  });

  it("a success after the service gave up (abandoned) is still credited, once", async () => {
    const acct = await withCustomer();
    const { topUpId } = await startTopUp(acct, () => ({
      ...paymentIntent({ id: "pi_3ds", paymentId: "x", accountId: acct.id, amount: 2500 }),
      status: "requires_action",
      next_action: {
        type: "redirect_to_url",
        redirect_to_url: { url: "https://hooks.stripe.com/x" },
      },
    }));
    vi.unstubAllGlobals();
    const seen = fakeStripe([
      [
        "GET",
        /^\/v1\/payment_intents\/pi_3ds$/,
        () => ({
          ...paymentIntent({ id: "pi_3ds", paymentId: topUpId, accountId: acct.id, amount: 2500 }),
          status: "requires_action",
          next_action: {
            type: "redirect_to_url",
            redirect_to_url: { url: "https://hooks.stripe.com/x" },
          },
        }),
      ],
      [
        "POST",
        /^\/v1\/payment_intents\/pi_3ds\/cancel$/,
        () =>
          new Response(
            JSON.stringify({
              error: {
                type: "invalid_request_error",
                code: "payment_intent_unexpected_state",
                message: "This PaymentIntent's status is succeeded.",
              },
            }),
            { status: 400 },
          ),
      ],
    ]);
    await runInDurableObject(ledger(acct.id), (_i, state) => {
      state.storage.sql.exec(
        "UPDATE payments SET created_at_ms = created_at_ms - 3600000, next_attempt_at_ms = 1",
      );
    });
    await evictDurableObject(ledger(acct.id));
    await runDurableObjectAlarm(ledger(acct.id));
    expect(seen.some((r) => r.path === "/v1/payment_intents/pi_3ds/cancel")).toBe(true);
    expect((await api("GET", `/v1/accounts/${acct.id}/top-ups/${topUpId}`)).body.status).toBe(
      "failed",
    );
    // The cardholder finished at the bank just in time: Stripe says it succeeded.
    expect((await postSignedWebhook(succeededEvent(acct, topUpId))).body).toMatchObject({
      applied: true,
    });
    expect((await postSignedWebhook(succeededEvent(acct, topUpId))).body).toMatchObject({
      applied: false,
    });
    expect((await credit(acct.id)).balance).toBe("25.00");
    expect((await api("GET", `/v1/accounts/${acct.id}/top-ups/${topUpId}`)).body.status).toBe(
      "succeeded",
    );
  });
});

describe("Stripe: refunds and disputes of a top-up", () => {
  afterEach(() => vi.unstubAllGlobals());

  it("charge.refunded and charge.dispute.* find the top-up by retrieving its PaymentIntent", async () => {
    const acct = await newAccount();
    const topUpId = "top_stripeRefund000001";
    // A top-up Stripe confirmed: seeded as the ledger records one.
    await runInDurableObject(ledger(acct.id), (_i, state) => {
      state.storage.sql.exec(
        `INSERT INTO payments (id, kind, amount_micros, payment_method, status, gateway_ref, created_at_ms, settled_at_ms)
         VALUES (?, 'one-time', 25000000, 'pm_4242', 'pending', 'pi_refund', ?, NULL)`,
        topUpId,
        Date.now(),
      );
    });
    await evictDurableObject(ledger(acct.id));
    const seen = fakeStripe([
      [
        "GET",
        /^\/v1\/payment_intents\/pi_refund$/,
        () =>
          paymentIntent({ id: "pi_refund", paymentId: topUpId, accountId: acct.id, amount: 2500 }),
      ],
    ]);
    await postSignedWebhook(
      stripeEvent(
        "payment_intent.succeeded",
        paymentIntent({ id: "pi_refund", paymentId: topUpId, accountId: acct.id, amount: 2500 }),
      ),
    );
    const refund = stripeEvent("charge.refunded", {
      id: "ch_1",
      object: "charge",
      amount: 2500,
      amount_refunded: 1000,
      refunded: false,
      currency: "eur",
      payment_intent: "pi_refund",
    });
    expect((await postSignedWebhook(refund)).body).toMatchObject({ applied: true });
    expect((await postSignedWebhook(refund)).body).toMatchObject({ applied: false });
    expect((await credit(acct.id)).balance).toBe("15.00");
    expect(seen.filter((r) => r.path === "/v1/payment_intents/pi_refund").length).toBeGreaterThan(
      0,
    );

    const dispute = (status: string) =>
      stripeEvent(
        status === "needs_response" ? "charge.dispute.created" : "charge.dispute.closed",
        {
          id: "dp_1",
          object: "dispute",
          amount: 1500,
          currency: "eur",
          charge: "ch_1",
          payment_intent: "pi_refund",
          reason: "fraudulent",
          status,
        },
      );
    // The closing event may arrive first: it withdraws, then gives back, once each.
    expect((await postSignedWebhook(dispute("won"))).body).toMatchObject({ applied: true });
    expect((await postSignedWebhook(dispute("needs_response"))).body).toMatchObject({
      applied: false,
    });
    expect((await credit(acct.id)).balance).toBe("15.00");
    const adjustments = (
      await api("GET", `/v1/accounts/${acct.id}/movements`)
    ).body.movements.filter((m: { description: string }) => m.description === "adjustment");
    expect(adjustments.map((m: { amount: string }) => m.amount)).toEqual([
      "-10.00",
      "-15.00",
      "15.00",
    ]);
  });

  it("an event about a payment this service did not start is acknowledged and changes nothing", async () => {
    fakeStripe([
      [
        "GET",
        /^\/v1\/payment_intents\/pi_other$/,
        () => ({
          id: "pi_other",
          object: "payment_intent",
          amount: 100,
          currency: "eur",
          status: "succeeded",
          metadata: { orderId: "o_1" },
        }),
      ],
    ]);
    const res = await postSignedWebhook(
      stripeEvent("charge.refunded", {
        id: "ch_other",
        object: "charge",
        amount: 100,
        amount_refunded: 100,
        currency: "eur",
        payment_intent: "pi_other",
      }),
    );
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ applied: false, why: "unrelated_payment" });
  });

  it("a Stripe outage while resolving an event answers 503, so Stripe delivers it again", async () => {
    fakeStripe([
      [
        "GET",
        /^\/v1\/payment_intents\/pi_down$/,
        () =>
          new Response(JSON.stringify({ error: { type: "api_error", message: "down" } }), {
            status: 500,
          }),
      ],
    ]);
    const res = await postSignedWebhook(
      stripeEvent("radar.early_fraud_warning.created", {
        id: "issfr_1",
        object: "radar.early_fraud_warning",
        charge: "ch_x",
        payment_intent: "pi_down",
      }),
    );
    expect(res.status).toBe(503);
    expect(res.body.error.code).toBe("gateway_unavailable");
  });
});

describe("Stripe: auto top-up off-session and outcomes reconciled", () => {
  afterEach(() => vi.unstubAllGlobals());

  async function accountWithCard(balance?: string): Promise<TestAccount> {
    const acct = await newAccount(balance ? { credit: balance } : {});
    await runInDurableObject(ledger(acct.id), (_i, state) => {
      state.storage.sql.exec(
        `INSERT OR REPLACE INTO settings (key, value) VALUES
           ('gateway_customer', '"cus_T9"'),
           ('card', '{"paymentMethodRef":"pm_9999","brand":"visa","last4":"9999","expMonth":12,"expYear":2030,"savedAtMs":1,"setupCreatedMs":1}')`,
      );
    });
    await evictDurableObject(ledger(acct.id));
    return acct;
  }

  it("a bank asking for the cardholder fails the auto top-up with a status line and an email link", async () => {
    const acct = await accountWithCard("10.00");
    const seen = fakeStripe([
      [
        "POST",
        /^\/v1\/payment_intents$/,
        (r) =>
          new Response(
            JSON.stringify({
              error: {
                type: "card_error",
                code: "authentication_required",
                message: "Your card was declined. This transaction requires authentication.",
                payment_intent: {
                  ...paymentIntent({
                    id: "pi_offsession",
                    paymentId: r.form.get("metadata[paymentId]") as string,
                    accountId: acct.id,
                    amount: Number(r.form.get("amount")),
                    status: "requires_payment_method",
                  }),
                  last_payment_error: { type: "card_error", code: "authentication_required" },
                },
              },
            }),
            { status: 402 },
          ),
      ],
    ]);
    await api("PUT", `/v1/accounts/${acct.id}/auto-top-up`, {
      token: acct.adminKey,
      body: { enabled: true, threshold: "5.00", amount: "20.00" },
    });
    await api("POST", `/v1/accounts/${acct.id}/adjustments`, {
      body: { amount: "-6.00", reason: "spend" },
      headers: { "Idempotency-Key": "spend-1" },
    });
    await runDurableObjectAlarm(ledger(acct.id));
    const create = seen.find((r) => r.path === "/v1/payment_intents");
    expect(create?.form.get("off_session")).toBe("true");
    expect(create?.form.get("customer")).toBe("cus_T9");
    expect(create?.form.get("payment_method")).toBe("pm_9999");
    const view = await credit(acct.id);
    expect(view.autoTopUp.consecutiveFailures).toBe(1);
    expect(view.autoTopUp.status.message).toContain("Your bank asked to confirm this payment");
  });

  it("a processing payment is retrieved by its PaymentIntent id, never created again", async () => {
    const acct = await accountWithCard();
    const state = { status: "processing" };
    const seen = fakeStripe([
      [
        "POST",
        /^\/v1\/payment_intents$/,
        (r) =>
          paymentIntent({
            id: "pi_slow",
            paymentId: r.form.get("metadata[paymentId]") as string,
            accountId: acct.id,
            amount: Number(r.form.get("amount")),
            status: "processing",
          }),
      ],
      [
        "GET",
        /^\/v1\/payment_intents\/pi_slow$/,
        () => ({
          ...paymentIntent({ id: "pi_slow", paymentId: "x", accountId: acct.id, amount: 2500 }),
          status: state.status,
        }),
      ],
    ]);
    const res = await topUp(acct.id, acct.adminKey, { amount: "25.00" }, "slow");
    expect(res.body.status).toBe("pending");
    // No webhook came: the ledger's next look is a retrieval (its schedule moved, not the clock).
    const due = async () => {
      await runInDurableObject(ledger(acct.id), (_i, s) => {
        s.storage.sql.exec("UPDATE payments SET next_attempt_at_ms = 1");
      });
      await evictDurableObject(ledger(acct.id));
      await runDurableObjectAlarm(ledger(acct.id));
    };
    await due();
    expect((await api("GET", `/v1/accounts/${acct.id}/top-ups/${res.body.id}`)).body.status).toBe(
      "pending",
    );
    state.status = "succeeded";
    await due();
    expect((await credit(acct.id)).balance).toBe("25.00");
    expect(seen.filter((r) => r.method === "POST")).toHaveLength(1);
    expect(seen.filter((r) => r.method === "GET").length).toBeGreaterThanOrEqual(2);
  });
});
