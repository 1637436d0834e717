import type { Micros } from "../money";
import {
  autoTopUpDisabledEmail,
  autoTopUpFailedEmail,
  cardExpiringEmail,
  topUpReversedEmail,
  creditExhaustedEmail,
  creditLowEmail,
  type MessageContent,
} from "../notify/messages";
import { notifierFor } from "../notify";
import type { AccountEventType } from "../notify/notifier";
import type { LedgerCore } from "./core";
import { randomId } from "./ids";

export const NOTICE_RETRY_BASE_MS = 30_000;
export const NOTICE_ATTEMPTS_MAX = 8;
const NOTICES_PER_ALARM = 20;

/** What the ledger tells an account admin, written in the same transaction as its cause. */
export type Notice =
  | { kind: "credit.low"; balanceMicros: Micros; currency: string }
  | { kind: "credit.exhausted"; balanceMicros: Micros; currency: string }
  | {
      kind: "auto_top_up.failed";
      amountMicros: Micros;
      currency: string;
      failureReason: string;
      nextAttemptAtMs: number | null;
      timeZone: string;
      /** Set when the bank wants the cardholder: where the admin can pay by hand. */
      actionUrl?: string;
    }
  | { kind: "auto_top_up.disabled"; consecutiveFailures: number; failureReason: string }
  | {
      kind: "card.expiring";
      brand: string;
      last4: string;
      expMonth: number;
      expYear: number;
      billingUrl: string;
      timeZone: string;
    }
  | {
      kind: "top_up.reversed";
      topUpId: string;
      /** Negative when credit was taken back, positive when a won dispute gave it back. */
      amountMicros: Micros;
      currency: string;
      cause: "refund" | "dispute" | "dispute_won";
      balanceMicros: Micros;
    };

function content(notice: Notice): MessageContent {
  switch (notice.kind) {
    case "credit.low":
      return creditLowEmail(notice);
    case "credit.exhausted":
      return creditExhaustedEmail(notice);
    case "auto_top_up.failed":
      return autoTopUpFailedEmail(notice);
    case "auto_top_up.disabled":
      return autoTopUpDisabledEmail(notice);
    case "card.expiring":
      return cardExpiringEmail(notice);
    case "top_up.reversed":
      return topUpReversedEmail(notice);
    default: {
      const unmapped: never = notice;
      throw new Error(`no message for ${JSON.stringify(unmapped)}`);
    }
  }
}

/**
 * An outbox of notifications. A notice is recorded with the change that caused it and
 * sent by the alarm, with the notice id as the idempotency key, so a crash or a retry
 * never loses or doubles an email.
 */
export class Notices {
  constructor(private readonly core: LedgerCore) {}

  /** Inside the caller's transaction. */
  enqueue(notice: Notice): void {
    const now = Date.now();
    this.core.store.sql.exec(
      "INSERT INTO notices (id, kind, payload, created_at_ms, next_attempt_at_ms) VALUES (?, ?, ?, ?, ?)",
      randomId("ntc"),
      notice.kind,
      JSON.stringify(notice),
      now,
      now,
    );
    this.core.wakeAt(now);
  }

  async onAlarm(nowMs: number): Promise<number | null> {
    const sql = this.core.store.sql;
    const account = this.core.account();
    const due = sql
      .exec<{ id: string; payload: string; attempts: number }>(
        "SELECT id, payload, attempts FROM notices WHERE next_attempt_at_ms <= ? ORDER BY created_at_ms LIMIT ?",
        nowMs,
        NOTICES_PER_ALARM,
      )
      .toArray();
    if (due.length > 0 && account) {
      const notifier = notifierFor(this.core.env);
      const webhook = this.core.store.readSetting("alert_webhook");
      for (const row of due) {
        const notice = JSON.parse(row.payload) as Notice;
        const email = account.email
          ? await notifier.sendEmail({
              to: account.email,
              ...content(notice),
              idempotencyKey: row.id,
            })
          : { ok: true as const, messageId: "no-email" };
        const hook = webhook
          ? await notifier.sendWebhook({
              url: webhook.url,
              secret: webhook.secret,
              event: {
                id: row.id,
                type: notice.kind as AccountEventType,
                accountId: account.accountId,
                createdAtMs: nowMs,
                data: { ...notice },
              },
            })
          : { ok: true as const, messageId: "no-webhook" };
        const permanent = (!email.ok && !email.retryable) || (!hook.ok && !hook.retryable);
        if ((email.ok && hook.ok) || permanent || row.attempts + 1 >= NOTICE_ATTEMPTS_MAX) {
          if (!email.ok || !hook.ok) {
            console.warn(
              JSON.stringify({
                event: "notice_dropped",
                noticeId: row.id,
                kind: notice.kind,
                email,
                hook,
              }),
            );
          }
          sql.exec("DELETE FROM notices WHERE id = ?", row.id);
        } else {
          sql.exec(
            "UPDATE notices SET attempts = attempts + 1, next_attempt_at_ms = ? WHERE id = ?",
            nowMs + NOTICE_RETRY_BASE_MS * 2 ** row.attempts,
            row.id,
          );
        }
      }
    }
    return sql
      .exec<{ at: number | null }>("SELECT min(next_attempt_at_ms) AS at FROM notices")
      .one().at;
  }
}
