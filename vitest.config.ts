import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";

export default defineConfig(async () => {
  const migrations = await readD1Migrations("./migrations");
  const historyMigrations = await readD1Migrations("./migrations-history");
  // Test-only bindings: the setup file applies the D1 migrations from them, the main
  // database's to DB (history shard 0) and the shards' to HISTORY_1..3 (wrangler.toml).
  const bindings = { TEST_MIGRATIONS: migrations, TEST_HISTORY_MIGRATIONS: historyMigrations };
  return {
    test: {
      // Every request logs a structured line; show the logs of failing tests only.
      silent: "passed-only" as const,
      projects: [
        {
          // Every new account on shard 0 (DB): the service as an existing deployment runs it
          // on the day it takes migration 0009, and the tests that read DB's movements as theirs.
          plugins: [
            cloudflareTest({
              wrangler: { configPath: "./wrangler.toml" },
              miniflare: { bindings: { ...bindings, HISTORY_SHARDS_FOR_NEW_ACCOUNTS: "0" } },
            }),
          ],
          test: {
            name: "workers",
            setupFiles: ["./test/setup.ts"],
            include: ["test/**/*.test.ts"],
            exclude: ["test/stripe-mode/**", "test/history/**"],
          },
        },
        {
          // New accounts spread over the four local shards, as wrangler.toml configures them.
          plugins: [
            cloudflareTest({
              wrangler: { configPath: "./wrangler.toml" },
              // A database as a deployment has it before migration 0009, for the migration path.
              miniflare: { bindings, d1Databases: ["TEST_LEGACY_DB"] },
            }),
          ],
          test: {
            name: "history",
            setupFiles: ["./test/setup.ts"],
            include: ["test/history/**/*.test.ts"],
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
