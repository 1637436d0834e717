import { z } from "zod";

/**
 * What the main routes answer, written as zod so the document shows it and a test can hold
 * each route's real answer to it (test/billing/openapi.test.ts): a field added to a view
 * without being documented here fails that test.
 */
const money = z.string().describe('Money: a decimal string in the account currency, e.g. "25.00"');
const instant = z.string().describe("ISO 8601 date-time, UTC");

export const errorResponse = z.strictObject({
  error: z.strictObject({
    code: z.string().describe("snake_case, stable"),
    message: z.string(),
    details: z.array(z.looseObject({ field: z.string(), issue: z.string() })).optional(),
  }),
});

export const healthResponse = z.strictObject({ ok: z.literal(true) });

export const accountResponse = z.strictObject({
  id: z.string(),
  name: z.string(),
  currency: z.string(),
  email: z.string(),
  timezone: z.string(),
  region: z.string().nullable(),
  createdAt: instant,
});

export const apiKeyResponse = z.strictObject({
  id: z.string(),
  role: z.enum(["admin", "agent"]),
  prefix: z.string(),
  key: z.string().nullable().describe("The secret, shown once; null when answering a retry"),
  message: z.string().optional(),
  createdAt: instant,
});

export const movementResponse = z.strictObject({
  id: z.string(),
  at: instant,
  description: z.enum([
    "call",
    "sms",
    "mms",
    "whatsapp",
    "ai-voice-agents",
    "stt",
    "conversation-intelligence",
    "top-up",
    "adjustment",
  ]),
  interactionId: z.string(),
  units: z.enum(["seconds", "fragments", "minutes"]).nullable(),
  unitsCharged: z.number().int().nullable(),
  valuePerUnit: money.nullable(),
  amount: money.describe("Negative for charges, positive for credit"),
  balanceAfter: money,
  userId: z.string().nullable(),
  reason: z.string().nullable(),
  details: z
    .record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()]))
    .nullable(),
});

export const adjustmentResponse = z.strictObject({ movement: movementResponse });

export const movementsResponse = z.strictObject({
  movements: z.array(movementResponse),
  nextCursor: z.string().nullable(),
});

export const topUpResponse = z.strictObject({
  id: z.string(),
  kind: z.enum(["one-time", "auto"]),
  amount: money,
  paymentMethod: z.string(),
  status: z.enum(["pending", "requires_action", "succeeded", "failed"]),
  nextAction: z
    .strictObject({ url: z.string() })
    .optional()
    .describe("With requires_action: send the admin's browser here for the bank's authentication"),
  failureReason: z.string().nullable(),
  createdAt: instant,
  settledAt: instant.nullable(),
  movementId: z.string().nullable(),
  reversed: money.optional().describe("Credit taken back by refunds and disputes"),
});

export const paymentMethodResponse = z.strictObject({
  brand: z.string().describe("visa, mastercard, amex, …"),
  last4: z.string(),
  expMonth: z.number().int(),
  expYear: z.number().int(),
  savedAt: instant,
});

export const cardSetupResponse = z.strictObject({
  url: z.string().describe("The gateway's hosted page where the admin saves a card"),
});

const alert = z.strictObject({
  code: z.enum([
    "credit_low",
    "credit_exhausted",
    "auto_top_up_failed",
    "auto_top_up_disabled",
    "auto_top_up_no_card",
    "card_held",
    "card_expiring",
  ]),
  message: z.string(),
});

export const autoTopUpResponse = z.strictObject({
  enabled: z.boolean(),
  threshold: money.nullable(),
  amount: money.nullable(),
  paymentMethod: z.string().nullable(),
  maxPerDay: z.number().int().nullable(),
  inProgress: topUpResponse.nullable(),
  consecutiveFailures: z.number().int(),
  status: alert
    .nullable()
    .describe("The status line the Billing page shows: last payment failed, turned off, …"),
});

export const creditResponse = z.strictObject({
  balance: money,
  available: money.describe("balance − reserved"),
  reserved: money.describe("Held for calls in progress"),
  currency: z.string(),
  state: z.enum(["ok", "low", "exhausted"]),
  alerts: z.array(alert),
  lowBalanceLevel: money,
  recommendedThreshold: money.describe(
    "Spend of the last 30 days scaled to 14 days, rounded up to whole minor units (cents)",
  ),
  autoTopUp: autoTopUpResponse,
  paymentMethod: paymentMethodResponse.nullable().describe("The card on file"),
});

export const alertsResponse = creditResponse.extend({
  webhook: z.strictObject({ url: z.string(), secret: z.string() }).nullable(),
});

export const exportResponse = z.strictObject({
  id: z.string(),
  status: z.enum(["processing", "ready", "failed"]),
  message: z.string(),
  periodStart: instant.nullable(),
  periodEnd: instant.nullable(),
  timezone: z.string(),
  requestedAt: instant.nullable(),
  finishedAt: instant.nullable(),
  rows: z.number().int().optional(),
  downloadUrl: z.string().optional().describe("Signed, short-lived link to the CSV"),
  downloadUrlExpiresAt: instant.optional(),
});

