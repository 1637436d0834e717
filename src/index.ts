import { createApp } from "./http/app";

export { AccountLedger } from "./ledger/account-ledger";

const app = createApp();

export default {
  fetch: app.fetch,
} satisfies ExportedHandler<Env>;
