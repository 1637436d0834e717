import { signWebhook } from "../payments/webhook-signature";
import {
  isRetryableStatus,
  type AccountWebhook,
  type DeliveryResult,
  type WebhookSender,
} from "./notifier";

/**
 * Outgoing account webhooks, signed with the same scheme Stripe uses (and this service
 * verifies for its own gateway webhooks), so receivers can reuse Stripe's documented check:
 *
 *   X-Credit-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>" under the account's secret>
 */

export const ACCOUNT_WEBHOOK_SIGNATURE_HEADER = "X-Credit-Signature";
export const ACCOUNT_WEBHOOK_EVENT_ID_HEADER = "X-Credit-Event-Id";

/** A slow receiver must not hold up the alarm that sends alerts. */
export const ACCOUNT_WEBHOOK_TIMEOUT_MS = 10_000;

export interface AccountWebhookOptions {
  fetch?: typeof fetch;
  nowMs?: () => number;
  timeoutMs?: number;
  /** Dev only: production sends to https URLs alone, so a signed event never travels in clear. */
  allowHttp?: boolean;
}

export class AccountWebhookSender implements WebhookSender {
  readonly #fetch: typeof fetch;
  readonly #nowMs: () => number;
  readonly #timeoutMs: number;
  readonly #allowHttp: boolean;

  constructor(options: AccountWebhookOptions = {}) {
    this.#fetch = options.fetch ?? fetch.bind(globalThis);
    this.#nowMs = options.nowMs ?? Date.now;
    this.#timeoutMs = options.timeoutMs ?? ACCOUNT_WEBHOOK_TIMEOUT_MS;
    this.#allowHttp = options.allowHttp ?? false;
  }

  async sendWebhook({ url, secret, event }: AccountWebhook): Promise<DeliveryResult> {
    if (!isAllowedWebhookUrl(url, this.#allowHttp))
      return { ok: false, retryable: false, reason: "webhook URL must be https" };
    const body = JSON.stringify({
      id: event.id,
      type: event.type,
      accountId: event.accountId,
      createdAt: new Date(event.createdAtMs).toISOString(),
      data: event.data,
    });
    let response: Response;
    try {
      response = await this.#fetch(url, {
        method: "POST",
        headers: {
          "Content-Type": "application/json",
          [ACCOUNT_WEBHOOK_SIGNATURE_HEADER]: await signWebhook(secret, body, this.#nowMs() / 1000),
          [ACCOUNT_WEBHOOK_EVENT_ID_HEADER]: event.id,
        },
        body,
        // A redirect could carry the signed event to a host the admin never configured.
        redirect: "manual",
        signal: AbortSignal.timeout(this.#timeoutMs),
      });
    } catch (error) {
      const timedOut =
        error instanceof Error && (error.name === "TimeoutError" || error.name === "AbortError");
      return {
        ok: false,
        retryable: true,
        reason: timedOut ? "webhook receiver timed out" : "webhook receiver unreachable",
      };
    }
    // The body is not needed; cancelling frees the connection.
    await response.body?.cancel();
    if (response.status >= 200 && response.status < 300) return { ok: true, messageId: event.id };
    return {
      ok: false,
      retryable: isRetryableStatus(response.status),
      reason: `webhook receiver answered ${response.status}`,
    };
  }
}

export function isAllowedWebhookUrl(url: string, allowHttp = false): boolean {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  return parsed.protocol === "https:" || (allowHttp && parsed.protocol === "http:");
}
