import { Hono } from "hono";
import { z } from "zod";
import { MESSAGE_CHANNELS } from "../../rating/message-deck";
import { MESSAGE_FRAGMENTS_MAX } from "../../rating/decide";
import { requireSwitch } from "../auth";
import { scopeOf, type AppEnv } from "../context";
import { sha256Hex } from "../crypto";
import { runCommand } from "../../ledger-client/batches";
import { askWithDecks } from "../rate-decks";
import { messageView } from "../rating-views";
import * as schemas from "../schemas";
import { jsonBody, pathParams } from "../validate";
import { interactionId, phoneNumber, userId } from "./calls";

export const messagePath = schemas.accountPath.extend({ messageId: interactionId });

export const messageBody = z.object({
  channel: z.enum(MESSAGE_CHANNELS),
  to: phoneNumber,
  fragments: z.number().int().min(1).max(MESSAGE_FRAGMENTS_MAX),
  userId: userId.nullable().default(null),
});

export const messages = new Hono<AppEnv>()
  /** 201 with the charge; the same message id again answers the same; 402 at credit ≤ 0. */
  .post("/:id/messages/:messageId", async (c) => {
    requireSwitch(c);
    const { id, messageId } = pathParams(c, messagePath);
    c.set("accountId", id);
    const body = await jsonBody(c, messageBody);
    const requestHash = await sha256Hex(JSON.stringify(body));
    const answer = await askWithDecks(c, (decks) =>
      runCommand(scopeOf(c), id, {
        kind: "message",
        command: { messageId, ...body, requestHash },
        decks,
      }),
    );
    c.set("decision", "charged");
    return c.json(messageView(answer), 201);
  });
