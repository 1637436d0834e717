import { fairUseExceptionSchema, planSchema } from "../../rating/plan";
import { serviceRatesSchema } from "../../rating/service-rates";
import { accountPath } from "../schemas";
import { authorizeBody, callPath, endBody, extendBody, quoteBody } from "../routes/calls";
import { messageBody, messagePath } from "../routes/messages";
import { fairUseExceptionPath, spendControlsBody } from "../routes/plans";
import { invoiceUsageQuery, usageBody, usagePath, usageQuery } from "../routes/usage";
import type { Operation } from "./operation";
import * as r from "./responses";

const err = (description: string) => ({ description, schema: r.errorResponse });
const common = {
  400: err("Invalid input; `details` names each field"),
  401: err("Missing or invalid token"),
  404: err("No such account"),
};
const csvBody = (columns: string) => ({
  kind: "raw" as const,
  contentType: "text/csv",
  description: `One row per line: \`${columns}\`. Validated whole; a bad row names its line and nothing is replaced.`,
});

/** Plans, rate decks, the switch's call legs, messages, AI usage and the usage report. */
export const RATING_OPERATIONS: Operation[] = [
  {
    method: "put",
    path: "/v1/accounts/:id/plan",
    tag: "Plans",
    summary: "Set the account's calling package and allowances",
    caller: "operator",
    pathParams: accountPath,
    body: { kind: "json", schema: planSchema },
    responses: { 200: { description: "The plan in force" }, ...common },
  },
  {
    method: "get",
    path: "/v1/accounts/:id/plan",
    tag: "Plans",
    summary: "Read the account's plan",
    caller: "account-admin",
    pathParams: accountPath,
    responses: {
      200: { description: "The plan in force" },
      ...common,
      403: err("Not an admin key"),
    },
  },
  {
    method: "put",
    path: "/v1/accounts/:id/spend-controls",
    tag: "Plans",
    summary: "Set a maximum cost per call and a daily spend cap (off by default)",
    caller: "account-admin",
    pathParams: accountPath,
    body: { kind: "json", schema: spendControlsBody },
    responses: {
      200: { description: "The controls in force", schema: r.spendControlsResponse },
      ...common,
      403: err("Not an admin key"),
    },
  },
  {
    method: "get",
    path: "/v1/accounts/:id/spend-controls",
    tag: "Plans",
    summary: "Read the spend controls",
    caller: "account-admin",
    pathParams: accountPath,
    responses: {
      200: { description: "The controls in force", schema: r.spendControlsResponse },
      ...common,
      403: err("Not an admin key"),
    },
  },
  {
    method: "get",
    path: "/v1/rates",
    tag: "Rates",
    summary: "The rate decks in force",
    caller: "operator",
    responses: {
      200: { description: "One entry per kind", schema: r.rateDecksResponse },
      401: common[401],
    },
  },
  {
    method: "put",
    path: "/v1/rates/calls",
    tag: "Rates",
    summary: "Upload the call rate deck",
    caller: "operator",
    body: csvBody("prefix,destination,rate_per_minute[,initial_increment,subsequent_increment]"),
    responses: {
      200: {
        description: "The new version (or the same one, unchanged)",
        schema: r.rateDeckResponse,
      },
      400: err("A bad row; the old deck stays in force"),
      401: common[401],
      413: err("Larger than a deck may be"),
    },
  },
  {
    method: "put",
    path: "/v1/rates/messages",
    tag: "Rates",
    summary: "Upload the message rate deck",
    caller: "operator",
    body: csvBody("country,channel,price_per_fragment"),
    responses: {
      200: {
        description: "The new version (or the same one, unchanged)",
        schema: r.rateDeckResponse,
      },
      400: err("A bad row; the old deck stays in force"),
      401: common[401],
      413: err("Larger than a deck may be"),
    },
  },
  {
    method: "put",
    path: "/v1/rates/services",
    tag: "Rates",
    summary: "Set the per-minute prices of AI services and toll-free calls",
    description:
      "`toll-free-outbound` is optional: without it a call placed from a toll-free number is billed at its destination's rate.",
    caller: "operator",
    body: { kind: "json", schema: serviceRatesSchema },
    responses: {
      200: { description: "The new version", schema: r.rateDeckResponse },
      400: common[400],
      401: common[401],
    },
  },
  {
    method: "post",
    path: "/v1/accounts/:id/calls/:callId/authorize",
    tag: "Calls",
    summary: "May this call leg start, how is it billed, for how long?",
    description:
      "Credit-billed legs are backed by a reservation for the grant. The same call id and leg again answer the same.",
    caller: "switch",
    pathParams: callPath,
    body: { kind: "json", schema: authorizeBody },
    responses: {
      200: { description: "Allowed or refused, with the grant", schema: r.authorizeResponse },
      ...common,
    },
  },
  {
    method: "post",
    path: "/v1/accounts/:id/calls/:callId/extend",
    tag: "Calls",
    summary: "Ask for more time on a running leg",
    caller: "switch",
    pathParams: callPath,
    body: { kind: "json", schema: extendBody },
    responses: {
      200: { description: "A further grant, or refused", schema: r.extendResponse },
      ...common,
    },
  },
  {
    method: "post",
    path: "/v1/accounts/:id/calls/:callId/end",
    tag: "Calls",
    summary: "Settle a leg's real duration",
    caller: "switch",
    pathParams: callPath,
    body: { kind: "json", schema: endBody },
    responses: { 200: { description: "What was charged", schema: r.endResponse }, ...common },
  },
  {
    method: "post",
    path: "/v1/accounts/:id/calls/quote",
    tag: "Calls",
    summary: "What a call would cost and why; changes nothing",
    caller: "switch-or-account",
    pathParams: accountPath,
    body: { kind: "json", schema: quoteBody },
    responses: {
      200: { description: "The price and the rule that applies", schema: r.quoteResponse },
      ...common,
    },
  },
  {
    method: "post",
    path: "/v1/accounts/:id/messages/:messageId",
    tag: "Messages and AI",
    summary: "Charge an SMS, MMS or WhatsApp message",
    caller: "switch",
    pathParams: messagePath,
    body: { kind: "json", schema: messageBody },
    responses: {
      201: { description: "Charged", schema: r.messageChargeResponse },
      ...common,
      402: err("Credit is 0 or below"),
    },
  },
  {
    method: "post",
    path: "/v1/accounts/:id/usage/:usageId",
    tag: "Messages and AI",
    summary: "Charge speech-to-text, AI voice agent or Conversation Intelligence minutes",
    caller: "switch",
    pathParams: usagePath,
    body: { kind: "json", schema: usageBody },
    responses: {
      201: {
        description:
          "Charged (the month's allowance first); a service the plan bills by invoice is recorded with its amount and not debited",
        schema: r.usageChargeResponse,
      },
      ...common,
      402: err("Credit is 0 or below, for a service billed from credit"),
      409: err("This usage id was used with another request"),
    },
  },
  {
    method: "get",
    path: "/v1/accounts/:id/usage",
    tag: "Usage",
    summary: "Usage & overages of a month",
    description:
      "Package minutes per user against fair use, allowances used, and spend per category. The month defaults to the current one in the account's time zone.",
    caller: "account-admin",
    pathParams: accountPath,
    query: usageQuery,
    responses: {
      200: { description: "The month's report", schema: r.usageReportResponse },
      ...common,
      403: err("Not an admin key"),
    },
  },
  {
    method: "get",
    path: "/v1/accounts/:id/invoice-usage",
    tag: "Usage",
    summary: "A month's AI usage billed by invoice, for the operator's invoice",
    description:
      "Every record of a service the plan bills by invoice, oldest first, with the month's totals per service. Not credit movements: the balance and the credit export never show them.",
    caller: "operator",
    pathParams: accountPath,
    query: invoiceUsageQuery,
    responses: {
      200: { description: "One page of the month's records", schema: r.invoiceUsageResponse },
      ...common,
      403: err("Not the operator"),
    },
  },
  {
    method: "get",
    path: "/v1/accounts/:id/fair-use-exceptions",
    tag: "Plans",
    summary: "Users with a fair-use limit of their own",
    caller: "account-admin",
    pathParams: accountPath,
    responses: {
      200: { description: "Every exception, by user", schema: r.fairUseExceptionsResponse },
      ...common,
      403: err("Not an admin key"),
    },
  },
  {
    method: "put",
    path: "/v1/accounts/:id/fair-use-exceptions/:userId",
    tag: "Plans",
    summary: "Give one user a monthly fair-use limit of their own (support)",
    description:
      "Decisions, the split at the limit and the usage report use it from the user's next call; everyone else keeps the plan's limit (3 000 minutes by default).",
    caller: "operator",
    pathParams: fairUseExceptionPath,
    body: { kind: "json", schema: fairUseExceptionSchema },
    responses: {
      200: { description: "Every exception, by user", schema: r.fairUseExceptionsResponse },
      ...common,
      403: err("Not the operator"),
      409: err("The account has the most exceptions allowed"),
    },
  },
  {
    method: "delete",
    path: "/v1/accounts/:id/fair-use-exceptions/:userId",
    tag: "Plans",
    summary: "Put one user back on the plan's fair-use limit",
    caller: "operator",
    pathParams: fairUseExceptionPath,
    responses: {
      200: { description: "Every exception left, by user", schema: r.fairUseExceptionsResponse },
      ...common,
      403: err("Not the operator"),
    },
  },
];
