import { Hono } from "hono";
import { z } from "zod";
import {
  historyMove,
  listMoves,
  MOVE_ACCOUNTS_PER_REQUEST,
  MOVE_DELETE_GRACE_MS,
  startMoves,
  type HistoryMove,
  type MoveStartRefusal,
} from "../../history/rebalance";
import { boundShards, HISTORY_SHARDS_MAX } from "../../history/shards";
import { formatMoney } from "../../money";
import { requireOperator } from "../auth";
import type { AppEnv } from "../context";
import { ApiError, invalidField } from "../errors";
import * as schemas from "../schemas";
import { jsonBody, pathParams, queryParams } from "../validate";

export const MOVES_LIST_MAX = 100;

export const historyMovesBody = z.object({
  accountIds: z
    .array(schemas.accountId)
    .min(1, "at least one account")
    .max(MOVE_ACCOUNTS_PER_REQUEST, `at most ${MOVE_ACCOUNTS_PER_REQUEST} accounts per request`)
    .refine((ids) => new Set(ids).size === ids.length, "each account at most once"),
  toShard: z
    .number()
    .int("a whole number")
    .min(0, "a shard number from 0")
    .max(HISTORY_SHARDS_MAX - 1, `a shard number below ${HISTORY_SHARDS_MAX}`),
});

export const historyMovesQuery = z.object({
  accountId: schemas.accountId.optional(),
  limit: z
    .string()
    .regex(/^\d{1,3}$/, `a whole number from 1 to ${MOVES_LIST_MAX}`)
    .transform(Number)
    .refine((n) => n >= 1 && n <= MOVES_LIST_MAX, `from 1 to ${MOVES_LIST_MAX}`)
    .optional(),
});

export const historyMovePath = z.object({
  moveId: z.string().regex(/^mv_[0-9a-f-]{36}$/, "a move id as POST /v1/history-moves answered"),
});

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

export function historyMoveView(move: HistoryMove) {
  return {
    id: move.id,
    accountId: move.accountId,
    fromShard: move.fromShard,
    toShard: move.toShard,
    state: move.state,
    copiedThroughSeq: move.copiedThroughSeq,
    rowsCopied: move.rowsCopied,
    rowsDeleted: move.rowsDeleted,
    verified: move.verified && {
      rows: move.verified.rows,
      sum: formatMoney(move.verified.sumMicros),
      archivedMonths: move.verified.months,
    },
    restarts: move.restarts,
    failures: move.failures,
    lastError: move.lastError,
    createdAt: iso(move.createdAtMs),
    updatedAt: iso(move.updatedAtMs),
    switchedAt: iso(move.switchedAtMs),
    deletesSourceFrom: iso(
      move.switchedAtMs === null ? null : move.switchedAtMs + MOVE_DELETE_GRACE_MS,
    ),
    finishedAt: iso(move.finishedAtMs),
  };
}

function refusalIssue(refusal: MoveStartRefusal): string {
  switch (refusal.reason) {
    case "account_not_found":
      return "no such account";
    case "already_on_shard":
      return `its history is on shard ${refusal.shard} already`;
    case "move_in_progress":
      return `move ${refusal.move.id} to shard ${refusal.move.toShard} is under way (${refusal.move.state})`;
  }
}

/** Unknown accounts are a 404; otherwise the first refusal's reason is the 409's code. */
function refusedError(accountIds: readonly string[], refused: MoveStartRefusal[]): ApiError {
  const unknown = refused.filter((r) => r.reason === "account_not_found");
  const shown = unknown.length > 0 ? unknown : refused;
  const details = shown.map((r) => ({
    field: `accountIds[${accountIds.indexOf(r.accountId)}]`,
    issue: `${r.accountId}: ${refusalIssue(r)}`,
  }));
  const first = shown[0] as MoveStartRefusal;
  const message = `Nothing was started: ${details.map((d) => d.issue).join("; ")}.`;
  return unknown.length > 0
    ? new ApiError(404, "account_not_found", message, details)
    : new ApiError(409, first.reason, message, details);
}

/**
 * The rebalancing job's operator routes (src/history/rebalance.ts): start moves of
 * accounts' history to another shard, and watch them. The cron does the work.
 */
export const historyMoves = new Hono<AppEnv>()
  .post("/", async (c) => {
    requireOperator(c);
    const body = await jsonBody(c, historyMovesBody);
    if (!boundShards(c.env).includes(body.toShard))
      throw invalidField("toShard", `shard ${body.toShard} is not bound in this deployment`);
    const started = await startMoves(c.env, body.accountIds, body.toShard, Date.now());
    if (!started.ok) throw refusedError(body.accountIds, started.refused);
    return c.json({ moves: started.moves.map(historyMoveView) }, 202);
  })

  .get("/", async (c) => {
    requireOperator(c);
    const query = queryParams(c, historyMovesQuery);
    const moves = await listMoves(c.env.DB, {
      ...(query.accountId ? { accountId: query.accountId } : {}),
      limit: query.limit ?? MOVES_LIST_MAX,
    });
    return c.json({ moves: moves.map(historyMoveView) });
  })

  .get("/:moveId", async (c) => {
    requireOperator(c);
    const { moveId } = pathParams(c, historyMovePath);
    const move = await historyMove(c.env.DB, moveId);
    if (!move) throw new ApiError(404, "history_move_not_found", `No history move ${moveId}.`);
    return c.json(historyMoveView(move));
  });
