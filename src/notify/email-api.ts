import { isRetryableStatus, type DeliveryResult, type Email, type EmailSender } from "./notifier";

/**
 * Production email through an HTTP email API in the common shape (Resend's `POST /emails`;
 * Postmark and others differ only in field names): JSON body, bearer key, and an
 * Idempotency-Key header so a retried send is delivered once.
 */

/** Alerts are not urgent to the second; waiting longer would only hold up the caller. */
export const EMAIL_API_TIMEOUT_MS = 10_000;

export interface EmailApiOptions {
  /** Full endpoint, e.g. https://api.resend.com/emails */
  url: string;
  apiKey: string;
  /** Sender, e.g. "Billing <billing@example.com>". */
  from: string;
  fetch?: typeof fetch;
  timeoutMs?: number;
}

export class EmailApiSender implements EmailSender {
  readonly #options: EmailApiOptions;
  readonly #fetch: typeof fetch;

  constructor(options: EmailApiOptions) {
    this.#options = options;
    // Bound to globalThis: workerd refuses a fetch called with another `this`.
    this.#fetch = options.fetch ?? fetch.bind(globalThis);
  }

  async sendEmail(email: Email): Promise<DeliveryResult> {
    const body = JSON.stringify({
      from: this.#options.from,
      to: [email.to],
      subject: email.subject,
      text: email.text,
      ...(email.html ? { html: email.html } : {}),
    });
    let response: Response;
    try {
      response = await this.#fetch(this.#options.url, {
        method: "POST",
        headers: {
          Authorization: `Bearer ${this.#options.apiKey}`,
          "Content-Type": "application/json",
          "Idempotency-Key": email.idempotencyKey,
        },
        body,
        signal: AbortSignal.timeout(this.#options.timeoutMs ?? EMAIL_API_TIMEOUT_MS),
      });
    } catch (error) {
      const timedOut =
        error instanceof Error && (error.name === "TimeoutError" || error.name === "AbortError");
      return {
        ok: false,
        retryable: true,
        reason: timedOut ? "email API timed out" : `email API unreachable: ${errorMessage(error)}`,
      };
    }
    const text = await response.text().catch(() => "");
    if (!response.ok) {
      // The provider's body can echo the request; a short prefix is enough to diagnose.
      return {
        ok: false,
        retryable: isRetryableStatus(response.status),
        reason: `email API answered ${response.status}: ${text.slice(0, 200)}`,
      };
    }
    return { ok: true, messageId: messageIdFrom(text) ?? email.idempotencyKey };
  }
}

function messageIdFrom(text: string): string | null {
  try {
    const parsed: unknown = JSON.parse(text);
    if (parsed && typeof parsed === "object") {
      const { id, MessageID } = parsed as { id?: unknown; MessageID?: unknown };
      if (typeof id === "string") return id;
      if (typeof MessageID === "string") return MessageID;
    }
  } catch {
    // A 2xx without JSON still means accepted.
  }
  return null;
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
