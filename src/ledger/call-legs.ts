import type { Micros } from "../money";
import type { LedgerMemory } from "./memory";
import type {
  AppliedRate,
  CallBilling,
  CallLeg,
  CallRefusalReason,
  LegTerms,
} from "../rating/decide";
import type { CallChargeReason } from "../rating/reasons";

export type LegState = "running" | "ended" | "refused";

/** What the switch is told at authorize; kept whole so a retry gets the same answer. */
export interface AuthorizeAnswer {
  allowed: boolean;
  reason: CallRefusalReason | null;
  billing: CallBilling;
  chargeReason: CallChargeReason | null;
  grantSeconds: number;
  rate: AppliedRate | null;
}

export interface ExtendAnswer {
  allowed: boolean;
  reason: CallRefusalReason | "leg_ended" | null;
  billing: CallBilling;
  grantSeconds: number;
}

export interface EndAnswer {
  billing: CallBilling;
  durationSeconds: number;
  includedSeconds: number;
  creditSeconds: number;
  billedSeconds: number;
  chargedMicros: Micros;
  movementId: string | null;
  abandoned: boolean;
}

export interface CallLegRow {
  callId: string;
  leg: CallLeg;
  state: LegState;
  userId: string;
  /** The authorize request as JSON: the same call id and leg with another request is refused. */
  request: string;
  answer: AuthorizeAnswer;
  /** Fixed at authorize; extend and settle read these, never the deck in force now. */
  terms: LegTerms;
  /** The fair-use month ("YYYY-MM", account time zone) the leg counts in. */
  month: string;
  /** Seconds from the leg's start up to the end of its current grant. */
  grantedSeconds: number;
  /** Package seconds within grantedSeconds: held against the user's fair use while running. */
  includedHoldSeconds: number;
  reservedMicros: Micros;
  /** After this the leg counts as abandoned and the alarm settles it. */
  expiresAtMs: number;
  lastExtend: { usedSeconds: number; answer: ExtendAnswer } | null;
  endAnswer: EndAnswer | null;
  createdAtMs: number;
}

interface Row extends Record<string, SqlStorageValue> {
  call_id: string;
  leg: string;
  state: string;
  user_id: string;
  request: string;
  answer: string;
  terms: string;
  month: string;
  granted_seconds: number;
  included_hold_seconds: number;
  reserved_micros: number;
  expires_at_ms: number;
  extend_used_seconds: number | null;
  extend_answer: string | null;
  end_answer: string | null;
  created_at_ms: number;
}

/** Typed access to the call_legs table; rules live in calls.ts. */
export class CallLegStore {
  constructor(
    private readonly sql: SqlStorage,
    /** The ledger's one in-memory copy (memory.ts), which holds the running legs. */
    private readonly memory: () => LedgerMemory,
  ) {}

