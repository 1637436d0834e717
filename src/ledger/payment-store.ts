import type { Micros } from "../money";

export type PaymentKind = "one-time" | "auto";
export type PaymentStatus = "pending" | "succeeded" | "failed";

export interface PaymentView {
  id: string;
  kind: PaymentKind;
  amountMicros: Micros;
  paymentMethod: string;
  status: PaymentStatus;
  /** Pending on the cardholder: where the bank's authentication page is. */
  nextActionUrl: string | null;
  failureReason: string | null;
  createdAtMs: number;
  settledAtMs: number | null;
  movementId: string | null;
  /** Credit taken back by refunds and lost disputes so far. */
  reversedMicros: Micros;
}

export type DisputeStatus = "open" | "won" | "lost";

/** Typed access to the payments, payment_events and payment_disputes tables; rules live in top-ups.ts. */
export class PaymentStore {
  constructor(private readonly sql: SqlStorage) {}

  find(id: string): PaymentView | null {
    const row = this.sql.exec<PaymentRow>("SELECT * FROM payments WHERE id = ?", id).toArray()[0];
    return row ? toPayment(row) : null;
  }

  insert(
    payment: Pick<PaymentView, "id" | "kind" | "amountMicros" | "paymentMethod" | "createdAtMs">,
  ): void {
    this.sql.exec(
      `INSERT INTO payments (id, kind, amount_micros, payment_method, status, next_attempt_at_ms, created_at_ms)
       VALUES (?, ?, ?, ?, 'pending', ?, ?)`,
      payment.id,
      payment.kind,
      payment.amountMicros,
      payment.paymentMethod,
      payment.createdAtMs,
      payment.createdAtMs,
    );
  }

  /** The auto top-up in flight, if any. */
  pendingAuto(): PaymentView | null {
    const row = this.sql
      .exec<{ id: string }>(
        "SELECT id FROM payments WHERE kind = 'auto' AND status = 'pending' LIMIT 1",
      )
      .toArray()[0];
    return row ? this.find(row.id) : null;
  }

  /** Pending amounts by kind: credit on its way. */
  pendingTotals(): Array<{ kind: PaymentKind; total: Micros }> {
    return this.sql
      .exec<{ kind: PaymentKind; total: number }>(
        "SELECT kind, sum(amount_micros) AS total FROM payments WHERE status = 'pending' GROUP BY kind",
      )
      .toArray();
  }

  autoStartedSince(sinceMs: number): number {
    return this.sql
      .exec<{ n: number }>(
        "SELECT count(*) AS n FROM payments WHERE kind = 'auto' AND created_at_ms >= ?",
        sinceMs,
      )
      .one().n;
  }

  /** Pending payments whose next attempt is due, oldest first. */
  dueIds(nowMs: number): string[] {
    return this.sql
      .exec<{ id: string }>(
        "SELECT id FROM payments WHERE status = 'pending' AND next_attempt_at_ms <= ? ORDER BY created_at_ms",
        nowMs,
      )
      .toArray()
      .map((row) => row.id);
  }

  nextAttemptAtMs(): number | null {
    return this.sql
      .exec<{ at: number | null }>(
        "SELECT min(next_attempt_at_ms) AS at FROM payments WHERE status = 'pending'",
      )
      .one().at;
  }

  attempts(id: string): number {
    return this.sql
      .exec<{ attempts: number }>("SELECT attempts FROM payments WHERE id = ?", id)
      .one().attempts;
  }

  gatewayRef(id: string): string | null {
    return (
      this.sql
        .exec<{ gateway_ref: string | null }>("SELECT gateway_ref FROM payments WHERE id = ?", id)
        .toArray()[0]?.gateway_ref ?? null
    );
  }

  /** Counts an attempt before its gateway call and says when to ask again if none answers. */
  countAttempt(id: string, nextAttemptAtMs: number): void {
    this.sql.exec(
      "UPDATE payments SET attempts = attempts + 1, next_attempt_at_ms = ? WHERE id = ?",
      nextAttemptAtMs,
      id,
    );
  }

