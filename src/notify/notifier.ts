/**
 * How the service tells an account admin something: an email, and optionally a signed
 * webhook to a URL the account configured. Delivery failures are values; `retryable`
 * says whether the same message may be sent again later (the idempotency key or event
 * id keeps a retry from arriving twice where the receiver honours it).
 */

export interface Email {
  to: string;
  subject: string;
  text: string;
  html?: string;
  /** Stable per message (e.g. `alert:<accountId>:<transitionId>`), so a retried send is one email. */
  idempotencyKey: string;
}

export type DeliveryResult =
  | { ok: true; messageId: string }
  | { ok: false; retryable: boolean; reason: string };

export type AccountEventType =
  | "credit.low"
  | "credit.exhausted"
  | "credit.restored"
  | "auto_top_up.failed"
  | "auto_top_up.disabled"
  | "card.expiring"
  | "top_up.reversed"
  | "export.ready"
  | "export.failed";

export interface AccountEvent {
  /** Stable per event: receivers deduplicate on it. */
  id: string;
  type: AccountEventType;
  accountId: string;
  createdAtMs: number;
  data: Record<string, unknown>;
}

export interface AccountWebhook {
  url: string;
  /** The account's own webhook secret, so one account cannot forge another's events. */
  secret: string;
  event: AccountEvent;
}

export interface EmailSender {
  sendEmail(email: Email): Promise<DeliveryResult>;
}

export interface WebhookSender {
  sendWebhook(webhook: AccountWebhook): Promise<DeliveryResult>;
}

export interface Notifier extends EmailSender, WebhookSender {}

/** 408 and 429 say "later"; 5xx may be a passing fault; any other 4xx will not change on retry. */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 429 || status >= 500;
}
