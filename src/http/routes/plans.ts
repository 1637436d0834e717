import { Hono } from "hono";
import { z } from "zod";
import { fairUseExceptionSchema, planSchema } from "../../rating/plan";
import { requireAccount, requireOperator } from "../auth";
import type { AppEnv } from "../context";
import { ApiError } from "../errors";
import { ledgerOf } from "../../ledger-client/ledger-of";
import { unwrap } from "../../ledger-client/refusals";
import { fairUseExceptionsView, spendControlsView } from "../rating-views";
import * as schemas from "../schemas";
import { jsonBody, pathParams } from "../validate";
import { userId } from "./calls";

/** Both limits are off unless set; null turns one off again. */
export const spendControlsBody = z.object({
  maxCostPerCall: schemas.positiveMoney.nullable().default(null),
  dailyCap: schemas.positiveMoney.nullable().default(null),
});

export const fairUseExceptionPath = schemas.accountPath.extend({ userId });

export const plans = new Hono<AppEnv>()
  /** The plan an operator sold: calling package and allowances. Replaces the previous one. */
  .put("/:id/plan", async (c) => {
    requireOperator(c);
    const { id } = pathParams(c, schemas.accountPath);
    c.set("accountId", id);
    const plan = await jsonBody(c, planSchema);
    return c.json(unwrap(await ledgerOf(c.env, id).setPlan(plan)));
  })

  .get("/:id/plan", async (c) => {
    const { id } = pathParams(c, schemas.accountPath);
    requireAccount(c, id, "admin");
    const plan = unwrap(await ledgerOf(c.env, id).plan());
    if (!plan)
      throw new ApiError(
        404,
        "plan_not_found",
        "The account has no plan: every call is billed from credit.",
      );
    return c.json(plan);
  })

  /** Spend controls: the account's admin (or an operator) sets a maximum cost per call and a daily cap. */
  .put("/:id/spend-controls", async (c) => {
    const { id } = pathParams(c, schemas.accountPath);
    requireAccount(c, id, "admin");
    const body = await jsonBody(c, spendControlsBody);
    const saved = unwrap(
      await ledgerOf(c.env, id).setSpendControls({
        maxCostPerCallMicros: body.maxCostPerCall,
        dailyCapMicros: body.dailyCap,
      }),
    );
    return c.json(spendControlsView(saved));
  })

  .get("/:id/spend-controls", async (c) => {
    const { id } = pathParams(c, schemas.accountPath);
    requireAccount(c, id, "admin");
    return c.json(spendControlsView(unwrap(await ledgerOf(c.env, id).spendControls())));
  })

  /** Users whose fair-use limit support set apart from the plan's. */
  .get("/:id/fair-use-exceptions", async (c) => {
    const { id } = pathParams(c, schemas.accountPath);
    requireAccount(c, id, "admin");
    return c.json(fairUseExceptionsView(unwrap(await ledgerOf(c.env, id).fairUseExceptions())));
  })

  /** Support gives one user a monthly fair-use limit of their own; it applies from their next call. */
  .put("/:id/fair-use-exceptions/:userId", async (c) => {
    requireOperator(c);
    const { id, userId } = pathParams(c, fairUseExceptionPath);
    c.set("accountId", id);
    const { minutesPerMonth } = await jsonBody(c, fairUseExceptionSchema);
    const saved = unwrap(await ledgerOf(c.env, id).setFairUseException(userId, minutesPerMonth));
    return c.json(fairUseExceptionsView(saved));
  })

  /** The user is back on the plan's limit; removing a limit that is not set changes nothing. */
  .delete("/:id/fair-use-exceptions/:userId", async (c) => {
    requireOperator(c);
    const { id, userId } = pathParams(c, fairUseExceptionPath);
    c.set("accountId", id);
    const saved = unwrap(await ledgerOf(c.env, id).setFairUseException(userId, null));
    return c.json(fairUseExceptionsView(saved));
  });
