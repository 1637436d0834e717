import { z } from "zod";
import { accountPath } from "../schemas";
import { authorizeBody } from "../routes/calls";
import { numbersBody } from "../routes/numbers";
import { switchCallPath, switchEndBody, switchExtendBody } from "../routes/switch-calls";
import type { Operation } from "./operation";
import * as r from "./responses";

const err = (description: string) => ({ description, schema: r.errorResponse });
const foundBy = z.string().describe("The account that holds the call's own number");

const numberEntry = z.strictObject({
  number: z.string().describe("E.164"),
  country: z.string().nullable(),
  type: z.string().describe("As the rating classifies it: fixed, mobile, toll-free, …"),
  tollFree: z.boolean(),
});
export const numbersResponse = z.strictObject({
  accountId: z.string(),
  numbers: z.array(numberEntry),
  moved: z
    .array(z.strictObject({ number: z.string(), fromAccountId: z.string() }))
    .optional()
    .describe("Numbers this assignment took from another account"),
  released: z.array(z.string()).optional().describe("Numbers the account no longer holds"),
});

const switchCall = {
  400: err("Invalid input; `details` names each field"),
  401: err("Missing or invalid token"),
  403: err("Not the switch token"),
  404: err("No account holds the call's number (`number_not_found`, naming `from` or `to`)"),
  503: err("The account's ledger or the rate deck did not answer; retry with the same ids"),
};

/** The number directory and the switch's call routes that find the account from it. */
export const SWITCH_OPERATIONS: Operation[] = [
  {
    method: "put",
    path: "/v1/accounts/:id/numbers",
    tag: "Numbers",
    summary: "Set the account's phone numbers (the whole set)",
    description:
      "One account per number: a number another account holds moves here and is listed in `moved`; numbers left out are released. Switches find the account from these numbers.",
    caller: "operator",
    pathParams: accountPath,
    body: { kind: "json", schema: numbersBody },
    responses: {
      200: { description: "The numbers the account now holds", schema: numbersResponse },
      400: err("Invalid input; `details` names each field"),
      401: err("Missing or invalid token"),
      403: err("Not the operator token"),
      404: err("No such account"),
    },
  },
  {
    method: "get",
    path: "/v1/accounts/:id/numbers",
    tag: "Numbers",
    summary: "List the account's phone numbers",
    caller: "account-any",
    pathParams: accountPath,
    responses: {
      200: { description: "The numbers the account holds", schema: numbersResponse },
      400: err("Invalid account id"),
      401: err("Missing or invalid token"),
      403: err("Not a key of the account or the operator"),
      404: err("No such account"),
    },
  },
  {
    method: "post",
    path: "/v1/calls/:callId/authorize",
    tag: "Calls",
    summary: "Authorize a call leg, the account found from the call's numbers",
    description:
      "As `/v1/accounts/:id/calls/:callId/authorize`; the account is the one holding the dialled number (inbound) or the calling number (outbound and forward legs).",
    caller: "switch",
    pathParams: switchCallPath,
    body: { kind: "json", schema: authorizeBody },
    responses: {
      200: {
        description: "Allowed or refused, with the grant",
        schema: r.authorizeResponse.extend({ accountId: foundBy }),
      },
      ...switchCall,
    },
  },
  {
    method: "post",
    path: "/v1/calls/:callId/extend",
    tag: "Calls",
    summary: "Extend a running leg, the account found from the call's numbers",
    description: "Carries the same `direction`, `from` and `to` as the authorize.",
    caller: "switch",
    pathParams: switchCallPath,
    body: { kind: "json", schema: switchExtendBody },
    responses: {
      200: {
        description: "A further grant, or refused",
        schema: r.extendResponse.extend({ accountId: foundBy }),
      },
      ...switchCall,
    },
  },
  {
    method: "post",
    path: "/v1/calls/:callId/end",
    tag: "Calls",
    summary: "Settle a leg's real duration, the account found from the call's numbers",
    description: "Carries the same `direction`, `from` and `to` as the authorize.",
    caller: "switch",
    pathParams: switchCallPath,
    body: { kind: "json", schema: switchEndBody },
    responses: {
      200: {
        description: "What was charged",
        schema: r.endResponse.extend({ accountId: foundBy }),
      },
      ...switchCall,
    },
  },
];