export const usageReportResponse = z.strictObject({
  month: z.string(),
  timezone: z.string(),
  package: z.string().nullable(),
  fairUseMinutesPerUser: z.number().nullable(),
  users: z.array(
    z.strictObject({
      userId: z.string(),
      packageSecondsUsed: z.number().int(),
      packageMinutesUsed: z.number().int(),
      fairUseMinutes: z.number().nullable().describe("This user's limit: the plan's, or their own"),
      fairUseException: z.boolean().describe("Support set this user a limit of their own"),
      overFairUse: z.boolean(),
      creditCallSeconds: z.number().int(),
      creditCallBilledSeconds: z.number().int(),
      creditCallSpend: money,
    }),
  ),
  allowances: z.array(
    z.strictObject({ service: z.string(), includedMinutes: z.number(), usedMinutes: z.number() }),
  ),
  spend: z.array(
    z.strictObject({
      category: z.string(),
      charges: z.number().int(),
      units: z.number(),
      amount: money,
    }),
  ),
  totalSpend: money,
  invoiced: z
    .array(
      z.strictObject({
        service: z.string(),
        records: z.number().int(),
        minutes: z.number().int(),
        amount: money,
      }),
    )
    .describe("AI usage the plan bills by invoice: never debited from credit, not in totalSpend"),
  totalInvoiced: money,
});

const refusal = { reason: z.string().optional(), message: z.string().optional() };

export const authorizeResponse = z.looseObject({
  allowed: z.boolean(),
  ...refusal,
  billing: z.enum(["included", "credit", "free"]),
  ratePerMinute: money.optional(),
  grantSeconds: z.number().int(),
  chargeReason: z.string().optional(),
  explanation: z.string().optional(),
});

export const extendResponse = z.looseObject({
  allowed: z.boolean(),
  ...refusal,
  billing: z.string(),
  grantSeconds: z.number().int(),
});

export const endResponse = z.looseObject({
  charged: money,
  billedSeconds: z.number().int(),
  movementId: z.string().nullable(),
  billing: z.string(),
  durationSeconds: z.number().int(),
});

export const quoteResponse = z.looseObject({
  priced: z.boolean(),
  billing: z.string(),
  cost: money.optional(),
  billedSeconds: z.number().int().optional(),
});

export const messageChargeResponse = z.looseObject({
  messageId: z.string(),
  charged: money,
  channel: z.string(),
  country: z.string(),
  fragments: z.number().int(),
  pricePerFragment: money,
  movementId: z.string().nullable(),
});

export const usageChargeResponse = z.looseObject({
  usageId: z.string(),
  service: z.string(),
  charged: money,
  billedMinutes: z.number().int(),
  includedMinutes: z.number().int(),
  chargedMinutes: z.number().int(),
  billedBy: z.enum(["credit", "invoice"]),
  invoiced: money.describe("The amount of invoice-billed minutes; charged is then 0.00"),
});

export const spendControlsResponse = z.strictObject({
  maxCostPerCall: money.nullable(),
  dailyCap: money.nullable(),
});

export const rateDeckResponse = z.looseObject({
  kind: z.string(),
  version: z.union([z.string(), z.number()]),
  rows: z.number().int(),
  replaced: z.union([z.string(), z.number()]).nullable(),
  changed: z.boolean(),
});

export const rateDecksResponse = z.strictObject({
  decks: z.array(
    z.looseObject({
      kind: z.string(),
      version: z.union([z.string(), z.number()]),
      rows: z.number().int(),
      activatedAt: instant,
    }),
  ),
});

export const webhookAckResponse = z.looseObject({
  received: z.literal(true),
  applied: z.boolean(),
  why: z.string().optional(),
});

export const fairUseExceptionsResponse = z.strictObject({
  exceptions: z.array(z.strictObject({ userId: z.string(), minutesPerMonth: z.number().int() })),
});

export const invoiceUsageResponse = z.strictObject({
  month: z.string(),
  timezone: z.string(),
  currency: z.string(),
  totals: z.array(
    z.strictObject({
      service: z.string(),
      records: z.number().int(),
      minutes: z.number().int(),
      amount: money,
    }),
  ),
  total: money,
  usage: z.array(
    z.strictObject({
      usageId: z.string(),
      at: instant,
      service: z.string(),
      userId: z.string().nullable(),
      callId: z.string().nullable(),
      seconds: z.number().int(),
      billedMinutes: z.number().int(),
      includedMinutes: z.number().int(),
      invoicedMinutes: z.number().int(),
      ratePerMinute: money,
      amount: money,
      deckVersion: z.string(),
    }),
  ),
  nextCursor: z.string().nullable(),
});

export const billingDetailsResponse = z.strictObject({
  companyName: z.string(),
  addressLine1: z.string(),
  addressLine2: z.string().optional(),
  city: z.string(),
  postalCode: z.string(),
  country: z.string().describe("ISO 3166 alpha-2"),
  taxId: z.string().optional().describe("A VAT id in its canonical form where the country has one"),
  invoiceEmail: z.string(),
});
