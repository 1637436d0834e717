import { Hono, type Context } from "hono";
import { z } from "zod";
import { coverageOf, FREE_GRANT_SECONDS, type CallRequest } from "../../rating/decide";
import { requireAccount, requireSwitch } from "../auth";
import { scopeOf, type AppEnv } from "../context";
import { runCommand } from "../../ledger-client/batches";
import { ledgerOf } from "../../ledger-client/ledger-of";
import { unwrap } from "../../ledger-client/refusals";
import { recordCallDecision, type CallDecisionPoint } from "../decision-metrics";
import type { AuthorizeAnswer, EndAnswer, ExtendAnswer } from "../../ledger/calls";
import { askWithDecks } from "../rate-decks";
import { authorizeView, endView, extendView, quoteView } from "../rating-views";
import * as schemas from "../schemas";
import { jsonBody, pathParams } from "../validate";

/** Longer than any call a switch keeps up; a bigger figure is a unit mistake (ms for s). */
export const LEG_SECONDS_MAX = 86_400;

/** Call, message and usage ids are the caller's: they key idempotency and appear in the export. */
export const interactionId = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._:@-]{0,127}$/, "1 to 128 letters, digits or . _ : @ -");
export const callId = interactionId;
export const userId = z
  .string()
  .regex(/^[\x21-\x7e]{1,128}$/, "1 to 128 printable ASCII characters");
/** E.164 is expected; anything else (short codes, "anonymous") is accepted and rated as special. */
export const phoneNumber = z
  .string()
  .regex(/^[A-Za-z0-9+*#._-]{1,64}$/, "a phone number, E.164 such as +4930123456");
const leg = z.enum(["primary", "forward"]).default("primary");
const seconds = z.number().int().min(0).max(LEG_SECONDS_MAX);

export const callPath = schemas.accountPath.extend({ callId });
export const authorizeBody = z.object({
  leg,
  userId,
  direction: z.enum(["outbound", "inbound"]),
  from: phoneNumber,
  to: phoneNumber,
});
export const extendBody = z.object({ leg, usedSeconds: seconds });
export const endBody = z.object({ leg, durationSeconds: seconds });
export const quoteBody = authorizeBody.extend({ durationSeconds: seconds });

function switchCall(c: Context<AppEnv>) {
  requireSwitch(c);
  const path = pathParams(c, callPath);
  c.set("accountId", path.id);
  return path;
}

/** The account a leg is asked for, and its region when known (for the metrics). */
export interface LegAccount {
  accountId: string;
  region: string | null;
}

/**
 * The three steps of a leg, shared by the account-scoped routes and the switch's
 * number-directory routes (./switch-calls.ts): each decides, logs and records its metric.
 */
export async function authorizeLeg(
  c: Context<AppEnv>,
  account: LegAccount,
  callId: string,
  body: z.output<typeof authorizeBody>,
): Promise<AuthorizeAnswer> {
  const startedMs = performance.now();
  const request: CallRequest = {
    direction: body.direction,
    leg: body.leg,
    from: body.from,
    to: body.to,
    userId: body.userId,
  };
  // Inbound to a standard number connects free whatever the account holds, so the ledger
  // is not asked (and records nothing; its extend and end answer unknown legs as free).
  const answer: AuthorizeAnswer =
    request.direction === "inbound" && coverageOf(request, null, 0).billing === "free"
      ? {
          allowed: true,
          reason: null,
          billing: "free",
          chargeReason: null,
          grantSeconds: FREE_GRANT_SECONDS,
          rate: null,
        }
      : await askWithDecks(c, (decks) =>
          runCommand(scopeOf(c), account.accountId, {
            kind: "authorize",
            command: { callId, ...request },
            decks,
          }),
        );
  c.set("decision", answer.allowed ? `allowed:${answer.billing}` : `refused:${answer.reason}`);
  record(c, account, startedMs, {
    step: "authorize",
    outcome: answer.allowed ? "allowed" : "refused",
    reason: answer.reason,
    billing: answer.billing,
    leg: body.leg,
    seconds: answer.grantSeconds,
  });
  return answer;
}

export async function extendLeg(
  c: Context<AppEnv>,
  account: LegAccount,
  callId: string,
  body: z.output<typeof extendBody>,
): Promise<ExtendAnswer> {
  const startedMs = performance.now();
  const answer = unwrap(
    await runCommand(scopeOf(c), account.accountId, {
      kind: "extend",
      command: { callId, leg: body.leg, usedSeconds: body.usedSeconds },
    }),
  );
  c.set("decision", answer.allowed ? `extended:${answer.billing}` : `refused:${answer.reason}`);
  record(c, account, startedMs, {
    step: "extend",
    outcome: answer.allowed ? "allowed" : "refused",
    reason: answer.reason,
    billing: answer.billing,
    leg: body.leg,
    seconds: answer.grantSeconds,
  });
  return answer;
}

export async function endLeg(
  c: Context<AppEnv>,
  account: LegAccount,
  callId: string,
  body: z.output<typeof endBody>,
): Promise<EndAnswer> {
  const startedMs = performance.now();
  const answer = unwrap(
    await runCommand(scopeOf(c), account.accountId, {
      kind: "end",
      command: { callId, leg: body.leg, durationSeconds: body.durationSeconds },
    }),
  );
  c.set("decision", `ended:${answer.billing}`);
  record(c, account, startedMs, {
    step: "end",
    outcome: "ended",
    reason: null,
    billing: answer.billing,
    leg: body.leg,
    seconds: answer.billedSeconds,
  });
  return answer;
}

function record(
  c: Context<AppEnv>,
  account: LegAccount,
  startedMs: number,
  point: Omit<CallDecisionPoint, "accountId" | "region" | "latencyMs">,
): void {
  recordCallDecision(c.env, {
    ...point,
    accountId: account.accountId,
    region: account.region,
    latencyMs: performance.now() - startedMs,
  });
}

/** The account-scoped routes do not read the account's region: the metric leaves it empty. */
const scoped = (accountId: string): LegAccount => ({ accountId, region: null });

export const calls = new Hono<AppEnv>()
  .post("/:id/calls/:callId/authorize", async (c) => {
    const { id, callId } = switchCall(c);
    const body = await jsonBody(c, authorizeBody);
    return c.json(authorizeView(await authorizeLeg(c, scoped(id), callId, body)));
  })

  .post("/:id/calls/:callId/extend", async (c) => {
    const { id, callId } = switchCall(c);
    const body = await jsonBody(c, extendBody);
    return c.json(extendView(await extendLeg(c, scoped(id), callId, body)));
  })

  .post("/:id/calls/:callId/end", async (c) => {
    const { id, callId } = switchCall(c);
    const body = await jsonBody(c, endBody);
    return c.json(endView(await endLeg(c, scoped(id), callId, body)));
  })

  /**
   * What a call would cost and why; the switch, the operator or any key of the account may
   * ask. (A fixed segment beside `/calls/:callId/…` makes Hono fall back from RegExpRouter
   * to TrieRouter for the whole app; the contract's path is kept regardless.)
   */
  .post("/:id/calls/quote", async (c) => {
    const { id } = pathParams(c, schemas.accountPath);
    if (c.get("principal").kind === "switch") c.set("accountId", id);
    else requireAccount(c, id, "any");
    const { durationSeconds, ...body } = await jsonBody(c, quoteBody);
    const ledger = ledgerOf(c.env, id);
    const quote = await askWithDecks(c, (decks) => ledger.quoteCall(body, durationSeconds, decks));
    return c.json(quoteView(quote));
  });
