import type { CardSummary } from "../payments/gateway";
import type { LedgerCore } from "./core";
import type { LedgerGateway } from "./gateway-access";
import type { Notices } from "./notices";
import { ok, refuse, type LedgerResult } from "./types";

const DAY_MS = 86_400_000;
/**
 * A card that expires within this long of now, while auto top-up is on, gets one "expires
 * soon" email and a status line: a month, beyond the 14 days the recommended threshold
 * covers, so the admin can replace it before the next automatic charge fails.
 */
export const CARD_EXPIRY_WARNING_MS = 31 * DAY_MS;
const CARD_EXPIRY_CHECK_EVERY_MS = DAY_MS;
/** Detaching an old card at the gateway is retried this many times before it is left. */
export const CARD_DETACH_ATTEMPTS_MAX = 8;
const CARD_DETACH_RETRY_MS = 60_000;

export interface SavedCard extends CardSummary {
  savedAtMs: number;
  /** When the admin started saving it: of two setups arriving out of order, the later wins. */
  setupCreatedMs: number;
}

/** Why the saved card is not charged automatically until the admin acts. */
export interface CardHold {
  paymentMethodRef: string;
  reason: string;
}

export type CardChange = { applied: boolean; why?: string };

/** The instant a card stops working: the end of its expiry month (UTC). */
export function cardExpiresAtMs(card: Pick<CardSummary, "expMonth" | "expYear">): number {
  return Date.UTC(card.expYear, card.expMonth, 1);
}

export function cardExpiresSoon(card: CardSummary, nowMs: number): boolean {
  return cardExpiresAtMs(card) - nowMs <= CARD_EXPIRY_WARNING_MS;
}

/**
 * The account's card on file and its gateway customer. The card's number never reaches
 * this service: the gateway's hosted page saves it and its webhook tells the summary
 * (brand, last 4, expiry). A replaced or removed card is detached at the gateway by the
 * alarm, retried, so a crash or an outage does not leave it attached.
 */
export class CardOnFile {
  constructor(
    private readonly core: LedgerCore,
    private readonly notices: Notices,
    private readonly gateway: LedgerGateway,
  ) {}

  card(): SavedCard | null {
    return this.core.store.readSetting("card") ?? null;
  }

  hold(): CardHold | null {
    const hold = this.core.store.readSetting("card_hold") ?? null;
    return hold && hold.paymentMethodRef === this.card()?.paymentMethodRef ? hold : null;
  }

  /** What an automatic charge may use: the card, unless the gateway warned of fraud on it. */
  chargeableRef(): string | null {
    const card = this.card();
    return card && !this.hold() ? card.paymentMethodRef : null;
  }

  customerRef(): string | null {
    return this.core.store.readSetting("gateway_customer") ?? null;
  }

  setCustomer(customerRef: string): LedgerResult<{ customerRef: string }> {
    return this.core.transaction(() => {
      if (!this.core.account()) return refuse({ reason: "account_not_found" });
      this.core.store.writeSetting("gateway_customer", customerRef);
      return ok({ customerRef });
    });
  }

  /** The sandbox's test Visa, saved for a new development account so it can top up at once. */
  saveInitial(card: CardSummary, nowMs: number): void {
    this.core.store.writeSetting("card", { ...card, savedAtMs: nowMs, setupCreatedMs: 0 });
  }

