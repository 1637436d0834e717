import type { LedgerStore } from "./store";
import { refuse, type LedgerRefusal, type LedgerResult } from "./types";

/** An answer given before and the request it answered, as its record keeps them. */
export interface Answered<T> {
  request: string;
  result: LedgerResult<T>;
}

/** How one kind of command applies the rule below. */
export interface IdempotencyRule {
  /** The refusal for another request under an id already answered. */
  conflict: LedgerRefusal;
  /**
   * Whether a refusal is kept as the answer. Kept, a retry is refused again; not kept, a
   * retry after the cause went away (a message refused at zero credit, then a top-up)
   * runs again.
   */
  storeRefusals: boolean;
}

/**
 * The one idempotency rule of the ledger: the same request under an id answered before
 * gets that answer again, another request under it is refused, and a new one runs and its
 * answer is kept. Where the answer is kept is the caller's: the idempotency table
 * (`onceByKey`), or the command's own row (a call leg keeps its authorize request and
 * answer, and its end). Run inside the command's transaction, so the answer and what the
 * command wrote commit together.
 */
export function once<T>(
  prior: Answered<T> | null,
  request: string,
  rule: IdempotencyRule,
  run: () => LedgerResult<T>,
  /** Keeps the answer; absent where what `run` writes is the record (a call leg's row). */
  keep?: (result: LedgerResult<T>) => void,
): LedgerResult<T> {
  if (prior) return prior.request === request ? prior.result : refuse<T>(rule.conflict);
  const result = run();
  if (keep && (result.ok || rule.storeRefusals)) keep(result);
  return result;
}

/** The rule over the idempotency table: the answer is kept under `key`, by request hash. */
export function onceByKey<T>(
  store: LedgerStore,
  key: string,
  requestHash: string,
  nowMs: number,
  rule: IdempotencyRule,
  run: () => LedgerResult<T>,
): LedgerResult<T> {
  const stored = store.readIdempotency(key);
  const prior = stored
    ? { request: stored.requestHash, result: JSON.parse(stored.response) as LedgerResult<T> }
    : null;
  return once(prior, requestHash, rule, run, (result) =>
    store.writeIdempotency(key, requestHash, JSON.stringify(result), nowMs),
  );
}

export interface IdempotentCommand {
  /** Scoped by the caller (route + client key); null when the request carries none. */
  idempotencyKey: string | null;
  /** SHA-256 of the validated request: the same key with another body is a conflict. */
  requestHash: string;
}

/** An operator's or admin's request under an Idempotency-Key: every answer is kept. */
export function byIdempotencyKey<T>(
  store: LedgerStore,
  command: IdempotentCommand,
  nowMs: number,
  run: () => LedgerResult<T>,
): LedgerResult<T> {
  const key = command.idempotencyKey;
  if (key === null) return run();
  return onceByKey(
    store,
    key,
    command.requestHash,
    nowMs,
    { conflict: { reason: "idempotency_conflict", key }, storeRefusals: true },
    run,
  );
}
