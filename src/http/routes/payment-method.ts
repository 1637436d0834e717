import { exports } from "cloudflare:workers";
import { Hono } from "hono";
import { customerDetailsOf } from "../../billing-details";
import { gatewayFor } from "../../payments";
import type { CustomerDetails, GatewayAnswer, PaymentGateway } from "../../payments/gateway";
import { requireAccount } from "../auth";
import type { AppEnv } from "../context";
import { ApiError } from "../errors";
import { ledgerOf } from "../../ledger-client/ledger-of";
import { unwrap } from "../../ledger-client/refusals";
import * as schemas from "../schemas";
import { pathParams } from "../validate";
import { cardView } from "../views";

/**
 * The gateway as the Worker uses it: to read objects, create customers and hosted pages.
 * The sandbox's webhooks from its pages go straight to our own webhook route.
 */
export function workerGateway(env: Env): PaymentGateway {
  return gatewayFor(env, {
    sandbox: { db: env.DB, deliver: (request) => exports.default.fetch(request) },
  });
}

/** The gateway's answer, or a 503 the client may retry: the gateway, not the request, failed. */
export function gatewayValue<T>(answer: GatewayAnswer<T>): T {
  if (answer.ok) return answer.value;
  console.warn(JSON.stringify({ event: "gateway_call_failed", error: answer.message }));
  throw new ApiError(
    503,
    "payment_gateway_unavailable",
    "The payment gateway did not answer; try again in a moment.",
  );
}

/**
 * The account's customer at the gateway: created once (idempotently, the account id in its
 * metadata) and remembered by the ledger; with `details` (company name, invoice email,
 * address, VAT id from the billing details) it is created or updated with them.
 */
export async function saveGatewayCustomer(
  env: Env,
  accountId: string,
  given?: CustomerDetails,
): Promise<string> {
  const ledger = ledgerOf(env, accountId);
  const { customerRef } = unwrap(await ledger.gatewayCustomer());
  const stored = given ? null : await ledger.billingDetails();
  const details = given ?? (stored?.ok ? customerDetailsOf(stored.value) : undefined);
  const saved = gatewayValue(
    await workerGateway(env).saveCustomer({
      accountId,
      customerRef,
      ...(details ? { details } : {}),
    }),
  );
  if (saved.customerRef !== customerRef) unwrap(await ledger.setGatewayCustomer(saved.customerRef));
  return saved.customerRef;
}

export const paymentMethod = new Hono<AppEnv>()
  /** 201 {url}: the gateway's hosted page where the admin saves a card; it comes back to Billing. */
  .post("/:id/payment-method/setup", async (c) => {
    const { id } = pathParams(c, schemas.accountPath);
    requireAccount(c, id, "admin");
    const customerRef = await saveGatewayCustomer(c.env, id);
    const { url } = gatewayValue(
      await workerGateway(c.env).startCardSetup({
        accountId: id,
        customerRef,
        returnUrl: new URL("/billing", c.env.PUBLIC_BASE_URL).toString(),
      }),
    );
    return c.json({ url }, 201);
  })

  .get("/:id/payment-method", async (c) => {
    const { id } = pathParams(c, schemas.accountPath);
    requireAccount(c, id, "admin");
    return c.json(cardView(unwrap(await ledgerOf(c.env, id).paymentMethod())));
  })

  /** The card is detached at the gateway by the ledger's alarm, retried until it is. */
  .delete("/:id/payment-method", async (c) => {
    const { id } = pathParams(c, schemas.accountPath);
    requireAccount(c, id, "admin");
    unwrap(await ledgerOf(c.env, id).removeCard());
    return c.body(null, 204);
  });
