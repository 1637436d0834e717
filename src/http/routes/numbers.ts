import { Hono } from "hono";
import { z } from "zod";
import { forgetNumbers } from "../../numbers/cache";
import { assignNumbers, NUMBERS_PER_ACCOUNT_MAX, numbersOf } from "../../numbers/directory";
import { classifyNumber } from "../../rating/classify";
import { requireAccount, requireOperator } from "../auth";
import type { AppEnv } from "../context";
import { ApiError } from "../errors";
import * as schemas from "../schemas";
import { jsonBody, pathParams } from "../validate";
import { readAccountRow } from "./accounts";

/** An account's own number: strict E.164, as the rating classifies it (src/rating/classify.ts). */
const accountNumber = z
  .string()
  .refine(
    (text) => classifyNumber(text).digits !== undefined,
    "must be E.164: +, the country code and the number, digits only, e.g. +4930123456",
  );

export const numbersBody = z.object({
  numbers: z
    .array(accountNumber)
    .max(NUMBERS_PER_ACCOUNT_MAX, `at most ${NUMBERS_PER_ACCOUNT_MAX} numbers per account`)
    .refine((list) => new Set(list).size === list.length, "each number at most once"),
});

/** Each number with its classification, so the operator sees which are toll-free. */
const numberView = (number: string) => {
  const { country, type } = classifyNumber(number);
  return { number, country: country ?? null, type, tollFree: type === "toll-free" };
};

export const numbers = new Hono<AppEnv>()
  /**
   * Sets the account's whole set of numbers. A number held by another account moves here
   * (only the operator may do this) and the answer says so in `moved`.
   */
  .put("/:id/numbers", async (c) => {
    requireOperator(c);
    const { id } = pathParams(c, schemas.accountPath);
    c.set("accountId", id);
    const body = await jsonBody(c, numbersBody);
    if (!(await readAccountRow(c.env.DB, id)))
      throw new ApiError(404, "account_not_found", "No such account.");
    const assigned = await assignNumbers(c.env.DB, id, body.numbers, Date.now());
    forgetNumbers([...assigned.numbers, ...assigned.released]);
    return c.json({
      accountId: id,
      numbers: assigned.numbers.map(numberView),
      moved: assigned.moved,
      released: assigned.released,
    });
  })

  .get("/:id/numbers", async (c) => {
    const { id } = pathParams(c, schemas.accountPath);
    requireAccount(c, id, "any");
    if (!(await readAccountRow(c.env.DB, id)))
      throw new ApiError(404, "account_not_found", "No such account.");
    const held = await numbersOf(c.env.DB, id);
    return c.json({ accountId: id, numbers: held.map(numberView) });
  });
