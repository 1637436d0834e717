import { Hono } from "hono";
import { billingDetailsSchema } from "../../billing-details";
import { requireAccount } from "../auth";
import type { AppEnv } from "../context";
import { ledgerOf, unwrap } from "../ledger-client";
import * as schemas from "../schemas";
import { jsonBody, pathParams } from "../validate";

/** Who is invoiced and where: the account admin sets them, the Billing page shows them. */
export const billingDetails = new Hono<AppEnv>()
  .put("/:id/billing-details", async (c) => {
    const { id } = pathParams(c, schemas.accountPath);
    requireAccount(c, id, "admin");
    const details = await jsonBody(c, billingDetailsSchema);
    return c.json(unwrap(await ledgerOf(c.env, id).setBillingDetails(details)));
  })

  .get("/:id/billing-details", async (c) => {
    const { id } = pathParams(c, schemas.accountPath);
    requireAccount(c, id, "admin");
    return c.json(unwrap(await ledgerOf(c.env, id).billingDetails()));
  });
