import { gatewayFor } from "../payments";
import type { PaymentGateway } from "../payments/gateway";
import type { LedgerCore } from "./core";

/**
 * The ledger's one payment gateway, made on first use. A gateway that asks for it (the
 * sandbox) has its webhooks kept in a table until due and sent from the alarm, through the
 * Worker's own webhook route, as a real gateway's would arrive.
 */
export class LedgerGateway {
  #gateway: PaymentGateway | undefined;

  constructor(
    private readonly core: LedgerCore,
    private readonly selfFetch: (request: Request) => Promise<Response>,
  ) {}

  get(): PaymentGateway {
    this.#gateway ??= gatewayFor(this.core.env, {
      sandbox: {
        db: this.core.env.DB,
        schedule: (webhook) => {
          this.core.store.sql.exec(
            "INSERT INTO sandbox_webhooks (deliver_at_ms, body) VALUES (?, ?)",
            webhook.deliverAtMs,
            webhook.body,
          );
          this.core.wakeAt(webhook.deliverAtMs);
        },
        deliver: (request) => this.selfFetch(request),
      },
    });
    return this.#gateway;
  }

  /** Delivers the kept webhooks that are due; returns when the next one is due. */
  async onAlarm(nowMs: number): Promise<number | null> {
    const sql = this.core.store.sql;
    for (const webhook of sql
      .exec<{ id: number; body: string }>(
        "SELECT id, body FROM sandbox_webhooks WHERE deliver_at_ms <= ? ORDER BY id",
        nowMs,
      )
      .toArray()) {
      sql.exec("DELETE FROM sandbox_webhooks WHERE id = ?", webhook.id);
      try {
        await this.get().deliverWebhook({
          deliverAtMs: nowMs,
          body: webhook.body,
        });
      } catch (error) {
        console.warn(JSON.stringify({ event: "sandbox_webhook_failed", error: String(error) }));
      }
    }
    return sql
      .exec<{ at: number | null }>("SELECT min(deliver_at_ms) AS at FROM sandbox_webhooks")
      .one().at;
  }
}
