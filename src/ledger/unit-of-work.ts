import type { CreditAlerts } from "./alerts";
import type { AutoTopUpCheck } from "./auto-top-up";
import type { LedgerCore } from "./core";
import type { OutboxRelay } from "./outbox";
import { post } from "./posting";
import type { Movement, MovementDraft } from "./types";
import { spentBy } from "./usage-counters";

/**
 * One command's unit of work: the only writer of the balance and the holds. The command
 * reads, asks the pure rules (rating/, payments/), and applies what they decided here;
 * this remembers what changed so that `Commands.run` runs what must follow.
 */
export class Work {
  #movementsPosted = 0;
  #moneyChanged = false;

  constructor(
    private readonly core: LedgerCore,
    /** The command's instant: its movements are dated by it, its checks run at it. */
    readonly nowMs: number,
  ) {}

  /**
   * Posts a movement against the balance. Reservations released by the same command are
   * passed so both change in the one write.
   */
  post(draft: MovementDraft, reservedMicros?: number): Movement {
    const store = this.core.store;
    const account = store.readAccount();
    if (!account) throw new Error("posting to a ledger that was never opened");
    const { money, balanceAfterMicros } = post(account, draft);
    const movement = {
      ...draft,
      id: this.core.ids.next(this.nowMs),
      atMs: this.nowMs,
      balanceAfterMicros,
    };
    const seq = store.appendMovement(movement);
    store.rememberMoney({ ...money, reservedMicros: reservedMicros ?? money.reservedMicros });
    // The 30 days' spend in memory stays current without summing the movements again.
    const spend = this.core.memory().spend;
    if (spend) spend.micros += spentBy(movement);
    this.#movementsPosted += 1;
    this.#moneyChanged = true;
    return { ...movement, seq };
  }

  /** Sets the credit held for running calls: holds change the available credit. */
  setReserved(reservedMicros: number): void {
    const account = this.core.store.readAccount();
    if (!account) throw new Error("reserving on a ledger that was never opened");
    if (!Number.isSafeInteger(reservedMicros) || reservedMicros < 0)
      throw new RangeError(`bad reservation total ${reservedMicros}`);
    this.core.store.rememberMoney({ balanceMicros: account.balanceMicros, reservedMicros });
    this.#moneyChanged = true;
  }

  /**
   * The command changed what the money checks compare against (a low level, auto top-up
   * settings, a card): they run as after a change of money.
   */
  recheckMoney(): void {
    this.#moneyChanged = true;
  }

  get movementsPosted(): number {
    return this.#movementsPosted;
  }

  get moneyChanged(): boolean {
    return this.#moneyChanged;
  }
}

/**
 * Runs commands, each in one transaction: the command's own work, then, in the same
 * transaction and in this order, what its effects call for. Nothing else runs after a
 * command: no listener is registered anywhere.
 */
export class Commands {
  constructor(
    private readonly core: LedgerCore,
    private readonly outbox: OutboxRelay,
    private readonly alerts: CreditAlerts,
    private readonly autoTopUp: AutoTopUpCheck,
  ) {}

  run<T>(nowMs: number, command: (work: Work) => T): T {
    return this.core.transaction(() => {
      const work = new Work(this.core, nowMs);
      const result = command(work);
      // New movements wait in the outbox: the alarm copies them to D1 after a short while.
      if (work.movementsPosted > 0) this.outbox.movementsPosted(nowMs);
      // A change of balance or holds may cross the low level (a notice) and the auto top-up
      // threshold (a payment). Neither check moves money, so one pass of each after the
      // command sees its final state, however many movements it posted.
      if (work.moneyChanged) {
        this.alerts.check(nowMs);
        this.autoTopUp.check(nowMs);
      }
      return result;
    });
  }
}
