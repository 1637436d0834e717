import { Hono } from "hono";
import { z } from "zod";
import { AI_SERVICES } from "../../rating/service-rates";
import { requireAccount, requireSwitch } from "../auth";
import type { AppEnv } from "../context";
import { sha256Hex } from "../crypto";
import { runCommand } from "../ledger-batches";
import { ledgerOf, unwrap } from "../ledger-client";
import { askWithDecks } from "../rate-decks";
import { usageChargeView, usageReportView } from "../rating-views";
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

export const usageQuery = z.object({
  month: z
    .string()
    .regex(/^\d{4}-(0[1-9]|1[0-2])$/, "must be a month such as 2026-11")
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
      runCommand(c, id, { kind: "usage", command: { usageId, ...body, requestHash }, decks }),
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
  });
