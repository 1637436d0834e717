import { Hono } from "hono";
import { isProduction } from "../../config";
import { seedDemo } from "../../dev/seed";
import { z } from "zod";
import { listMailbox } from "../../notify";
import { sandboxPaymentRef, type SandboxGateway } from "../../payments/sandbox";
import { requireOperator } from "../auth";
import type { AppEnv } from "../context";
import { ApiError, invalidField } from "../errors";
import * as schemas from "../schemas";
import { jsonBody, pathParams } from "../validate";
import { workerGateway } from "./payment-method";
import { topUpPath } from "./top-ups";

export const refundBody = z.object({ amount: schemas.positiveMoney.optional() });
export const disputeBody = z.object({ status: z.enum(["needs_response", "won", "lost"]) });

/**
 * Fires what the gateway would send for a sandbox top-up (a refund from the dashboard, a
 * dispute and its outcome, Radar's fraud warning) through the signed webhook route, and
 * answers with what that route answered.
 */
async function fireChargeEvent(
  env: Env,
  topUpId: string,
  what: Parameters<SandboxGateway["fireChargeEvent"]>[1],
): Promise<Response> {
  if (env.PAYMENT_GATEWAY !== "sandbox")
    throw new ApiError(404, "route_not_found", "These routes play the sandbox gateway only.");
  const sandbox = workerGateway(env) as SandboxGateway;
  const answer = await sandbox.fireChargeEvent(sandboxPaymentRef(topUpId), what);
  if (answer === "no_such_payment")
    throw new ApiError(404, "top_up_not_found", "No succeeded sandbox payment for this top-up.");
  if (answer === "not_chargeable")
    throw invalidField("amount", "must be a whole number of the currency's minor units");
  return new Response(answer.body, { status: answer.status, headers: answer.headers });
}

/** Local-development helpers; a production deployment does not have them. */
export function devRoutes(app: Hono<AppEnv>) {
  return (
    new Hono<AppEnv>()
      .use(async (c, next) => {
        if (isProduction(c.env))
          throw new ApiError(404, "route_not_found", `No route for ${c.req.method} ${c.req.path}.`);
        await next();
      })
      .post("/seed", async (c) => {
        requireOperator(c);
        return c.json(await seedDemo(app, c.env));
      })
      /** The local mailbox: every email the service would have sent, newest first. */
      .get("/mailbox", async (c) => {
        requireOperator(c);
        const to = c.req.query("to");
        return c.json({ emails: await listMailbox(c.env.DB, to ? { to } : {}) });
      })
      .post("/payments/:id/:topUpId/refund", async (c) => {
        requireOperator(c);
        const { topUpId } = pathParams(c, topUpPath);
        const body = await jsonBody(c, refundBody);
        return fireChargeEvent(c.env, topUpId, {
          kind: "refund",
          ...(body.amount === undefined ? {} : { amountMicros: body.amount }),
        });
      })
      .post("/payments/:id/:topUpId/dispute", async (c) => {
        requireOperator(c);
        const { topUpId } = pathParams(c, topUpPath);
        const body = await jsonBody(c, disputeBody);
        return fireChargeEvent(c.env, topUpId, { kind: "dispute", status: body.status });
      })
      .post("/payments/:id/:topUpId/fraud-warning", async (c) => {
        requireOperator(c);
        const { topUpId } = pathParams(c, topUpPath);
        return fireChargeEvent(c.env, topUpId, { kind: "fraud_warning" });
      })
  );
}
