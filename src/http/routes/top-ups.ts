import { Hono } from "hono";
import { z } from "zod";
import type { Micros } from "../../money";
import { AUTO_TOP_UPS_PER_DAY_DEFAULT } from "../../payments/auto-top-up-policy";
import { chargeRefusal } from "../../payments/stripe-currencies";
import { requireAccount } from "../auth";
import type { AppEnv } from "../context";
import { sha256Hex } from "../crypto";
import { invalidField } from "../errors";
import { ledgerOf } from "../../ledger-client/ledger-of";
import { unwrap } from "../../ledger-client/refusals";
import * as schemas from "../schemas";
import { idempotency, jsonBody, pathParams } from "../validate";
import { creditView, topUpView } from "../views";

/** The largest single top-up: a typo of a few zeros should not reach a card. */
export const TOP_UP_MAX_MICROS: Micros = 100_000 * 1_000_000;

const paymentMethod = z
  .string()
  .regex(/^[A-Za-z0-9_]{3,100}$/, "must be a saved payment method id such as pm_card_visa");
const chargeable = schemas.positiveMoney.refine(
  (micros) => micros <= TOP_UP_MAX_MICROS,
  "is larger than a single top-up may be",
);

export const topUpBody = z.object({ amount: chargeable, paymentMethod: paymentMethod.optional() });

export const autoTopUpBody = z.object({
  enabled: z.boolean(),
  threshold: schemas.nonNegativeMoney,
  amount: chargeable,
  paymentMethod: paymentMethod.optional(),
  maxPerDay: z.number().int().min(1).max(50).default(AUTO_TOP_UPS_PER_DAY_DEFAULT),
});

export const alertsBody = z.object({
  lowBalanceLevel: schemas.nonNegativeMoney.nullable(),
  webhookUrl: z
    .url({ protocol: /^https?$/ })
    .nullable()
    .default(null),
});

export const topUpPath = schemas.accountPath.extend({
  topUpId: z.string().regex(/^(top|atu)_[A-Za-z0-9_-]{10,40}$/, "is not a top-up id"),
});

/** What the gateway cannot charge in the account's currency is refused up front, never declined. */
async function chargeableIn(
  env: Env,
  accountId: string,
  field: string,
  micros: Micros,
): Promise<void> {
  const credit = unwrap(await ledgerOf(env, accountId).credit());
  const refusal = chargeRefusal(micros, credit.currency);
  if (refusal) throw invalidField(field, refusal);
}

/**
 * Where the gateway sends the admin's browser back after the bank's page. It proves nothing
 * (anyone may open it), so it only makes the ledger ask the gateway how the payment stands,
 * then shows the outcome on the Billing page. Webhook first or redirect first, the credit
 * is posted once.
 */
export const topUpReturns = new Hono<AppEnv>().get("/return/:id/:topUpId", async (c) => {
  const { id, topUpId } = pathParams(c, topUpPath);
  await ledgerOf(c.env, id).reconcileTopUp(topUpId);
  return c.redirect(`/billing?topUp=${encodeURIComponent(topUpId)}#add-credit`, 303);
});

export const topUps = new Hono<AppEnv>()
  /**
   * 202: the credit appears when the payment succeeds, which the gateway confirms later;
   * `status: "requires_action"` with `nextAction.url` when the bank wants the cardholder.
   */
  .post("/:id/top-ups", async (c) => {
    const { id } = pathParams(c, schemas.accountPath);
    requireAccount(c, id, "admin");
    const body = await jsonBody(c, topUpBody);
    const key = await idempotency(c, "top-ups", body, true);
    await chargeableIn(c.env, id, "amount", body.amount);
    const payment = unwrap(
      await ledgerOf(c.env, id).requestTopUp({
        ...key,
        amountMicros: body.amount,
        paymentMethod: body.paymentMethod ?? null,
      }),
    );
    return c.json(topUpView(payment), 202);
  })

  .get("/:id/top-ups/:topUpId", async (c) => {
    const { id, topUpId } = pathParams(c, topUpPath);
    requireAccount(c, id, "admin");
    return c.json(topUpView(unwrap(await ledgerOf(c.env, id).topUp(topUpId))));
  })

  .put("/:id/auto-top-up", async (c) => {
    const { id } = pathParams(c, schemas.accountPath);
    requireAccount(c, id, "admin");
    const body = await jsonBody(c, autoTopUpBody);
    await chargeableIn(c.env, id, "amount", body.amount);
    const ledger = ledgerOf(c.env, id);
    unwrap(
      await ledger.configureAutoTopUp({
        enabled: body.enabled,
        thresholdMicros: body.threshold,
        amountMicros: body.amount,
        // Without one, auto top-up charges the card on file (and says so when there is none).
        paymentMethod: body.paymentMethod ?? null,
        maxPerDay: body.maxPerDay,
      }),
    );
    // The cron sweep visits only accounts that have auto top-up on.
    await c.env.DB.prepare("UPDATE accounts SET auto_top_up_enabled = ? WHERE id = ?")
      .bind(body.enabled ? 1 : 0, id)
      .run();
    return c.json(creditView(unwrap(await ledger.credit())).autoTopUp);
  })

  /**
   * The low-balance level and an optional webhook for alerts. The webhook's signing secret
   * is derived from the service secret, so it can be shown again without being stored.
   */
  .put("/:id/alerts", async (c) => {
    const { id } = pathParams(c, schemas.accountPath);
    requireAccount(c, id, "admin");
    const body = await jsonBody(c, alertsBody);
    const webhookSecret = `whsec_${(await sha256Hex(`${c.env.SIGNING_SECRET}:alerts:${id}`)).slice(0, 40)}`;
    const credit = unwrap(
      await ledgerOf(c.env, id).setAlertSettings({
        lowBalanceLevelMicros: body.lowBalanceLevel,
        webhook: body.webhookUrl ? { url: body.webhookUrl, secret: webhookSecret } : null,
      }),
    );
    return c.json({
      ...creditView(credit),
      webhook: body.webhookUrl ? { url: body.webhookUrl, secret: webhookSecret } : null,
    });
  });
