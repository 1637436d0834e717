import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import {
  gatewayConfigProblems,
  gatewayFor,
  SandboxGateway,
  StripeGateway,
} from "../../src/payments";

const base = { PAYMENT_WEBHOOK_SECRET: "whsec_x", PUBLIC_BASE_URL: "http://localhost:8787" };
const sandboxDeps = {
  db: env.DB,
  schedule: () => {},
  deliver: async () => new Response(null),
};

describe("gatewayFor", () => {
  it("chooses the sandbox by default configuration", () => {
    expect(
      gatewayFor({ ...base, PAYMENT_GATEWAY: "sandbox" }, { sandbox: sandboxDeps }),
    ).toBeInstanceOf(SandboxGateway);
  });

  it("chooses Stripe when configured with a key", () => {
    const env = { ...base, PAYMENT_GATEWAY: "stripe", STRIPE_SECRET_KEY: "sk_test_1" };
    expect(gatewayConfigProblems(env)).toEqual([]);
    expect(gatewayFor(env)).toBeInstanceOf(StripeGateway);
  });

  it("names what is missing instead of taking payments half-configured", () => {
    expect(gatewayConfigProblems({ ...base, PAYMENT_GATEWAY: "stripe" })).toEqual([
      "PAYMENT_GATEWAY is stripe but STRIPE_SECRET_KEY is not set",
    ]);
    expect(gatewayConfigProblems({ ...base, PAYMENT_GATEWAY: "paypal" })).toHaveLength(1);
    expect(() => gatewayFor({ ...base, PAYMENT_GATEWAY: "stripe" })).toThrow(/STRIPE_SECRET_KEY/);
    expect(() => gatewayFor({ ...base, PAYMENT_GATEWAY: "sandbox" })).toThrow(/deps.sandbox/);
  });

  it("accepts the Worker's own Env", () => {
    // Compile-time check that the generated Env satisfies what gatewayFor reads.
    const accepts = (env: Env) => gatewayConfigProblems(env);
    expect(accepts).toBeTypeOf("function");
  });
});
