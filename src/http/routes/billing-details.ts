import { Hono } from "hono";
import { billingDetailsSchema, customerDetailsOf } from "../../billing-details";
import { requireAccount } from "../auth";
import type { AppEnv } from "../context";
import { ledgerOf } from "../../ledger-client/ledger-of";
import { unwrap } from "../../ledger-client/refusals";
import * as schemas from "../schemas";
import { jsonBody, pathParams } from "../validate";
import { saveGatewayCustomer } from "./payment-method";

/** Who is invoiced and where: the account admin sets them, the Billing page shows them. */
export const billingDetails = new Hono<AppEnv>()
  .put("/:id/billing-details", async (c) => {
    const { id } = pathParams(c, schemas.accountPath);
    requireAccount(c, id, "admin");
    const details = await jsonBody(c, billingDetailsSchema);
    const ledger = ledgerOf(c.env, id);
    const saved = unwrap(await ledger.setBillingDetails(details));
    // The gateway's customer gets them too where one exists (a new one gets them when the
    // first card is saved). The details of record are ours: a gateway that does not answer
    // now is told at the next card setup, so the admin's save does not fail for it.
    if (unwrap(await ledger.gatewayCustomer()).customerRef !== null) {
      try {
        await saveGatewayCustomer(c.env, id, customerDetailsOf(saved));
      } catch (error) {
        console.warn(
          JSON.stringify({
            event: "customer_details_not_sent",
            accountId: id,
            error: String(error),
          }),
        );
      }
    }
    return c.json(saved);
  })

  .get("/:id/billing-details", async (c) => {
    const { id } = pathParams(c, schemas.accountPath);
    requireAccount(c, id, "admin");
    return c.json(unwrap(await ledgerOf(c.env, id).billingDetails()));
  });
