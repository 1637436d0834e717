import { Hono } from "hono";
import { z } from "zod";
import { AI_SERVICES } from "../../rating/service-rates";
import { INVOICE_USAGE_PAGE_MAX } from "../../ledger/invoice-usage";
import { requireAccount, requireOperator, requireSwitch } from "../auth";
import { scopeOf, type AppEnv } from "../context";
import { sha256Hex } from "../crypto";
import { runCommand } from "../../ledger-client/batches";
import { ledgerOf } from "../../ledger-client/ledger-of";
import { unwrap } from "../../ledger-client/refusals";
import { askWithDecks } from "../rate-decks";
import { invoiceUsageView, usageChargeView, usageReportView } from "../rating-views";
import * as schemas from "../schemas";
import { jsonBody, pathParams, queryParams } from "../validate";
import { callId, interactionId, LEG_SECONDS_MAX, userId } from "./calls";

export const usagePath = schemas.accountPath.extend({ usageId: interactionId });

export const usageBody = z.object({
  service: z.enum(AI_SERVICES),
  seconds: z.number().int().min(0).max(LEG_SECONDS_MAX),
  userId: userId.nullable().default(null),
  callId: callId.nullable().default(null),
});

const month = z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, "must be a month such as 2026-11");

export const usageQuery = z.object({ month: month.optional() });

export const invoiceUsageQuery = z.object({
  month: month.optional(),
  cursor: z
    .string()
    .regex(/^\d{1,15}$/, "the nextCursor of the previous page")
    .transform(Number)
    .optional(),
  limit: z
    .string()
    .regex(/^\d{1,4}$/, `a whole number from 1 to ${INVOICE_USAGE_PAGE_MAX}`)
    .transform(Number)
    .refine((n) => n >= 1 && n <= INVOICE_USAGE_PAGE_MAX, `from 1 to ${INVOICE_USAGE_PAGE_MAX}`)
    .optional(),
});

export const usage = new Hono<AppEnv>()
  /** AI usage in full minutes, the month's allowance first; idempotent by usage id. */
  .post("/:id/usage/:usageId", async (c) => {
    requireSwitch(c);
    const { id, usageId } = pathParams(c, usagePath);
    c.set("accountId", id);
    const body = await jsonBody(c, usageBody);
    const requestHash = await sha256Hex(JSON.stringify(body));
    const answer = await askWithDecks(c, (decks) =>
      runCommand(scopeOf(c), id, {
        kind: "usage",
        command: { usageId, ...body, requestHash },
        decks,
      }),
    );
    c.set("decision", "charged");
    return c.json(usageChargeView(answer), 201);
  })

  /** Usage & overages of a month (default: the current one in the account's time zone). */
  .get("/:id/usage", async (c) => {
    const { id } = pathParams(c, schemas.accountPath);
    requireAccount(c, id, "admin");
    const { month } = queryParams(c, usageQuery);
    return c.json(usageReportView(unwrap(await ledgerOf(c.env, id).usage(month ?? null))));
  })

  /** The operator's list of a month's invoice-billed AI usage, to put on the invoice. */
  .get("/:id/invoice-usage", async (c) => {
    requireOperator(c);
    const { id } = pathParams(c, schemas.accountPath);
    c.set("accountId", id);
    const query = queryParams(c, invoiceUsageQuery);
    const page = unwrap(
      await ledgerOf(c.env, id).invoiceUsage({
        month: query.month ?? null,
        afterSeq: query.cursor ?? 0,
        limit: query.limit ?? 100,
      }),
    );
    return c.json(invoiceUsageView(page));
  });
