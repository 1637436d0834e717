import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";

declare const process: { env: Record<string, string | undefined> };

export default defineConfig(async () => {
  const migrations = await readD1Migrations("./migrations");
  // Test-only binding: the setup file applies the D1 migrations from it.
  // The contract fuzz's size and seed (npm run fuzz sets them; CI runs the defaults).
  const bindings = {
    TEST_MIGRATIONS: migrations,
    FUZZ_RUNS: process.env.FUZZ_RUNS ?? "",
    FUZZ_SEED: process.env.FUZZ_SEED ?? "",
  };
  return {
    test: {
      // Every request logs a structured line; show the logs of failing tests only.
      silent: "passed-only" as const,
      projects: [
        {
          plugins: [
            cloudflareTest({
              wrangler: { configPath: "./wrangler.toml" },
              miniflare: { bindings },
            }),
          ],
          test: {
            name: "workers",
            setupFiles: ["./test/setup.ts"],
            include: ["test/**/*.test.ts"],
            exclude: ["test/stripe-mode/**"],
          },
        },
        {
          // The same Worker configured for Stripe, whose HTTP API the tests answer from a
          // fetch mock: the payment network is the one thing outside the system.
          plugins: [
            cloudflareTest({
              wrangler: { configPath: "./wrangler.toml" },
              miniflare: {
                bindings: {
                  ...bindings,
                  PAYMENT_GATEWAY: "stripe",
                  STRIPE_SECRET_KEY: "sk_test_credit_service",
                },
              },
            }),
          ],
          test: {
            name: "stripe-mode",
            setupFiles: ["./test/setup.ts"],
            include: ["test/stripe-mode/**/*.test.ts"],
          },
        },
      ],
    },
  };
});
