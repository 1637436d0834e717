import { runCron } from "./cron";
import { handleExportQueue } from "./exports/queue";
import { createApp } from "./http/app";

export { AccountLedger } from "./ledger/account-ledger";

const app = createApp();

export default {
  fetch: app.fetch,
  queue: (batch, env) => handleExportQueue(batch, env),
  scheduled: async (controller, env) => {
    await runCron(env, controller.scheduledTime);
  },
} satisfies ExportedHandler<Env, unknown>;
