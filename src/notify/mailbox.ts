import type { DeliveryResult, Email, EmailSender } from "./notifier";

/**
 * The development stand-in for an email provider: emails land in the D1 table `mailbox`
 * and `GET /dev/mailbox` lists them, so a developer can read alerts and click export
 * links without any mail setup. Never used in production.
 */

export const MAILBOX_LIST_MAX = 100;

export interface MailboxEntry {
  id: string;
  to: string;
  subject: string;
  text: string;
  html: string | null;
  createdAtMs: number;
}

interface MailboxRow {
  id: string;
  to_address: string;
  subject: string;
  text_body: string;
  html_body: string | null;
  created_at_ms: number;
}

export interface MailboxOptions {
  nowMs?: () => number;
  newId?: () => string;
}

export class D1Mailbox implements EmailSender {
  readonly #db: D1Database;
  readonly #nowMs: () => number;
  readonly #newId: () => string;

  constructor(db: D1Database, options: MailboxOptions = {}) {
    this.#db = db;
    this.#nowMs = options.nowMs ?? Date.now;
    this.#newId = options.newId ?? (() => `msg_${crypto.randomUUID()}`);
  }

  /** A repeated idempotency key stores nothing and answers with the first message's id, as a provider would. */
  async sendEmail(email: Email): Promise<DeliveryResult> {
    try {
      const [, found] = await this.#db.batch<{ id: string }>([
        this.#db
          .prepare(
            `INSERT INTO mailbox (id, idempotency_key, to_address, subject, text_body, html_body, created_at_ms)
             VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (idempotency_key) DO NOTHING`,
          )
          .bind(
            this.#newId(),
            email.idempotencyKey,
            email.to,
            email.subject,
            email.text,
            email.html ?? null,
            this.#nowMs(),
          ),
        this.#db
          .prepare("SELECT id FROM mailbox WHERE idempotency_key = ?")
          .bind(email.idempotencyKey),
      ]);
      const id = found?.results[0]?.id;
      return id
        ? { ok: true, messageId: id }
        : { ok: false, retryable: true, reason: "mailbox row not found after insert" };
    } catch (error) {
      return {
        ok: false,
        retryable: true,
        reason: `mailbox unavailable: ${error instanceof Error ? error.message : String(error)}`,
      };
    }
  }
}

/** Newest first; `to` narrows to one recipient. */
export async function listMailbox(
  db: D1Database,
  query: { to?: string; limit?: number } = {},
): Promise<MailboxEntry[]> {
  const limit = Math.min(
    Math.max(1, Math.floor(query.limit ?? MAILBOX_LIST_MAX)),
    MAILBOX_LIST_MAX,
  );
  const statement = query.to
    ? db
        .prepare(
          "SELECT * FROM mailbox WHERE to_address = ? ORDER BY created_at_ms DESC, rowid DESC LIMIT ?",
        )
        .bind(query.to, limit)
    : db
        .prepare("SELECT * FROM mailbox ORDER BY created_at_ms DESC, rowid DESC LIMIT ?")
        .bind(limit);
  const { results } = await statement.all<MailboxRow>();
  return results.map((row) => ({
    id: row.id,
    to: row.to_address,
    subject: row.subject,
    text: row.text_body,
    html: row.html_body,
    createdAtMs: row.created_at_ms,
  }));
}
