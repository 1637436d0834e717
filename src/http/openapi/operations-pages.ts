import * as r from "./responses";
import type { Operation } from "./operation";

const html = (description: string) => ({ description, contentType: "text/html" });
const seeOther = (description: string) => ({ description: `303 See Other: ${description}` });
const form = (fields: Record<string, string>) => ({
  kind: "form" as const,
  fields: { csrf: "The form's CSRF token, from the page", ...fields },
});
const pollAnswer = (settledWhen: string) => ({
  description: `\`{status, settled}\`; settled once ${settledWhen}`,
  contentType: "application/json",
});

/**
 * The service's own pages and the local-development helpers. The Billing page's forms are
 * listed for completeness: they are for the browser (session cookie and CSRF token), not for
 * scripts, which use the routes above with a bearer key.
 */
export const PAGE_OPERATIONS: Operation[] = [
  {
    method: "get",
    path: "/health",
    tag: "Service",
    summary: "Liveness",
    caller: "anyone",
    responses: { 200: { description: "Up", schema: r.healthResponse } },
  },
  {
    method: "get",
    path: "/openapi.json",
    tag: "Service",
    summary: "This document (OpenAPI 3.1)",
    caller: "anyone",
    responses: { 200: { description: "The document", contentType: "application/json" } },
  },
  {
    method: "get",
    path: "/docs",
    tag: "Service",
    summary: "The API reference as a page",
    caller: "anyone",
    responses: { 200: html("The reference") },
  },
  {
    method: "get",
    path: "/",
    tag: "Billing page",
    summary: "Redirects to the Billing page",
    caller: "anyone",
    responses: { 302: { description: "To /billing" } },
  },
  {
    method: "get",
    path: "/billing",
    tag: "Billing page",
    summary: "Dashboard > Account > Billing",
    caller: "billing-session",
    responses: { 200: html("The page"), 303: seeOther("to sign-in without a session") },
  },
  {
    method: "get",
    path: "/billing/sign-in",
    tag: "Billing page",
    summary: "The sign-in form",
    caller: "anyone",
    responses: { 200: html("The form") },
  },
  {
    method: "post",
    path: "/billing/sign-in",
    tag: "Billing page",
    summary: "Sign in with an admin API key of the account",
    description:
      "Sets an HttpOnly, SameSite=Strict session cookie (Secure except on http://localhost) sealed with AES-GCM under a key derived from SIGNING_SECRET.",
    caller: "anyone",
    body: form({ accountId: "The account id", apiKey: "An admin API key (ck_…)" }),
    responses: {
      303: seeOther("to /billing"),
      400: html("A field is missing"),
      401: html("The key is not valid for this account"),
      403: html("Not an admin key, or the form's token is missing"),
    },
  },
  {
    method: "post",
    path: "/billing/sign-out",
    tag: "Billing page",
    summary: "Sign out",
    caller: "billing-session",
    body: form({}),
    responses: {
      303: seeOther("to the sign-in form"),
      403: html("Cross-site or without the form's token"),
    },
  },
  {
    method: "post",
    path: "/billing/top-ups",
    tag: "Billing page",
    summary: "Add credit (calls POST /v1/accounts/{id}/top-ups)",
    caller: "billing-session",
    body: form({
      amount: "Decimal amount",
      paymentMethod: "Payment method id",
      idempotencyKey: "Set by the page, so a double submit pays once",
    }),
    responses: {
      303: seeOther("to the page with the top-up's state"),
      400: html("The page with the field's error"),
      403: html("Cross-site or without the form's token"),
    },
  },
  {
    method: "post",
    path: "/billing/auto-top-up",
    tag: "Billing page",
    summary: "Save auto top-up (calls PUT /v1/accounts/{id}/auto-top-up)",
    caller: "billing-session",
    body: form({
      enabled: "on or off",
      amount: "Amount to add",
      threshold: "Balance that triggers it",
      paymentMethod: "Payment method id",
    }),
    responses: {
      303: seeOther("to the page with a notice"),
      400: html("The page with the fields' errors"),
      403: html("Cross-site or without the form's token"),
    },
  },
  {
    method: "post",
    path: "/billing/billing-details",
    tag: "Billing page",
    summary: "Save the billing details (calls PUT /v1/accounts/{id}/billing-details)",
    caller: "billing-session",
    body: form({
      companyName: "Company name",
      addressLine1: "Address",
      addressLine2: "Address, second line (optional)",
      city: "City",
      postalCode: "Postal code",
      country: "ISO 3166 alpha-2 country code",
      taxId: "VAT or tax id (optional)",
      invoiceEmail: "Where invoices go",
    }),
    responses: {
      303: seeOther("to the page showing the saved details"),
      400: html("The page with the fields' errors"),
      403: html("Cross-site or without the form's token"),
    },
  },
  {
    method: "post",
    path: "/billing/exports",
    tag: "Billing page",
    summary: "Export credit movements (calls POST /v1/accounts/{id}/exports)",
    caller: "billing-session",
    body: form({}),
    responses: {
      303: seeOther("to the page with the export's state"),
      403: html("Cross-site or without the form's token"),
    },
  },
  {
    method: "get",
    path: "/billing/top-ups/:topUpId/status",
    tag: "Billing page",
    summary: "A top-up's state, for the page's poll",
    caller: "billing-session",
    responses: { 200: pollAnswer("it succeeded or failed"), 401: { description: "No session" } },
  },
  {
    method: "get",
    path: "/billing/exports/:exportId/status",
    tag: "Billing page",
    summary: "An export's state, for the page's poll",
    caller: "billing-session",
    responses: { 200: pollAnswer("it is ready or failed"), 401: { description: "No session" } },
  },
  {
    method: "get",
    path: "/billing/assets/:file",
    tag: "Billing page",
    summary: "The page's stylesheet and script",
    caller: "anyone",
    responses: {
      200: { description: "CSS or JavaScript", contentType: "text/plain" },
      404: { description: "No such file" },
    },
  },
  {
    method: "post",
    path: "/billing/card",
    tag: "Billing page",
    summary: "Save a card / Replace card (calls POST /v1/accounts/{id}/payment-method/setup)",
    caller: "billing-session",
    body: form({}),
    responses: {
      303: seeOther("to the gateway's hosted page"),
      403: html("Cross-site or without the form's token"),
      502: html("The page with the gateway's error"),
    },
  },
  {
    method: "post",
    path: "/dev/seed",
    tag: "Development",
    summary: "Seed the demo account (not in production)",
    caller: "operator",
    responses: {
      200: { description: "The demo account's id and keys", contentType: "application/json" },
    },
  },
  {
    method: "get",
    path: "/dev/mailbox",
    tag: "Development",
    summary: "The local mailbox: emails the service sent (not in production)",
    caller: "operator",
    responses: {
      200: { description: "`{emails: [...]}`, newest first", contentType: "application/json" },
    },
  },
];
