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
    /**
     * Running legs as last written are kept there (memory.ts), so extend and end find
     * theirs without a query: this object is the table's only writer. Bounded by the
     * calls in progress.
     */
    private readonly memory: () => LedgerMemory,
  ) {}

  read(callId: string, leg: CallLeg): CallLegRow | null {
    const cached = this.memory().runningLegs.get(keyOf(callId, leg));
    if (cached) return cached;
    const row = this.sql
      .exec<Row>("SELECT * FROM call_legs WHERE call_id = ? AND leg = ?", callId, leg)
      .toArray()[0];
    return row ? toLeg(row) : null;
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
    if (leg.state === "running") this.memory().runningLegs.set(keyOf(leg.callId, leg.leg), leg);
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
    this.memory().runningLegs.set(keyOf(leg.callId, leg.leg), {
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
    this.memory().runningLegs.delete(keyOf(leg.callId, leg.leg));
  }

  /**
   * The user's package seconds this month: settled (the usage_users counter) plus what the
   * user's running legs hold, one leg left out. One statement, since every authorize,
   * extend and end asks.
   */
  fairUseUsedSeconds(
    month: string,
    userId: string,
    except?: { callId: string; leg: CallLeg },
  ): number {
    return this.sql
      .exec<{ s: number }>(
        `SELECT coalesce((SELECT included_seconds FROM usage_users WHERE month = ?1 AND user_id = ?2), 0)
              + coalesce((SELECT sum(included_hold_seconds) FROM call_legs
                          WHERE state = 'running' AND user_id = ?2 AND month = ?1 AND NOT (call_id = ?3 AND leg = ?4)), 0) AS s`,
        month,
        userId,
        except?.callId ?? "",
        except?.leg ?? "",
      )
      .one().s;
  }

  /** Running legs whose grant ran out before `nowMs`, oldest first. */
  expired(nowMs: number, limit: number): CallLegRow[] {
    return this.sql
      .exec<Row>(
        "SELECT * FROM call_legs WHERE state = 'running' AND expires_at_ms <= ? ORDER BY expires_at_ms LIMIT ?",
        nowMs,
        limit,
      )
      .toArray()
      .map(toLeg);
  }

  nextExpiryMs(): number | null {
    return this.sql
      .exec<{ t: number | null }>(
        "SELECT min(expires_at_ms) AS t FROM call_legs WHERE state = 'running'",
      )
      .one().t;
  }

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
