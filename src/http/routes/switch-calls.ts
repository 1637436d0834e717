import { Hono, type Context } from "hono";
import { z } from "zod";
import { numberOwner } from "../../numbers/cache";
import { accountNumberOf } from "../../numbers/call-owner";
import { requireSwitch } from "../auth";
import type { AppEnv } from "../context";
import { ApiError } from "../errors";
import { authorizeView, endView, extendView } from "../rating-views";
import { jsonBody, pathParams } from "../validate";
import {
  authorizeBody,
  authorizeLeg,
  callId,
  endBody,
  endLeg,
  extendBody,
  extendLeg,
  phoneNumber,
  type LegAccount,
} from "./calls";

/**
 * The switch's form of the call routes: no account in the path. Switches know numbers, not
 * billing accounts, so the account is the one holding the call's own number (the dialled
 * number inbound, the calling number outbound), read from the number directory's isolate
 * cache. Extend and end carry the same three fields as authorize, so any isolate finds the
 * same account without remembering the call.
 */
export const switchCallPath = z.object({ callId });
const callNumbers = z.object({
  direction: z.enum(["outbound", "inbound"]),
  from: phoneNumber,
  to: phoneNumber,
});
export const switchExtendBody = extendBody.extend(callNumbers.shape);
export const switchEndBody = endBody.extend(callNumbers.shape);

async function accountOfCall(
  c: Context<AppEnv>,
  call: z.output<typeof callNumbers>,
): Promise<LegAccount> {
  const number = accountNumberOf(call);
  const owner = await numberOwner(c.env.DB, number);
  if (!owner) {
    const field = call.direction === "inbound" ? "to" : "from";
    throw new ApiError(
      404,
      "number_not_found",
      `${field}: no account holds ${number}; an operator assigns it with PUT /v1/accounts/:id/numbers.`,
      [{ field, issue: "no account holds this number" }],
    );
  }
  c.set("accountId", owner.accountId);
  return owner;
}

export const switchCalls = new Hono<AppEnv>()
  .post("/:callId/authorize", async (c) => {
    requireSwitch(c);
    const { callId } = pathParams(c, switchCallPath);
    const body = await jsonBody(c, authorizeBody);
    const account = await accountOfCall(c, body);
    const answer = await authorizeLeg(c, account, callId, body);
    return c.json({ ...authorizeView(answer), accountId: account.accountId });
  })

  .post("/:callId/extend", async (c) => {
    requireSwitch(c);
    const { callId } = pathParams(c, switchCallPath);
    const body = await jsonBody(c, switchExtendBody);
    const account = await accountOfCall(c, body);
    const answer = await extendLeg(c, account, callId, body);
    return c.json({ ...extendView(answer), accountId: account.accountId });
  })

  .post("/:callId/end", async (c) => {
    requireSwitch(c);
    const { callId } = pathParams(c, switchCallPath);
    const body = await jsonBody(c, switchEndBody);
    const account = await accountOfCall(c, body);
    const answer = await endLeg(c, account, callId, body);
    return c.json({ ...endView(answer), accountId: account.accountId });
  });
