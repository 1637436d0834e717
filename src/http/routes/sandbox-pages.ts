import { Hono } from "hono";
import { html } from "hono/html";
import { z } from "zod";
import { isProduction } from "../../config";
import { formatMoney } from "../../money";
import { fromStripeAmount } from "../../payments/stripe-currencies";
import {
  SANDBOX_CARD_SUCCEEDS,
  SANDBOX_TEST_CARDS,
  type SandboxGateway,
} from "../../payments/sandbox";
import type { AppEnv } from "../context";
import { ApiError } from "../errors";
import * as schemas from "../schemas";
import { formFields, pathParams } from "../validate";
import { workerGateway } from "./payment-method";

const intentPath = z.object({ ref: z.string().regex(/^pi_sandbox_[A-Za-z0-9_-]{1,80}$/) });
const setupPath = z.object({ id: schemas.accountId });

/** The sandbox stands in for Stripe's pages; only a development Worker on the sandbox has them. */
function sandboxOf(env: Env): SandboxGateway {
  if (isProduction(env) || env.PAYMENT_GATEWAY !== "sandbox")
    throw new ApiError(404, "route_not_found", "The sandbox's pages exist only in development.");
  return workerGateway(env) as SandboxGateway;
}

/** Only back to this service: the page must not become an open redirect. */
function returnTo(env: Env, raw: string | undefined): string {
  const fallback = new URL("/billing", env.PUBLIC_BASE_URL);
  if (!raw) return fallback.toString();
  try {
    const url = new URL(raw, env.PUBLIC_BASE_URL);
    return url.origin === fallback.origin ? url.toString() : fallback.toString();
  } catch {
    return fallback.toString();
  }
}

const page = (title: string, body: unknown) => html`<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <title>${title}</title>
    <style>
      body { font: 16px/1.5 system-ui, sans-serif; max-width: 32rem; margin: 3rem auto; padding: 0 1rem; }
      .badge { background: #fde68a; padding: 0.1rem 0.5rem; border-radius: 0.25rem; font-size: 0.8rem; }
      label { display: block; margin: 0.5rem 0; }
      button { font: inherit; padding: 0.5rem 1rem; margin-right: 0.5rem; }
    </style>
  </head>
  <body>
    <p><span class="badge">Sandbox</span> This page stands in for the payment provider's.</p>
    ${body}
  </body>
</html>`;

/**
 * The sandbox's hosted pages, served by the Worker in development: "save a card" (Stripe
 * Checkout in setup mode) and the bank's 3-D Secure challenge. Each action ends as Stripe's
 * would: a signed webhook to our webhook route, then the browser back to the service.
 */
export const sandboxPages = new Hono<AppEnv>()
  .get("/setup/:id", (c) => {
    sandboxOf(c.env);
    const { id } = pathParams(c, setupPath);
    const back = returnTo(c.env, c.req.query("return"));
    const cards = Object.entries(SANDBOX_TEST_CARDS).map(
      ([ref, card]) => html`<label>
        <input type="radio" name="paymentMethod" value="${ref}" ${ref === SANDBOX_CARD_SUCCEEDS ? "checked" : ""} />
        ${card.brand} ending ${card.last4}: ${card.behaviour}
      </label>`,
    );
    return c.html(
      page(
        "Save a card",
        html`<h1>Save a card</h1>
          <p>For account <code>${id}</code>. Choose a test card:</p>
          <form method="post">
            <input type="hidden" name="return" value="${back}" />
            ${cards}
            <button type="submit">Save card</button>
            <a href="${back}?card=cancelled#card">Cancel</a>
          </form>`,
      ),
    );
  })

  .post("/setup/:id", async (c) => {
    const sandbox = sandboxOf(c.env);
    const { id } = pathParams(c, setupPath);
    const form = await formFields(c);
    const method = String(form.paymentMethod ?? "");
    if (!Object.hasOwn(SANDBOX_TEST_CARDS, method))
      throw new ApiError(400, "invalid_request", "paymentMethod: choose one of the test cards.", [
        { field: "paymentMethod", issue: "is not a sandbox test card" },
      ]);
    await sandbox.completeCardSetup(id, method);
    return c.redirect(`${returnTo(c.env, String(form.return ?? ""))}?card=saved#card`, 303);
  })

  .get("/authenticate/:ref", async (c) => {
    const sandbox = sandboxOf(c.env);
    const { ref } = pathParams(c, intentPath);
    const pending = await sandbox.pendingAuthentication(ref);
    if (!pending) throw new ApiError(404, "payment_not_found", "No such sandbox payment.");
    const micros = fromStripeAmount(pending.amount, pending.currency);
    const amount = `${pending.currency} ${micros === null ? pending.amount : formatMoney(micros)}`;
    return c.html(
      page(
        "Confirm your payment",
        html`<h1>Test bank: confirm your payment</h1>
          <p>Your bank asks you to confirm a payment of <strong>${amount}</strong>.</p>
          ${
            pending.status === "requires_action"
              ? html`<form method="post">
                <button type="submit" name="outcome" value="approve">Complete authentication</button>
                <button type="submit" name="outcome" value="fail">Fail authentication</button>
              </form>`
              : html`<p>This payment is no longer waiting (${pending.status}).</p>`
          }`,
      ),
    );
  })

  .post("/authenticate/:ref", async (c) => {
    const sandbox = sandboxOf(c.env);
    const { ref } = pathParams(c, intentPath);
    const form = await formFields(c);
    const done = await sandbox.completeAuthentication(ref, form.outcome === "approve");
    if (!done) throw new ApiError(404, "payment_not_found", "No such sandbox payment.");
    return c.redirect(returnTo(c.env, done.returnUrl ?? undefined), 303);
  });
