import { billingDetailsSchema } from "../../billing-details";
import { z } from "zod";
import { accountPath } from "../schemas";
import { apiKeyBody, createAccountBody } from "../routes/accounts";
import { adjustmentBody, movementsQuery } from "../routes/credit";
import { downloadPath, exportPath } from "../routes/exports";
import { alertsBody, autoTopUpBody, topUpBody, topUpPath } from "../routes/top-ups";
import { disputeBody, refundBody } from "../routes/dev";
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
      409: err("The id is taken with other settings"),
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
      "Charged at once, on-session, to the given or the saved card. The credit appears when the gateway confirms; poll the top-up. When the bank wants the cardholder, the answer is `requires_action` with `nextAction.url`: send the browser there; it comes back to the Billing page. An authentication not completed within 30 minutes ends `failed`.",
    caller: "account-admin",
    pathParams: accountPath,
    headers: [IDEMPOTENCY_HEADER(true)],
    body: { kind: "json", schema: topUpBody },
    responses: {
      202: {
        description: "Accepted; pending, or requires_action with nextAction.url",
        schema: r.topUpResponse,
      },
      ...common,
      400: err(
        "Invalid input, no saved card, or an amount the gateway cannot charge (field named)",
      ),
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
      403: err("Expired or invalid link"),
      404: err("No such export, or its file was removed"),
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
      description:
        "A Stripe event: payment_intent.*, checkout.session.completed, setup_intent.succeeded, payment_method.*, customer.deleted, charge.refunded, charge.dispute.*, radar.early_fraud_warning.created. Other genuine types are acknowledged and logged.",
    },
    responses: {
      200: { description: "Received (applied, or why not)", schema: r.webhookAckResponse },
      400: err("Forged, stale or malformed delivery"),
      503: err("The gateway could not be asked about the event; it delivers again"),
    },
  },
  {
    method: "post",
    path: "/v1/accounts/:id/payment-method/setup",
    tag: "Card",
    summary: "Start saving a card: the gateway's hosted page",
    description:
      "Creates the account's gateway customer once, then a hosted page (Stripe Checkout, setup mode; the sandbox's own page in development) where the admin saves a card for later off-session charges. The gateway's webhook records it; a new card replaces (and detaches) the old one.",
    caller: "account-admin",
    pathParams: accountPath,
    responses: {
      201: { description: "Where to send the admin", schema: r.cardSetupResponse },
      ...common,
      403: err("Not an admin key"),
      503: err("The payment gateway did not answer; retry"),
    },
  },
  {
    method: "get",
    path: "/v1/accounts/:id/payment-method",
    tag: "Card",
    summary: "The card on file: brand, last 4, expiry",
    caller: "account-admin",
    pathParams: accountPath,
    responses: {
      200: { description: "The saved card", schema: r.paymentMethodResponse },
      ...common,
      403: err("Not an admin key"),
      404: err("No such account, or no card is saved"),
    },
  },
  {
    method: "delete",
    path: "/v1/accounts/:id/payment-method",
    tag: "Card",
    summary: "Remove the card on file",
    description:
      "Detached at the gateway (retried by the ledger); an enabled auto top-up then shows that it cannot run, and does not try.",
    caller: "account-admin",
    pathParams: accountPath,
    responses: {
      204: { description: "Removed" },
      ...common,
      403: err("Not an admin key"),
      404: err("No such account, or no card is saved"),
    },
  },
  {
    method: "get",
    path: "/payments/return/:id/:topUpId",
    tag: "Top-ups",
    summary: "Back from the bank's authentication page",
    description:
      "The gateway's return_url. It proves nothing, so it only makes the ledger retrieve the payment at the gateway, then redirects to the Billing page showing the outcome.",
    caller: "anyone",
    pathParams: topUpPath,
    responses: {
      303: { description: "To /billing?topUp=…#add-credit" },
      400: common[400],
    },
  },
  {
    method: "get",
    path: "/sandbox/setup/:id",
    tag: "Development",
    summary: "The sandbox's hosted page to save a test card (development only)",
    caller: "anyone",
    pathParams: z.object({ id: z.string() }),
    responses: {
      200: { description: "The page", contentType: "text/html" },
      404: err("Not the sandbox, or production"),
    },
  },
  {
    method: "post",
    path: "/sandbox/setup/:id",
    tag: "Development",
    summary: "Save the chosen test card: a signed setup_intent.succeeded, then back to Billing",
    caller: "anyone",
    pathParams: z.object({ id: z.string() }),
    body: { kind: "form", fields: { paymentMethod: "A sandbox test card", return: "Back to" } },
    responses: {
      303: { description: "Back to the Billing page's card section" },
      400: err("Not a sandbox test card"),
      404: err("Not the sandbox, or production"),
    },
  },
  {
    method: "get",
    path: "/sandbox/authenticate/:ref",
    tag: "Development",
    summary: "The sandbox bank's 3-D Secure challenge (development only)",
    caller: "anyone",
    pathParams: z.object({ ref: z.string() }),
    responses: {
      200: { description: "The challenge page", contentType: "text/html" },
      400: common[400],
      404: err("No such sandbox payment, not the sandbox, or production"),
    },
  },
  {
    method: "post",
    path: "/sandbox/authenticate/:ref",
    tag: "Development",
    summary: "Approve or fail the challenge: a signed payment webhook, then back to return_url",
    caller: "anyone",
    pathParams: z.object({ ref: z.string() }),
    body: { kind: "form", fields: { outcome: "approve or fail" } },
    responses: {
      303: { description: "To the payment's return_url" },
      400: common[400],
      404: err("No such sandbox payment, not the sandbox, or production"),
    },
  },
  ...(
    [
      ["refund", "a refund made in the gateway's dashboard (charge.refunded)", refundBody],
      ["dispute", "a dispute or its outcome (charge.dispute.created / closed)", disputeBody],
      ["fraud-warning", "Radar's early fraud warning", undefined],
    ] as const
  ).map(
    ([what, summary, body]): Operation => ({
      method: "post",
      path: `/dev/payments/:id/:topUpId/${what}`,
      tag: "Development",
      summary: `Fire ${summary} for a sandbox top-up (not in production)`,
      description: "Sent signed through the webhook route; answers what that route answered.",
      caller: "operator",
      pathParams: topUpPath,
      ...(body ? { body: { kind: "json" as const, schema: body } } : {}),
      responses: {
        200: { description: "The webhook route's answer", schema: r.webhookAckResponse },
        400: common[400],
        401: common[401],
        404: err("No succeeded sandbox payment for this top-up, or not the sandbox"),
      },
    }),
  ),
  {
    method: "put",
    path: "/v1/accounts/:id/billing-details",
    tag: "Billing details",
    summary: "Set who is invoiced and where",
    description:
      "Company name, address, country (ISO 3166 alpha-2), VAT/tax id and invoice email. In a country whose VAT ids are known (the EU's, GB, CH, NO, …) the tax id must be a valid VAT id of that country, with or without its prefix; it is stored with it.",
    caller: "account-admin",
    pathParams: accountPath,
    body: { kind: "json", schema: billingDetailsSchema },
    responses: {
      200: { description: "The billing details in force", schema: r.billingDetailsResponse },
      ...common,
      403: err("Not an admin key"),
    },
  },
  {
    method: "get",
    path: "/v1/accounts/:id/billing-details",
    tag: "Billing details",
    summary: "Read the billing details",
    caller: "account-admin",
    pathParams: accountPath,
    responses: {
      200: { description: "The billing details in force", schema: r.billingDetailsResponse },
      ...common,
      403: err("Not an admin key"),
      404: err("No such account, or no billing details set yet"),
    },
  },
];
