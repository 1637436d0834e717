import type { CardSummary, PaymentGateway } from "./gateway";
import { SandboxGateway, sandboxInitialCard, WEBHOOK_PATH, type SandboxDeps } from "./sandbox";
import { StripeGateway } from "./stripe";

export type * from "./gateway";
export { SandboxGateway, type SandboxWebhook } from "./sandbox";
export { STRIPE_API_VERSION } from "./stripe";
export { StripeGateway } from "./stripe";

/** The environment this module reads; STRIPE_SECRET_KEY is a secret only a Stripe deployment has. */
export interface PaymentsEnv {
  PAYMENT_GATEWAY: string;
  PAYMENT_WEBHOOK_SECRET: string;
  PUBLIC_BASE_URL: string;
  STRIPE_SECRET_KEY?: string;
}

export interface GatewayDeps {
  /** Sandbox only: its records, and how its webhooks are sent (scheduled by the ledger). */
  sandbox?: Pick<SandboxDeps, "db" | "schedule" | "deliver" | "nowMs">;
  /** Stripe only: tests pass a mock. */
  fetch?: typeof fetch;
}

/** What keeps this configuration from taking payments; empty when it is complete. */
export function gatewayConfigProblems(env: PaymentsEnv): string[] {
  const problems: string[] = [];
  if (!env.PAYMENT_WEBHOOK_SECRET) problems.push("PAYMENT_WEBHOOK_SECRET is not set");
  if (env.PAYMENT_GATEWAY === "stripe") {
    if (!env.STRIPE_SECRET_KEY)
      problems.push("PAYMENT_GATEWAY is stripe but STRIPE_SECRET_KEY is not set");
  } else if (env.PAYMENT_GATEWAY !== "sandbox") {
    problems.push(`PAYMENT_GATEWAY must be "sandbox" or "stripe", not "${env.PAYMENT_GATEWAY}"`);
  }
  return problems;
}

/** Throws on a broken configuration: that is a deployment mistake, not a payment outcome. */
export function gatewayFor(env: PaymentsEnv, deps: GatewayDeps = {}): PaymentGateway {
  const problems = gatewayConfigProblems(env);
  if (problems.length > 0) throw new Error(`payment gateway misconfigured: ${problems.join("; ")}`);
  if (env.PAYMENT_GATEWAY === "stripe") {
    return new StripeGateway({
      secretKey: env.STRIPE_SECRET_KEY!,
      webhookSecret: env.PAYMENT_WEBHOOK_SECRET,
      ...(deps.fetch ? { fetch: deps.fetch } : {}),
    });
  }
  if (!deps.sandbox) throw new Error("the sandbox gateway needs deps.sandbox (db and deliver)");
  return new SandboxGateway({
    ...deps.sandbox,
    webhookSecret: env.PAYMENT_WEBHOOK_SECRET,
    webhookUrl: new URL(WEBHOOK_PATH, env.PUBLIC_BASE_URL).toString(),
    baseUrl: env.PUBLIC_BASE_URL,
  });
}

/**
 * The card a new account starts with, saved when its ledger opens: with the sandbox its
 * test card that succeeds, so a sandbox account can top up at once; none with Stripe, where
 * the admin saves one on the hosted page. Asked without making the gateway, which is made
 * only when a payment needs it.
 */
export function initialCardFor(env: PaymentsEnv, nowMs: number): CardSummary | null {
  return env.PAYMENT_GATEWAY === "sandbox" ? sandboxInitialCard(nowMs) : null;
}