  /**
   * Records a card the admin saved on the gateway's page. The same event twice, or a setup
   * older than the card on file (events arrive in any order), replaces nothing; the card
   * that loses is detached at the gateway.
   */
  save(input: {
    eventId: string;
    card: CardSummary;
    customerRef: string | null;
    setupCreatedMs: number;
  }): LedgerResult<CardChange> {
    return this.#once(input.eventId, () => {
      const current = this.card();
      if (input.customerRef) this.core.store.writeSetting("gateway_customer", input.customerRef);
      if (current?.paymentMethodRef === input.card.paymentMethodRef) {
        this.#write({ ...current, ...input.card });
        return { applied: false, why: "same_card" };
      }
      if (current && current.setupCreatedMs > input.setupCreatedMs) {
        this.#detachLater(input.card.paymentMethodRef);
        return { applied: false, why: "superseded_setup" };
      }
      if (current) this.#detachLater(current.paymentMethodRef);
      this.#write({ ...input.card, savedAtMs: Date.now(), setupCreatedMs: input.setupCreatedMs });
      return { applied: true };
    });
  }

  /** The admin's "Remove card": detached at the gateway, and no automatic charge tries it. */
  remove(): LedgerResult<{ removed: SavedCard | null }> {
    return this.core.transaction(() => {
      if (!this.core.account()) return refuse({ reason: "account_not_found" });
      const card = this.card();
      if (!card) return refuse({ reason: "payment_method_not_found" });
      this.#detachLater(card.paymentMethodRef);
      this.core.store.deleteSetting("card");
      return ok({ removed: card });
    });
  }

  /** payment_method.updated: a new expiry from the card network's updater, say. */
  updated(eventId: string, card: CardSummary): LedgerResult<CardChange> {
    return this.#once(eventId, () => {
      const current = this.card();
      if (current?.paymentMethodRef !== card.paymentMethodRef)
        return { applied: false, why: "not_the_saved_card" };
      this.#write({ ...current, ...card });
      return { applied: true };
    });
  }

  /** payment_method.detached (in the gateway's dashboard, say): the card is gone. */
  detached(eventId: string, paymentMethodRef: string): LedgerResult<CardChange> {
    return this.#once(eventId, () => {
      if (this.card()?.paymentMethodRef !== paymentMethodRef)
        return { applied: false, why: "not_the_saved_card" };
      this.core.store.deleteSetting("card");
      return { applied: true };
    });
  }

  /** customer.deleted: the customer and every card it held are gone. */
  customerDeleted(eventId: string, customerRef: string): LedgerResult<CardChange> {
    return this.#once(eventId, () => {
      if (this.customerRef() !== customerRef) return { applied: false, why: "not_our_customer" };
      this.core.store.deleteSetting("gateway_customer");
      this.core.store.deleteSetting("card");
      return { applied: true };
    });
  }

  /** Inside the caller's transaction: no automatic charge uses this card until a new one is saved. */
  holdCard(paymentMethodRef: string, reason: string): boolean {
    if (this.card()?.paymentMethodRef !== paymentMethodRef || this.hold()) return false;
    this.core.store.writeSetting("card_hold", { paymentMethodRef, reason } satisfies CardHold);
    return true;
  }

  /**
   * One "expires soon" notice per card and expiry, while auto top-up is on; inside the
   * caller's transaction.
   */
  checkExpiry(nowMs: number, autoTopUpOn: boolean): void {
    const card = this.card();
    if (!card || !autoTopUpOn || !cardExpiresSoon(card, nowMs)) return;
    const key = `${card.paymentMethodRef}:${card.expYear}-${card.expMonth}`;
    if (this.core.store.readSetting("card_expiry_noticed") === key) return;
    this.core.store.writeSetting("card_expiry_noticed", key);
    const account = this.core.account();
    this.notices.enqueue({
      kind: "card.expiring",
      brand: card.brand,
      last4: card.last4,
      expMonth: card.expMonth,
      expYear: card.expYear,
      billingUrl: billingUrl(this.core.env),
      timeZone: account?.timeZone ?? "UTC",
    });
  }

  async onAlarm(nowMs: number, autoTopUpOn: boolean): Promise<number | null> {
    const expiryDue = this.core.periodically(
      "card_expiry_checked_at_ms",
      CARD_EXPIRY_CHECK_EVERY_MS,
      nowMs,
      () => {
        this.core.transaction(() => this.checkExpiry(nowMs, autoTopUpOn));
        return false;
      },
    );
    const queue = this.#detachQueue();
    const due = queue.filter((d) => d.atMs <= nowMs);
    for (const item of due) {
      const answer = await this.gateway.get().detachCard(item.paymentMethodRef);
      const rest = this.#detachQueue().filter((d) => d.paymentMethodRef !== item.paymentMethodRef);
      if (answer.ok || !answer.retryable || item.attempts + 1 >= CARD_DETACH_ATTEMPTS_MAX) {
        if (!answer.ok)
          console.warn(
            JSON.stringify({
              event: "card_detach_failed",
              paymentMethodRef: item.paymentMethodRef,
              error: answer.message,
            }),
          );
        this.core.store.writeSetting("cards_to_detach", rest);
      } else {
        this.core.store.writeSetting("cards_to_detach", [
          ...rest,
          {
            ...item,
            attempts: item.attempts + 1,
            atMs: nowMs + CARD_DETACH_RETRY_MS * 2 ** item.attempts,
          },
        ]);
      }
    }
    const next = this.#detachQueue().map((d) => d.atMs);
    return Math.min(expiryDue, ...next);
  }

  #detachQueue(): Array<{ paymentMethodRef: string; attempts: number; atMs: number }> {
    return this.core.store.readSetting("cards_to_detach") ?? [];
  }

  #detachLater(paymentMethodRef: string): void {
    const now = Date.now();
    const queue = this.#detachQueue().filter((d) => d.paymentMethodRef !== paymentMethodRef);
    this.core.store.writeSetting("cards_to_detach", [
      ...queue,
      { paymentMethodRef, attempts: 0, atMs: now },
    ]);
    this.core.wakeAt(now);
  }

  #write(card: SavedCard): void {
    this.core.store.writeSetting("card", card);
  }

  /** Applies a gateway event at most once, by its id, in one transaction. */
  #once(eventId: string, apply: () => CardChange): LedgerResult<CardChange> {
    return this.core.transaction(() => {
      if (!this.core.account()) return refuse<CardChange>({ reason: "account_not_found" });
      const sql = this.core.store.sql;
      if (sql.exec("SELECT 1 FROM payment_events WHERE event_id = ?", eventId).toArray().length)
        return ok({ applied: false, why: "duplicate_event" });
      const change = apply();
      sql.exec(
        "INSERT INTO payment_events (event_id, payment_id, received_at_ms) VALUES (?, '', ?)",
        eventId,
        Date.now(),
      );
      return ok(change);
    });
  }
}

/** Where emails send the admin: the Billing page's card and credit sections. */
export function billingUrl(env: { PUBLIC_BASE_URL: string }, anchor = "card"): string {
  return new URL(`/billing#${anchor}`, env.PUBLIC_BASE_URL).toString();
}
