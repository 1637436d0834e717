import { z } from "zod";
import { historyMovePath, historyMovesBody, historyMovesQuery } from "../routes/history-moves";
import type { Operation } from "./operation";
import * as r from "./responses";

const err = (description: string) => ({ description, schema: r.errorResponse });
const instant = z.string().describe("ISO 8601 date-time, UTC");

export const historyMoveResponse = z.strictObject({
  id: z.string(),
  accountId: z.string(),
  fromShard: z.number().int(),
  toShard: z.number().int(),
  state: z
    .enum(["clearing", "copying", "switching", "deleting", "done", "stopped"])
    .describe(
      "clearing the target → copying → switching (verify, then the account reads the target) → deleting from the source → done; stopped needs an operator (lastError)",
    ),
  copiedThroughSeq: z
    .number()
    .int()
    .describe("The copy's cursor: every movement up to it is on the target"),
  rowsCopied: z.number().int(),
  rowsDeleted: z.number().int(),
  verified: z
    .strictObject({
      rows: z.number().int(),
      sum: z.string().describe("Sum of the movements' amounts, the same on both shards"),
      archivedMonths: z.number().int(),
    })
    .nullable()
    .describe("What both shards held when the switch compared them; null before"),
  restarts: z.number().int().describe("Verifications that failed; each starts the copy over"),
  failures: z
    .number()
    .int()
    .describe("Ticks that failed (a shard or the ledger down) and were retried"),
  lastError: z.string().nullable(),
  createdAt: instant,
  updatedAt: instant,
  switchedAt: instant.nullable(),
  deletesSourceFrom: instant
    .nullable()
    .describe("The source's rows stay until then, for readers that opened it before the switch"),
  finishedAt: instant.nullable(),
});

const historyMovesResponse = z.strictObject({ moves: z.array(historyMoveResponse) });

/** The rebalancing job's routes: moves of accounts' movement history between shards. */
export const HISTORY_OPERATIONS: Operation[] = [
  {
    method: "post",
    path: "/v1/history-moves",
    tag: "History shards",
    summary: "Move accounts' movement history to another shard",
    description:
      "All or nothing: when any account is unknown (404), already on the shard or being moved elsewhere (409), nothing starts. The same request again answers the moves under way. The cron then copies, verifies, switches and deletes, a bounded amount per tick; the account keeps working and its readers never see a partial history.",
    caller: "operator",
    body: { kind: "json", schema: historyMovesBody },
    responses: {
      202: {
        description: "The accounts' moves, started or already under way",
        schema: historyMovesResponse,
      },
      400: err("Invalid input, or `toShard` is not bound; `details` names each field"),
      401: err("Missing or invalid token"),
      403: err("Not the operator"),
      404: err("An account does not exist (`details` names each)"),
      409: err(
        "An account is on the shard already (`already_on_shard`) or being moved elsewhere (`move_in_progress`)",
      ),
    },
  },
  {
    method: "get",
    path: "/v1/history-moves",
    tag: "History shards",
    summary: "Moves under way (oldest first), then finished ones (newest first)",
    caller: "operator",
    query: historyMovesQuery,
    responses: {
      200: { description: "The moves", schema: historyMovesResponse },
      400: err("Invalid input; `details` names each field"),
      401: err("Missing or invalid token"),
      403: err("Not the operator"),
    },
  },
  {
    method: "get",
    path: "/v1/history-moves/:moveId",
    tag: "History shards",
    summary: "One move and its progress",
    caller: "operator",
    pathParams: historyMovePath,
    responses: {
      200: { description: "The move", schema: historyMoveResponse },
      400: err("Invalid input; `details` names each field"),
      401: err("Missing or invalid token"),
      403: err("Not the operator"),
      404: err("No such move (`history_move_not_found`)"),
    },
  },
];