  /** What a gateway answer taught while the payment stays pending. */
  update(
    id: string,
    change: { gatewayRef?: string | null; nextActionUrl?: string; nextAttemptAtMs?: number },
  ): void {
    this.sql.exec(
      `UPDATE payments SET gateway_ref = coalesce(?, gateway_ref), next_action_url = coalesce(?, next_action_url),
         next_attempt_at_ms = coalesce(?, next_attempt_at_ms) WHERE id = ?`,
      change.gatewayRef ?? null,
      change.nextActionUrl ?? null,
      change.nextAttemptAtMs ?? null,
      id,
    );
  }

  succeeded(id: string, gatewayRef: string | null, movementId: string, nowMs: number): void {
    this.sql.exec(
      "UPDATE payments SET status = 'succeeded', gateway_ref = ?, settled_at_ms = ?, movement_id = ?, next_attempt_at_ms = NULL, next_action_url = NULL, failure_reason = NULL WHERE id = ?",
      gatewayRef,
      nowMs,
      movementId,
      id,
    );
  }

  failed(id: string, gatewayRef: string | null, failureReason: string, nowMs: number): void {
    this.sql.exec(
      "UPDATE payments SET status = 'failed', gateway_ref = coalesce(?, gateway_ref), failure_reason = ?, settled_at_ms = ?, next_attempt_at_ms = NULL, next_action_url = NULL WHERE id = ?",
      gatewayRef,
      failureReason,
      nowMs,
      id,
    );
  }

  /** Adds to (a refund, a dispute) or takes from (a dispute won) the credit taken back. */
  addReversed(id: string, micros: Micros): void {
    this.sql.exec(
      "UPDATE payments SET reversed_micros = reversed_micros + ? WHERE id = ?",
      micros,
      id,
    );
  }

  // Gateway events, applied at most once by id. ---------------------------------------------

  seen(eventId: string): boolean {
    return (
      this.sql.exec("SELECT 1 FROM payment_events WHERE event_id = ?", eventId).toArray().length > 0
    );
  }

  record(eventId: string, paymentId: string, nowMs: number): void {
    this.sql.exec(
      "INSERT INTO payment_events (event_id, payment_id, received_at_ms) VALUES (?, ?, ?)",
      eventId,
      paymentId,
      nowMs,
    );
  }

  // Disputes ---------------------------------------------------------------------------------

  dispute(disputeRef: string): { status: DisputeStatus; amountMicros: Micros } | null {
    const row = this.sql
      .exec<{ status: DisputeStatus; amount_micros: number }>(
        "SELECT status, amount_micros FROM payment_disputes WHERE dispute_ref = ?",
        disputeRef,
      )
      .toArray()[0];
    return row ? { status: row.status, amountMicros: row.amount_micros } : null;
  }

  openDispute(disputeRef: string, paymentId: string, amountMicros: Micros, nowMs: number): void {
    this.sql.exec(
      "INSERT INTO payment_disputes (dispute_ref, payment_id, amount_micros, status, created_at_ms) VALUES (?, ?, ?, 'open', ?)",
      disputeRef,
      paymentId,
      amountMicros,
      nowMs,
    );
  }

  closeDispute(disputeRef: string, status: Exclude<DisputeStatus, "open">): void {
    this.sql.exec(
      "UPDATE payment_disputes SET status = ? WHERE dispute_ref = ?",
      status,
      disputeRef,
    );
  }
}

interface PaymentRow extends Record<string, SqlStorageValue> {
  id: string;
  kind: PaymentKind;
  amount_micros: number;
  payment_method: string;
  status: PaymentStatus;
  next_action_url: string | null;
  failure_reason: string | null;
  created_at_ms: number;
  settled_at_ms: number | null;
  movement_id: string | null;
  reversed_micros: number;
}

function toPayment(row: PaymentRow): PaymentView {
  return {
    id: row.id,
    kind: row.kind,
    amountMicros: row.amount_micros,
    paymentMethod: row.payment_method,
    status: row.status,
    nextActionUrl: row.status === "pending" ? row.next_action_url : null,
    failureReason: row.failure_reason,
    createdAtMs: row.created_at_ms,
    settledAtMs: row.settled_at_ms,
    movementId: row.movement_id,
    reversedMicros: row.reversed_micros,
  };
}
