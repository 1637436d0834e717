import { EmailApiSender } from "./email-api";
import { D1Mailbox } from "./mailbox";
import type { AccountWebhook, Email, EmailSender, Notifier, WebhookSender } from "./notifier";
import { AccountWebhookSender } from "./webhook";

export type * from "./notifier";
export { listMailbox, type MailboxEntry } from "./mailbox";

/** What this module reads; the EMAIL_* secrets exist only where real email is configured. */
export interface NotifyEnv {
  ENVIRONMENT: string;
  DB: D1Database;
  EMAIL_API_URL?: string;
  EMAIL_API_KEY?: string;
  EMAIL_FROM?: string;
}

export interface NotifyDeps {
  fetch?: typeof fetch;
  nowMs?: () => number;
}

const EMAIL_API_VARS = ["EMAIL_API_URL", "EMAIL_API_KEY", "EMAIL_FROM"] as const;

/** Production must send real email; anywhere else the local mailbox is the default. */
export function notifyConfigProblems(env: NotifyEnv): string[] {
  const missing = EMAIL_API_VARS.filter((name) => !env[name]);
  if (env.ENVIRONMENT === "production" && missing.length > 0)
    return [`email needs ${missing.join(", ")} in production`];
  if (missing.length > 0 && missing.length < EMAIL_API_VARS.length)
    return [`email API half-configured: missing ${missing.join(", ")}`];
  return [];
}

export function notifierFor(env: NotifyEnv, deps: NotifyDeps = {}): Notifier {
  const problems = notifyConfigProblems(env);
  if (problems.length > 0) throw new Error(`notifier misconfigured: ${problems.join("; ")}`);
  const email: EmailSender =
    env.EMAIL_API_URL && env.EMAIL_API_KEY && env.EMAIL_FROM
      ? new EmailApiSender({
          url: env.EMAIL_API_URL,
          apiKey: env.EMAIL_API_KEY,
          from: env.EMAIL_FROM,
          ...(deps.fetch ? { fetch: deps.fetch } : {}),
        })
      : new D1Mailbox(env.DB, deps.nowMs ? { nowMs: deps.nowMs } : {});
  const webhooks: WebhookSender = new AccountWebhookSender({
    ...(deps.fetch ? { fetch: deps.fetch } : {}),
    ...(deps.nowMs ? { nowMs: deps.nowMs } : {}),
    allowHttp: env.ENVIRONMENT !== "production",
  });
  return {
    sendEmail: (message: Email) => email.sendEmail(message),
    sendWebhook: (webhook: AccountWebhook) => webhooks.sendWebhook(webhook),
  };
}
