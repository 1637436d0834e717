import type { DeckRefs } from "../rate-decks/kinds";
import { decideMessage, decideUsage, type MessageRequest } from "../rating/decide";
import type { MessageChannel } from "../rating/message-deck";
import type { ServiceBilling } from "../rating/plan";
import type { AiService } from "../rating/service-rates";
import { formatMoney, type Micros } from "../money";
import { calendarAt } from "./calendar";
import { messageChargeWords, usageChargeWords } from "./charge-words";
import { moneyOf } from "./calls";
import type { LedgerCore } from "./core";
import { onceByKey } from "./idempotency";
import type { InvoiceUsage } from "./invoice-usage";
import type { AccountPlans } from "./plans";
import { availableMicros } from "./posting";
import type { RateTables } from "./rate-tables";
import type { LedgerAccount } from "./store";
import { ok, refuse, type LedgerResult } from "./types";
import type { Commands, Work } from "./unit-of-work";
import type { UsageCounters } from "./usage-counters";

export interface MessageCommand extends MessageRequest {
  messageId: string;
  userId: string | null;
  /** SHA-256 of the validated request: the same id with another request is refused. */
  requestHash: string;
}

export interface MessageAnswer {
  messageId: string;
  channel: MessageChannel;
  country: string;
  fragments: number;
  pricePerFragmentMicros: Micros;
  chargedMicros: Micros;
  deckVersion: string;
  movementId: string | null;
}

export interface UsageCommand {
  usageId: string;
  service: AiService;
  seconds: number;
  userId: string | null;
  callId: string | null;
  requestHash: string;
}

export interface UsageAnswer {
  usageId: string;
  service: AiService;
  billedMinutes: number;
  includedMinutes: number;
  chargedMinutes: number;
  ratePerMinuteMicros: Micros;
  /** Who pays the charged minutes: credit, or the next invoice (then chargedMicros is 0). */
  billedBy: ServiceBilling;
  chargedMicros: Micros;
  /** The would-be amount of invoice-billed minutes, recorded for the invoice; 0 for credit. */
  invoicedMicros: Micros;
  deckVersion: string;
  movementId: string | null;
}

/**
 * Charges that happen at once: messages (per fragment) and AI usage (per full minute, the
 * month's allowance first; what the plan bills by invoice is recorded, not debited).
 * Idempotent by the caller's id. A refusal is not recorded, so a
 * message refused at zero credit goes through when retried after a top-up.
 */
export class Charges {
  constructor(
    private readonly core: LedgerCore,
    private readonly commands: Commands,
    private readonly plans: AccountPlans,
    private readonly counters: UsageCounters,
    private readonly tables: RateTables,
    private readonly invoiceUsage: InvoiceUsage,
  ) {}