  /**
   * Every running leg: the alarm's expiry, the holds and fair use in flight are read from
   * here, so no index over running legs is written per call (schema step 9), and extend
   * and end find their leg without a query once it was read. This object is the table's
   * only writer. Loaded on first use by one scan of the legs' plain columns (a leg's JSON
   * is parsed when it is read, so one unreadable leg fails alone); a rolled-back
   * transaction throws the memory away, so that happens again. Bounded by the calls in
   * progress.
   */
  #runningLegs(): Map<string, RunningLeg> {
    const memory = this.memory();
    if (memory.runningLegs === null) {
      const rows = this.sql
        .exec<RunningRow>(
          `SELECT call_id, leg, user_id, month, included_hold_seconds, expires_at_ms
           FROM call_legs WHERE state = 'running'`,
        )
        .toArray();
      memory.runningLegs = new Map(
        rows.map((row) => [
          keyOf(row.call_id, row.leg as CallLeg),
          {
            callId: row.call_id,
            leg: row.leg as CallLeg,
            userId: row.user_id,
            month: row.month,
            includedHoldSeconds: row.included_hold_seconds,
            expiresAtMs: row.expires_at_ms,
            row: null,
          },
        ]),
      );
    }
    return memory.runningLegs;
  }

  #remember(leg: CallLegRow): void {
    this.#runningLegs().set(keyOf(leg.callId, leg.leg), { ...leg, row: leg });
  }

  read(callId: string, leg: CallLeg): CallLegRow | null {
    const running = this.#runningLegs().get(keyOf(callId, leg));
    if (running?.row) return running.row;
    const row = this.sql
      .exec<Row>("SELECT * FROM call_legs WHERE call_id = ? AND leg = ?", callId, leg)
      .toArray()[0];
    if (!row) return null;
    const read = toLeg(row);
    if (running) this.#remember(read);
    return read;
  }

  insert(leg: CallLegRow): void {
    this.sql.exec(
      `INSERT INTO call_legs (call_id, leg, state, user_id, request, answer, terms, month, granted_seconds,
         included_hold_seconds, reserved_micros, expires_at_ms, created_at_ms, ended_at_ms)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      leg.callId,
      leg.leg,
      leg.state,
      leg.userId,
      leg.request,
      JSON.stringify(leg.answer),
      JSON.stringify(leg.terms),
      leg.month,
      leg.grantedSeconds,
      leg.includedHoldSeconds,
      leg.reservedMicros,
      leg.expiresAtMs,
      leg.createdAtMs,
      leg.state === "running" ? null : leg.createdAtMs,
    );
    if (leg.state === "running") this.#remember(leg);
  }

  extend(
    leg: CallLegRow,
    change: {
      grantedSeconds: number;
      includedHoldSeconds: number;
      reservedMicros: number;
      expiresAtMs: number;
      usedSeconds: number;
      answer: ExtendAnswer;
    },
  ): void {
    this.sql.exec(
      `UPDATE call_legs SET granted_seconds = ?, included_hold_seconds = ?, reserved_micros = ?, expires_at_ms = ?,
         extend_used_seconds = ?, extend_answer = ? WHERE call_id = ? AND leg = ?`,
      change.grantedSeconds,
      change.includedHoldSeconds,
      change.reservedMicros,
      change.expiresAtMs,
      change.usedSeconds,
      JSON.stringify(change.answer),
      leg.callId,
      leg.leg,
    );
    this.#remember({
      ...leg,
      grantedSeconds: change.grantedSeconds,
      includedHoldSeconds: change.includedHoldSeconds,
      reservedMicros: change.reservedMicros,
      expiresAtMs: change.expiresAtMs,
      lastExtend: { usedSeconds: change.usedSeconds, answer: change.answer },
    });
  }

  end(leg: CallLegRow, answer: EndAnswer, nowMs: number): void {
    this.sql.exec(
      `UPDATE call_legs SET state = 'ended', included_hold_seconds = 0, reserved_micros = 0, end_answer = ?, ended_at_ms = ?
       WHERE call_id = ? AND leg = ?`,
      JSON.stringify(answer),
      nowMs,
      leg.callId,
      leg.leg,
    );
    this.#runningLegs().delete(keyOf(leg.callId, leg.leg));
  }

  /**
   * The user's package seconds this month: settled (the usage_users counter) plus what the
   * user's running legs hold, one leg left out. Every authorize, extend and end of a
   * package leg asks.
   */
  fairUseUsedSeconds(
    month: string,
    userId: string,
    except?: { callId: string; leg: CallLeg },
  ): number {
    const settled =
      this.sql
        .exec<{ s: number }>(
          "SELECT included_seconds AS s FROM usage_users WHERE month = ? AND user_id = ?",
          month,
          userId,
        )
        .toArray()[0]?.s ?? 0;
    let held = 0;
    for (const leg of this.#runningLegs().values()) {
      if (leg.userId !== userId || leg.month !== month) continue;
      if (except && leg.callId === except.callId && leg.leg === except.leg) continue;
      held += leg.includedHoldSeconds;
    }
    return settled + held;
  }

  /** Running legs whose grant ran out before `nowMs`, oldest first. */
  expired(nowMs: number, limit: number): CallLegRow[] {
    return [...this.#runningLegs().values()]
      .filter((leg) => leg.expiresAtMs <= nowMs)
      .sort((a, b) => a.expiresAtMs - b.expiresAtMs)
      .slice(0, limit)
      .map((leg) => this.read(leg.callId, leg.leg) as CallLegRow);
  }

  nextExpiryMs(): number | null {
    let next: number | null = null;
    for (const leg of this.#runningLegs().values())
      if (next === null || leg.expiresAtMs < next) next = leg.expiresAtMs;
    return next;
  }

  /** The running legs' reservations as stored (not as kept in memory): what audits hold the holds against. */
  runningReservedMicros(): Micros {
    return (
      this.sql
        .exec<{ s: number | null }>(
          "SELECT sum(reserved_micros) AS s FROM call_legs WHERE state = 'running'",
        )
        .one().s ?? 0
    );
  }

  /** Deletes up to `limit` legs ended before `beforeMs`; returns how many. */
  pruneEndedBefore(beforeMs: number, limit: number): number {
    return this.sql
      .exec(
        `DELETE FROM call_legs WHERE (call_id, leg) IN
           (SELECT call_id, leg FROM call_legs WHERE ended_at_ms < ? LIMIT ?) RETURNING 1`,
        beforeMs,
        limit,
      )
      .toArray().length;
  }
}

const keyOf = (callId: string, leg: CallLeg) => `${leg}/${callId}`;

/** What the ledger keeps of a running leg at all times, and the whole leg once it was read. */
export type RunningLeg = Pick<
  CallLegRow,
  "callId" | "leg" | "userId" | "month" | "includedHoldSeconds" | "expiresAtMs"
> & { row: CallLegRow | null };

interface RunningRow extends Record<string, SqlStorageValue> {
  call_id: string;
  leg: string;
  user_id: string;
  month: string;
  included_hold_seconds: number;
  expires_at_ms: number;
}

function toLeg(row: Row): CallLegRow {
  return {
    callId: row.call_id,
    leg: row.leg as CallLeg,
    state: row.state as LegState,
    userId: row.user_id,
    request: row.request,
    answer: JSON.parse(row.answer) as AuthorizeAnswer,
    terms: JSON.parse(row.terms) as LegTerms,
    month: row.month,
    grantedSeconds: row.granted_seconds,
    includedHoldSeconds: row.included_hold_seconds,
    reservedMicros: row.reserved_micros,
    expiresAtMs: row.expires_at_ms,
    lastExtend:
      row.extend_used_seconds === null || row.extend_answer === null
        ? null
        : {
            usedSeconds: row.extend_used_seconds,
            answer: JSON.parse(row.extend_answer) as ExtendAnswer,
          },
    endAnswer: row.end_answer === null ? null : (JSON.parse(row.end_answer) as EndAnswer),
    createdAtMs: row.created_at_ms,
  };
}
