import { accountPath } from "../schemas";
import { apiKeyBody, createAccountBody } from "../routes/accounts";
import { adjustmentBody, movementsQuery } from "../routes/credit";
import { downloadPath, exportPath } from "../routes/exports";
import { alertsBody, autoTopUpBody, topUpBody, topUpPath } from "../routes/top-ups";
import { IDEMPOTENCY_HEADER, type Operation } from "./operation";
import * as r from "./responses";

const err = (description: string) => ({ description, schema: r.errorResponse });
const common = {
  400: err("Invalid input; `details` names each field"),
  401: err("Missing or invalid token"),
  404: err("No such account (also for another account's key)"),
};

/** Accounts, keys, credit, movements, top-ups, alerts, exports and the payment webhook. */
export const CREDIT_OPERATIONS: Operation[] = [
  {
    method: "post",
    path: "/v1/accounts",
    tag: "Accounts",
    summary: "Create an account",
    description:
      "Idempotent by id: the same body again answers 200 with the account; another body under a taken id is 409.",
    caller: "operator",
    body: { kind: "json", schema: createAccountBody },
    responses: {
      201: { description: "Created", schema: r.accountResponse },
      200: { description: "Already exists with the same settings", schema: r.accountResponse },
      400: common[400],
      409: { ...err("The id is taken with other settings"), codes: ["account_exists"] },
    },
  },
  {
    method: "get",
    path: "/v1/accounts/:id",
    tag: "Accounts",
    summary: "Read an account",
    caller: "account-any",
    pathParams: accountPath,
    responses: { 200: { description: "The account", schema: r.accountResponse }, ...common },
  },
  {
    method: "post",
    path: "/v1/accounts/:id/api-keys",
    tag: "Accounts",
    summary: "Create an API key of the account",
    description:
      "The secret is returned once and stored hashed. Admin keys open the billing routes; agent keys do not.",
    caller: "operator",
    pathParams: accountPath,
    headers: [IDEMPOTENCY_HEADER(false)],
    body: { kind: "json", schema: apiKeyBody },
    responses: {
      201: { description: "Created; `key` is the secret", schema: r.apiKeyResponse },
      200: {
        description: "A retry: the key made earlier, without its secret",
        schema: r.apiKeyResponse,
      },
      ...common,
      409: err("Idempotency-Key reused with another body"),
    },
  },
  {
    method: "post",
    path: "/v1/accounts/:id/adjustments",
    tag: "Credit",
    summary: "Post a signed adjustment with a reason",
    caller: "operator",
    pathParams: accountPath,
    headers: [IDEMPOTENCY_HEADER(true)],
    body: { kind: "json", schema: adjustmentBody },
    refusals: ["insufficient_credit", "idempotency_conflict"],
    responses: {
      201: { description: "The movement written", schema: r.adjustmentResponse },
      ...common,
      409: err("Idempotency-Key reused with another body"),
    },
  },
  {
    method: "get",
    path: "/v1/accounts/:id/credit",
    tag: "Credit",
    summary: "Balance, available and reserved credit, alerts and auto top-up",
    caller: "account-admin",
    pathParams: accountPath,
    responses: {
      200: { description: "The credit view", schema: r.creditResponse },
      ...common,
      403: err("Not an admin key"),
    },
  },
  {
    method: "get",
    path: "/v1/accounts/:id/movements",
    tag: "Credit",
    summary: "List credit movements, oldest first, by cursor",
    caller: "account-admin",
    pathParams: accountPath,
    query: movementsQuery,
    responses: {
      200: { description: "A page of movements", schema: r.movementsResponse },
      ...common,
      403: err("Not an admin key"),
    },
  },
  {
    method: "post",
    path: "/v1/accounts/:id/top-ups",
    tag: "Top-ups",
    summary: "Add credit with a one-time payment",
    description:
      "Charged to the given or the saved payment method. The credit appears when the gateway confirms; poll the top-up.",
    caller: "account-admin",
    pathParams: accountPath,
    headers: [IDEMPOTENCY_HEADER(true)],
    body: { kind: "json", schema: topUpBody },
    refusals: ["no_payment_method", "idempotency_conflict"],
    responses: {
      202: { description: "Accepted; pending", schema: r.topUpResponse },
      ...common,
      403: err("Not an admin key"),
      409: err("Idempotency-Key reused with another body"),
    },
  },
  {
    method: "get",
    path: "/v1/accounts/:id/top-ups/:topUpId",
    tag: "Top-ups",
    summary: "Read a top-up: pending, succeeded or failed",
    caller: "account-admin",
    pathParams: topUpPath,
    refusals: ["top_up_not_found"],
    responses: {
      200: { description: "The payment", schema: r.topUpResponse },
      ...common,
      403: err("Not an admin key"),
    },
  },
  {
    method: "put",
    path: "/v1/accounts/:id/auto-top-up",
    tag: "Top-ups",
    summary: "Set up auto top-up: enabled, threshold, amount",
    description:
      "When available credit drops below the threshold the ledger starts exactly one payment; failures back off and are shown in `status`.",
    caller: "account-admin",
    pathParams: accountPath,
    body: { kind: "json", schema: autoTopUpBody },
    responses: {
      200: { description: "The saved settings and status", schema: r.autoTopUpResponse },
      ...common,
      403: err("Not an admin key"),
    },
  },
  {
    method: "put",
    path: "/v1/accounts/:id/alerts",
    tag: "Credit",
    summary: "Set the low-balance level and the alert webhook",
    caller: "account-admin",
    pathParams: accountPath,
    body: { kind: "json", schema: alertsBody },
    responses: {
      200: {
        description: "The credit view and the webhook's signing secret",
        schema: r.alertsResponse,
      },
      ...common,
      403: err("Not an admin key"),
    },
  },
  {
    method: "post",
    path: "/v1/accounts/:id/exports",
    tag: "Exports",
    summary: "Export credit movements (CSV, today and up to the last 30 days)",
    description:
      "Processed in the background; an email carries the link. Asked again while one is in flight, it answers that one and creates nothing.",
    caller: "account-admin",
    pathParams: accountPath,
    responses: {
      202: { description: "Processing (new or in flight)", schema: r.exportResponse },
      ...common,
      403: err("Not an admin key"),
    },
  },
  {
    method: "get",
    path: "/v1/accounts/:id/exports/:exportId",
    tag: "Exports",
    summary: "Read an export: processing, ready (with a download link) or failed",
    caller: "account-admin",
    pathParams: exportPath,
    refusals: ["export_not_found"],
    responses: {
      200: { description: "The export", schema: r.exportResponse },
      ...common,
      403: err("Not an admin key"),
    },
  },
  {
    method: "get",
    path: "/v1/exports/:exportId/download",
    tag: "Exports",
    summary: "Download an export's CSV by its signed link",
    description:
      "Query `expires` and `signature` come from the email or the export's `downloadUrl`; no bearer token.",
    caller: "signed-link",
    pathParams: downloadPath,
    responses: {
      200: { description: "The CSV file", contentType: "text/csv" },
      404: { ...err("No such export, or its file was removed"), codes: ["export_file_removed"] },
    },
  },
  {
    method: "post",
    path: "/v1/webhooks/payments",
    tag: "Webhooks",
    summary: "Payment gateway confirmations (Stripe-signed events)",
    caller: "gateway-signature",
    headers: [
      {
        name: "Stripe-Signature",
        required: true,
        description: "The gateway's signature of the raw body",
      },
    ],
    body: {
      kind: "raw",
      contentType: "application/json",
      description: "A Stripe payment_intent.succeeded or payment_intent.payment_failed event",
    },
    responses: {
      200: { description: "Received", schema: r.webhookAckResponse },
      400: {
        ...err("Forged, stale or malformed delivery"),
        codes: ["bad_signature", "stale_timestamp", "malformed"],
      },
    },
  },
];
