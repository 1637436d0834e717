import { Hono } from "hono";
import { z } from "zod";
import { mintApiKey, requireAccount, requireOperator } from "../auth";
import type { AppEnv } from "../context";
import { ApiError } from "../errors";
import { openShardsOf, shardForNewAccount } from "../../history/shards";
import { ledgerOf } from "../../ledger-client/ledger-of";
import { unwrap } from "../../ledger-client/refusals";
import * as schemas from "../schemas";
import { idempotency, jsonBody, pathParams } from "../validate";

export const createAccountBody = z.object({
  id: schemas.accountId,
  name: z.string().trim().min(1).max(200),
  currency: schemas.currency,
  email: z.email(),
  timezone: schemas.timeZone.default("UTC"),
  region: schemas.region.nullable().default(null),
});
type NewAccount = z.output<typeof createAccountBody>;

export const apiKeyBody = z.object({ role: z.enum(["admin", "agent"]) });

interface AccountRow {
  id: string;
  name: string;
  currency: string;
  email: string;
  time_zone: string;
  region: string | null;
  created_at_ms: number;
}

const accountView = (row: AccountRow) => ({
  id: row.id,
  name: row.name,
  currency: row.currency,
  email: row.email,
  timezone: row.time_zone,
  region: row.region,
  createdAt: new Date(row.created_at_ms).toISOString(),
});

export function readAccountRow(db: D1Database, id: string): Promise<AccountRow | null> {
  return db.prepare("SELECT * FROM accounts WHERE id = ?").bind(id).first<AccountRow>();
}

const sameAccount = (row: AccountRow, body: NewAccount) =>
  row.name === body.name &&
  row.currency === body.currency &&
  row.email === body.email &&
  row.time_zone === body.timezone &&
  row.region === body.region;

export const accounts = new Hono<AppEnv>()
  /**
   * Creating an account is idempotent by its id: the same body again answers 200 with the
   * account, another body under a taken id answers 409. The ledger is opened first, so an
   * account row never exists without its ledger.
   */
  .post("/", async (c) => {
    requireOperator(c);
    const body = await jsonBody(c, createAccountBody);
    c.set("accountId", body.id);
    const existing = await readAccountRow(c.env.DB, body.id);
    if (existing) {
      if (!sameAccount(existing, body))
        throw new ApiError(409, "account_exists", `Account ${body.id} exists with other settings.`);
      return c.json(accountView(existing), 200);
    }
    unwrap(
      await ledgerOf(c.env, body.id, body.region).open({
        accountId: body.id,
        currency: body.currency,
        timeZone: body.timezone,
        email: body.email,
      }),
    );
    await c.env.DB.prepare(
      "INSERT OR IGNORE INTO accounts (id, name, currency, email, time_zone, region, created_at_ms, history_shard) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
    )
      .bind(
        body.id,
        body.name,
        body.currency,
        body.email,
        body.timezone,
        body.region,
        Date.now(),
        shardForNewAccount(body.id, openShardsOf(c.env)),
      )
      .run();
    const row = (await readAccountRow(c.env.DB, body.id)) as AccountRow;
    if (!sameAccount(row, body))
      throw new ApiError(409, "account_exists", `Account ${body.id} exists with other settings.`);
    return c.json(accountView(row), 201);
  })

  .get("/:id", async (c) => {
    const { id } = pathParams(c, schemas.accountPath);
    requireAccount(c, id, "any");
    const row = await readAccountRow(c.env.DB, id);
    if (!row) throw new ApiError(404, "account_not_found", "No such account.");
    return c.json(accountView(row));
  })

  /**
   * The secret is shown once and only its hash is kept. A retry with the same
   * Idempotency-Key finds the key it created and answers without the secret again.
   */
  .post("/:id/api-keys", async (c) => {
    requireOperator(c);
    const { id } = pathParams(c, schemas.accountPath);
    c.set("accountId", id);
    const body = await jsonBody(c, apiKeyBody);
    if (!(await readAccountRow(c.env.DB, id)))
      throw new ApiError(404, "account_not_found", "No such account.");
    const { idempotencyKey } = await idempotency(c, `${id}:api-keys`, body, false);
    if (idempotencyKey !== null) {
      const prior = await c.env.DB.prepare(
        "SELECT id, role, key_prefix, created_at_ms FROM api_keys WHERE idempotency_key = ?",
      )
        .bind(idempotencyKey)
        .first<{ id: string; role: string; key_prefix: string; created_at_ms: number }>();
      if (prior) {
        if (prior.role !== body.role) {
          throw new ApiError(
            409,
            "idempotency_key_reused",
            "This Idempotency-Key was used with another request.",
            [{ field: "Idempotency-Key", issue: "already used with another request" }],
          );
        }
        return c.json({
          id: prior.id,
          role: prior.role,
          prefix: prior.key_prefix,
          key: null,
          message:
            "This key was created by an earlier request with the same Idempotency-Key; its secret was shown only then.",
          createdAt: new Date(prior.created_at_ms).toISOString(),
        });
      }
    }
    const key = await mintApiKey();
    const now = Date.now();
    await c.env.DB.prepare(
      "INSERT INTO api_keys (id, account_id, role, key_hash, key_prefix, created_at_ms, idempotency_key) VALUES (?, ?, ?, ?, ?, ?, ?)",
    )
      .bind(key.id, id, body.role, key.hash, key.prefix, now, idempotencyKey)
      .run();
    return c.json(
      {
        id: key.id,
        role: body.role,
        prefix: key.prefix,
        key: key.secret,
        createdAt: new Date(now).toISOString(),
      },
      201,
    );
  });
