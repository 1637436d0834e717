import { DurableObject } from "cloudflare:workers";
export class AccountLedger extends DurableObject<Env> {
  async ping(): Promise<string> { return "pong"; }
}
export default {
  async fetch(req: Request, env: Env): Promise<Response> {
    const stub = env.LEDGER.getByName("x");
    return Response.json({ ok: true, p: await stub.ping() });
  },
} satisfies ExportedHandler<Env>;
