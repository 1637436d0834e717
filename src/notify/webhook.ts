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
  return webhookUrlProblem(url, allowHttp) === null;
}

/** IPv4 ranges no account webhook may reach: this network, private, shared, loopback, link-local (metadata), benchmarking, multicast and reserved. */
const BLOCKED_IPV4: Array<[number, number]> = [
  [0x00000000, 8],
  [0x0a000000, 8],
  [0x64400000, 10],
  [0x7f000000, 8],
  [0xa9fe0000, 16],
  [0xac100000, 12],
  [0xc0000000, 24],
  [0xc0a80000, 16],
  [0xc6120000, 15],
  [0xe0000000, 3],
];

function ipv4Of(host: string): number | null {
  const parts = /^(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(host);
  if (!parts) return null;
  return parts.slice(1).reduce((ip, part) => ip * 256 + Number(part), 0);
}

const isBlockedIpv4 = (ip: number) =>
  BLOCKED_IPV4.some(
    ([base, bits]) => Math.floor(ip / 2 ** (32 - bits)) === Math.floor(base / 2 ** (32 - bits)),
  );

/** The URL parser has already normalised the address (hex, short and mapped forms included). */
function isBlockedIpv6(host: string): boolean {
  if (host === "::" || host === "::1") return true;
  const mapped = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(host);
  if (mapped)
    return isBlockedIpv4(
      Number.parseInt(mapped[1] as string, 16) * 65536 + Number.parseInt(mapped[2] as string, 16),
    );
  // Unique local fc00::/7, link-local fe80::/10, multicast ff00::/8.
  return /^(f[cd]|fe[89ab]|ff)/.test(host);
}

const isLoopbackName = (host: string) => host === "localhost" || host.endsWith(".localhost");

/**
 * Why a URL may not receive account webhooks, or null when it may: https to a public host.
 * Development also allows http and loopback, for a receiver on the developer's machine;
 * never a private, link-local or metadata address, which a webhook could be aimed at to
 * reach what only the service can.
 */
export function webhookUrlProblem(url: string, development = false): string | null {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return "must be a URL";
  }
  const allowed = development ? ["https:", "http:"] : ["https:"];
  if (!allowed.includes(parsed.protocol))
    return development ? "must be http or https" : "must be https";
  if (parsed.username || parsed.password) return "must not carry credentials";
  const host = parsed.hostname.replace(/^\[|\]$/g, "").toLowerCase();
  const ipv4 = ipv4Of(host);
  const loopback =
    isLoopbackName(host) || host === "::1" || (ipv4 !== null && Math.floor(ipv4 / 2 ** 24) === 127);
  if (loopback) return development ? null : "must be a public host, not loopback";
  if (ipv4 !== null ? isBlockedIpv4(ipv4) : host.includes(":") && isBlockedIpv6(host))
    return "must be a public host, not a private, link-local or reserved address";
  if (
    ipv4 === null &&
    !host.includes(":") &&
    (!host.includes(".") || /\.(internal|local|lan|home|corp)$/.test(host))
  )
    return "must be a public host name";
  return null;
}