  async message(command: MessageCommand, decks: DeckRefs): Promise<LedgerResult<MessageAnswer>> {
    const tables = await this.tables.forMessages(decks);
    if (!tables.ok) return tables;
    return this.#once(
      `messages:${command.messageId}`,
      command.requestHash,
      "message",
      command.messageId,
      (work, account) => {
        const decision = decideMessage({
          request: command,
          ...tables.value,
          money: moneyOf(account),
        });
        if (!decision.allowed) {
          return decision.reason === "credit_exhausted"
            ? refuse({ reason: "credit_exhausted", availableMicros: availableMicros(account) })
            : refuse({
                reason: "no_rate",
                field: "to",
                what: `${command.channel} to this destination`,
              });
        }
        const movement = work.post({
          description: decision.channel,
          interactionId: command.messageId,
          units: "fragments",
          unitsCharged: decision.fragments,
          unitPriceMicros: decision.pricePerFragmentMicros,
          amountMicros: -decision.amountMicros,
          userId: command.userId,
          reason: messageChargeWords(decision.channel, decision.country, decision.fragments),
          details: {
            chargeReason: decision.chargeReason,
            country: decision.country,
            priceCountry: decision.priceCountry,
            deckVersion: decision.deckVersion,
            pricePerFragment: formatMoney(decision.pricePerFragmentMicros),
          },
        });
        return ok<MessageAnswer>({
          messageId: command.messageId,
          channel: decision.channel,
          country: decision.country,
          fragments: decision.fragments,
          pricePerFragmentMicros: decision.pricePerFragmentMicros,
          chargedMicros: decision.amountMicros,
          deckVersion: decision.deckVersion,
          movementId: movement.id,
        });
      },
    );
  }

  async usage(command: UsageCommand, decks: DeckRefs): Promise<LedgerResult<UsageAnswer>> {
    const tables = await this.tables.forUsage(decks);
    if (!tables.ok) return tables;
    return this.#once(
      `usage:${command.usageId}`,
      command.requestHash,
      "usage",
      command.usageId,
      (work, account) => {
        const nowMs = work.nowMs;
        const { month } = calendarAt(nowMs, account.timeZone);
        const decision = decideUsage({
          request: { service: command.service, seconds: command.seconds },
          plan: this.plans.plan(),
          allowanceUsedMinutes: this.counters.allowanceUsedMinutes(month, command.service),
          ...tables.value,
          money: moneyOf(account),
        });
        if (!decision.allowed) {
          return decision.reason === "credit_exhausted"
            ? refuse({ reason: "credit_exhausted", availableMicros: availableMicros(account) })
            : refuse({
                reason: "no_rate",
                field: "service",
                what: `${command.service} (no service rates are set)`,
              });
        }
        this.counters.addAllowance(month, command.service, decision.includedMinutes);
        const invoiced = decision.billedBy === "invoice" && decision.amountMicros > 0;
        if (invoiced) {
          this.invoiceUsage.record({
            usageId: command.usageId,
            atMs: nowMs,
            month,
            service: command.service,
            userId: command.userId,
            callId: command.callId,
            seconds: command.seconds,
            billedMinutes: decision.billedMinutes,
            includedMinutes: decision.includedMinutes,
            invoicedMinutes: decision.chargedMinutes,
            ratePerMinuteMicros: decision.ratePerMinuteMicros,
            amountMicros: decision.amountMicros,
            deckVersion: decision.deckVersion,
          });
        }
        let movementId: string | null = null;
        if (!invoiced && decision.amountMicros > 0 && decision.chargeReason) {
          movementId = work.post({
            description: command.service,
            interactionId: command.callId ?? command.usageId,
            units: "minutes",
            unitsCharged: decision.chargedMinutes,
            unitPriceMicros: decision.ratePerMinuteMicros,
            amountMicros: -decision.amountMicros,
            userId: command.userId,
            reason: usageChargeWords(
              command.service,
              decision.chargeReason,
              decision.chargedMinutes,
            ),
            details: {
              chargeReason: decision.chargeReason,
              usageId: command.usageId,
              callId: command.callId,
              seconds: command.seconds,
              billedMinutes: decision.billedMinutes,
              includedMinutes: decision.includedMinutes,
              chargedMinutes: decision.chargedMinutes,
              deckVersion: decision.deckVersion,
              ratePerMinute: formatMoney(decision.ratePerMinuteMicros),
            },
          }).id;
        }
        return ok<UsageAnswer>({
          usageId: command.usageId,
          service: command.service,
          billedMinutes: decision.billedMinutes,
          includedMinutes: decision.includedMinutes,
          chargedMinutes: decision.chargedMinutes,
          ratePerMinuteMicros: decision.ratePerMinuteMicros,
          billedBy: decision.billedBy,
          chargedMicros: invoiced ? 0 : decision.amountMicros,
          invoicedMicros: invoiced ? decision.amountMicros : 0,
          deckVersion: decision.deckVersion,
          movementId,
        });
      },
    );
  }

  /**
   * Runs a charge at most once per id: the same request again gets the stored answer,
   * another request under the id is refused. Only successes are stored (see the class).
   */
  #once<T>(
    key: string,
    requestHash: string,
    what: "message" | "usage",
    id: string,
    run: (work: Work, account: LedgerAccount) => LedgerResult<T>,
  ): LedgerResult<T> {
    const nowMs = Date.now();
    return this.commands.run(nowMs, (work) => {
      const account = this.core.account();
      if (!account) return refuse<T>({ reason: "account_not_found" });
      return onceByKey(
        this.core.store,
        key,
        requestHash,
        nowMs,
        { conflict: { reason: "id_reused", what, id }, storeRefusals: false },
        () => run(work, account),
      );
    });
  }
}
