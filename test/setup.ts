import { applyD1Migrations, type D1Migration } from "cloudflare:test";
import { env } from "cloudflare:workers";

// Setup files run outside per-file isolated storage and may run more than once;
// applyD1Migrations only applies what is not applied yet.
const { TEST_MIGRATIONS, TEST_HISTORY_MIGRATIONS } = env as unknown as {
  TEST_MIGRATIONS: D1Migration[];
  TEST_HISTORY_MIGRATIONS: D1Migration[];
};
await applyD1Migrations(env.DB, TEST_MIGRATIONS);
for (const shard of [env.HISTORY_1, env.HISTORY_2, env.HISTORY_3])
  await applyD1Migrations(shard, TEST_HISTORY_MIGRATIONS);
