import type { DeckRefs } from "../rate-decks/kinds";
import type {
  AuthorizeAnswer,
  AuthorizeCommand,
  EndAnswer,
  EndCommand,
  ExtendAnswer,
  ExtendCommand,
} from "./calls";
import type { MessageAnswer, MessageCommand, UsageAnswer, UsageCommand } from "./charges";
import type { LedgerResult } from "./types";

/**
 * The switch's real-time commands: what a call leg, a message or an AI minute asks of the
 * ledger. They travel in batches (one RPC, one commit for many; see
 * src/ledger-client/batches.ts) and are run one after another, each in its own transaction.
 */
export type LedgerCommand =
  | { kind: "authorize"; command: AuthorizeCommand; decks: DeckRefs }
  | { kind: "extend"; command: ExtendCommand }
  | { kind: "end"; command: EndCommand }
  | { kind: "message"; command: MessageCommand; decks: DeckRefs }
  | { kind: "usage"; command: UsageCommand; decks: DeckRefs };

export interface CommandAnswers {
  authorize: AuthorizeAnswer;
  extend: ExtendAnswer;
  end: EndAnswer;
  message: MessageAnswer;
  usage: UsageAnswer;
}

export type CommandKind = LedgerCommand["kind"];

/**
 * A command's outcome in a batch: the ledger's answer or refusal, or `failed` when running
 * it threw (a bug or a storage fault). Its transaction was rolled back; the other commands
 * of the batch keep their own outcomes.
 */
export type CommandOutcome<K extends CommandKind = CommandKind> =
  | LedgerResult<CommandAnswers[K]>
  | { ok: false; failed: string };

/** Most commands one RPC carries: bounds the RPC's size and the time one batch holds the ledger. */
export const COMMANDS_PER_BATCH_MAX = 64;
