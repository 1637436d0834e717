import { Hono } from "hono";
import { z } from "zod";
import { MOVEMENTS_PAGE_MAX } from "../../ledger/account-ledger";
import { requireAccount, requireOperator } from "../auth";
import type { AppEnv } from "../context";
import { invalidField } from "../errors";
import { ledgerOf } from "../../ledger-client/ledger-of";
import { unwrap } from "../../ledger-client/refusals";
import { movementsPage } from "../movement-history";
import * as schemas from "../schemas";
import { idempotency, jsonBody, pathParams, queryParams } from "../validate";
import { creditView, decodeCursor, encodeCursor, movementView } from "../views";

export const adjustmentBody = z.object({
  amount: schemas.money.refine((micros) => micros !== 0, "must not be zero"),
  reason: z.string().trim().min(1, "must say why").max(500),
});

export const movementsQuery = z.object({
  from: schemas.instant.optional(),
  to: schemas.instant.optional(),
  cursor: z.string().max(64).optional(),
  limit: z.coerce.number().int().min(1).max(MOVEMENTS_PAGE_MAX).default(100),
});

export const credit = new Hono<AppEnv>()
  /** An operator's signed correction. The Idempotency-Key is required: it is money. */
  .post("/:id/adjustments", async (c) => {
    requireOperator(c);
    const { id } = pathParams(c, schemas.accountPath);
    c.set("accountId", id);
    const body = await jsonBody(c, adjustmentBody);
    const key = await idempotency(c, "adjustments", body, true);
    const { movement } = unwrap(
      await ledgerOf(c.env, id).adjust({ ...key, amountMicros: body.amount, reason: body.reason }),
    );
    return c.json({ movement: movementView(movement) }, 201);
  })

  .get("/:id/credit", async (c) => {
    const { id } = pathParams(c, schemas.accountPath);
    requireAccount(c, id, "admin");
    return c.json(creditView(unwrap(await ledgerOf(c.env, id).credit())));
  })

  /** Read from the ledger itself (a committed movement is listed before D1 has its copy), older ones from D1. */
  .get("/:id/movements", async (c) => {
    const { id } = pathParams(c, schemas.accountPath);
    requireAccount(c, id, "admin");
    const query = queryParams(c, movementsQuery);
    const afterSeq = query.cursor === undefined ? 0 : decodeCursor(query.cursor);
    if (afterSeq === null) throw invalidField("cursor", "is not a cursor this service returned");
    const page = await movementsPage(c.env, id, {
      afterSeq,
      fromMs: query.from,
      toMs: query.to,
      limit: query.limit,
    });
    return c.json({
      movements: page.movements.map(movementView),
      nextCursor: page.nextAfterSeq === null ? null : encodeCursor(page.nextAfterSeq),
    });
  });
