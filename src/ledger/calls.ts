import type { Micros } from "../money";
import type { DeckRefs } from "../rate-decks/kinds";
import {
  decideCall,
  decideExtend,
  FREE_GRANT_SECONDS,
  quoteCall,
  settleCall,
  type CallDecision,
  type CallLeg,
  type CallQuote,
  type CallRequest,
  type LegTerms,
  type SpendControls,
} from "../rating/decide";
import type { RatingTables } from "../rating/call-terms";
import { calendarAt } from "./calendar";
import {
  CallLegStore,
  type AuthorizeAnswer,
  type CallLegRow,
  type EndAnswer,
  type ExtendAnswer,
} from "./call-legs";
import { callMovement } from "./call-movement";
import type { LedgerCore } from "./core";
import { once } from "./idempotency";
import type { AccountPlans } from "./plans";
import { availableMicros } from "./posting";
import type { RateTables } from "./rate-tables";
import type { LedgerAccount } from "./store";
import { ok, refuse, type LedgerResult } from "./types";
import type { Commands, Work } from "./unit-of-work";
import type { UsageCounters } from "./usage-counters";

export type { AuthorizeAnswer, EndAnswer, ExtendAnswer } from "./call-legs";

const DAY_MS = 86_400_000;
/**
 * A running leg with no extend or end this long after its grant ran out is abandoned and
 * the alarm settles it. The grant counts from answer, authorize comes before ringing, and
 * the switch's end may be late: two minutes covers both without holding credit for long.
 */
export const ABANDONED_AFTER_GRACE_MS = 120_000;
/** Abandoned legs settled per alarm run; more are left for the next run, set at once. */
export const ABANDONED_SETTLED_PER_ALARM = 100;
/** Ended legs are kept as long as idempotency records, so a late retry gets its answer. */
export const ENDED_LEGS_KEPT_MS = 35 * DAY_MS;
/** Ended legs are pruned once a day, like the ledger's other housekeeping. */
export const LEG_PRUNE_EVERY_MS = DAY_MS;
/** Bounds one alarm's pruning (a busy account's whole day of legs comes due together); a full run is followed by the next at once. */
export const ENDED_LEGS_PRUNED_PER_RUN = 5_000;

export interface LegKey {
  callId: string;
  leg: CallLeg;
}

export type AuthorizeCommand = LegKey & Omit<CallRequest, "leg">;
export type ExtendCommand = LegKey & { usedSeconds: number };
export type EndCommand = LegKey & { durationSeconds: number };

/**
 * Call legs: authorize, extend and end (Diameter-style reserve, re-reserve, settle), and
 * the alarm that settles legs the switch never ended. Each command is one transaction that
 * reads the leg and the account, asks the rating functions, and writes what they say.
 */
export class Calls {
  readonly #legs: CallLegStore;

  constructor(
    private readonly core: LedgerCore,
    private readonly commands: Commands,
    private readonly plans: AccountPlans,
    private readonly counters: UsageCounters,
    private readonly tables: RateTables,
  ) {
    this.#legs = new CallLegStore(core.store.sql, () => core.memory());
  }

  async authorize(
    command: AuthorizeCommand,
    decks: DeckRefs,
  ): Promise<LedgerResult<AuthorizeAnswer>> {
    const tables = await this.tables.forCalls(decks);
    if (!tables.ok) return tables;
    return this.commands.run(Date.now(), (work) => {
      const account = this.core.account();
      if (!account) return refuse<AuthorizeAnswer>({ reason: "account_not_found" });
      const request: CallRequest = {
        direction: command.direction,
        leg: command.leg,
        from: command.from,
        to: command.to,
        userId: command.userId,
      };
      const requestJson = JSON.stringify(request);
      const existing = this.#legs.read(command.callId, command.leg);
      // The leg's row keeps its request and answer: a retry is answered from it.
      return once(
        existing && { request: existing.request, result: ok(existing.answer) },
        requestJson,
        {
          conflict: {
            reason: "id_reused",
            what: "call leg",
            id: `${command.callId}/${command.leg}`,
          },
          storeRefusals: false,
        },
        () => this.#authorizeNew(work, account, command, request, requestJson, tables.value),
      );
    });
  }

  /** A leg not seen before: decided, then written with its answer (its record) and its hold. */
  #authorizeNew(
    work: Work,
    account: LedgerAccount,
    command: AuthorizeCommand,
    request: CallRequest,
    requestJson: string,
    tables: RatingTables,
  ): LedgerResult<AuthorizeAnswer> {
    const nowMs = work.nowMs;
    const { month } = calendarAt(nowMs, account.timeZone);
    const fairUseUsedSeconds = this.#fairUseUsedSeconds(month, command.userId);
    const decision = decideCall({
      request,
      plan: this.plans.planFor(command.userId),
      tables,
      money: moneyOf(account),
      fairUseUsedSeconds,
      controls: this.#controls(account, nowMs),
    });
    const terms = termsOf(decision);
    const answer: AuthorizeAnswer = {
      allowed: decision.allowed,
      reason: decision.allowed ? null : decision.reason,
      billing: decision.billing,
      chargeReason: decision.chargeReason ?? null,
      grantSeconds: decision.grantSeconds,
      rate: decision.rate ?? null,
    };
    const expiresAtMs = nowMs + decision.grantSeconds * 1000 + ABANDONED_AFTER_GRACE_MS;
    this.#legs.insert({
      callId: command.callId,
      leg: command.leg,
      userId: command.userId,
      state: decision.allowed ? "running" : "refused",
      request: requestJson,
      answer,
      terms,
      month,
      grantedSeconds: decision.grantSeconds,
      includedHoldSeconds: includedWithin(terms, decision.grantSeconds, fairUseUsedSeconds),
      reservedMicros: decision.reserveMicros,
      expiresAtMs,
      lastExtend: null,
      endAnswer: null,
      createdAtMs: nowMs,
    });
    if (decision.reserveMicros > 0)
      work.setReserved(account.reservedMicros + decision.reserveMicros);
    if (decision.allowed) this.core.wakeAt(expiresAtMs);
    return ok(answer);
  }

  extend(command: ExtendCommand): LedgerResult<ExtendAnswer> {
    return this.commands.run(Date.now(), (work) => {
      const account = this.core.account();
      if (!account) return refuse<ExtendAnswer>({ reason: "account_not_found" });
      const leg = this.#legs.read(command.callId, command.leg);
      // Every leg that may cost anything is recorded at authorize; one the ledger never saw
      // was answered free by the Worker (inbound to a standard number), and stays free.
      if (!leg)
        return ok<ExtendAnswer>({
          allowed: true,
          reason: null,
          billing: "free",
          grantSeconds: FREE_GRANT_SECONDS,
        });
      if (leg.state !== "running") {
        return ok<ExtendAnswer>({
          allowed: false,
          reason: leg.answer.reason ?? "leg_ended",
          billing: leg.answer.billing,
          grantSeconds: 0,
        });
      }
      // A retry (or a late copy of an earlier extend) must not move the grant again.
      if (leg.lastExtend && command.usedSeconds <= leg.lastExtend.usedSeconds)
        return ok(leg.lastExtend.answer);

      const nowMs = work.nowMs;
      const fairUseUsedSeconds = this.#fairUseUsedBeside(leg);
      const decision = decideExtend({
        terms: leg.terms,
        usedSeconds: command.usedSeconds,
        reservedMicros: leg.reservedMicros,
        money: moneyOf(account),
        fairUseUsedSeconds,
        controls: this.#controls(account, nowMs),
      });
      const grantedSeconds = decision.allowed
        ? command.usedSeconds + decision.grantSeconds
        : leg.grantedSeconds;
      const expiresAtMs = decision.allowed
        ? nowMs + decision.grantSeconds * 1000 + ABANDONED_AFTER_GRACE_MS
        : leg.expiresAtMs;
      const answer: ExtendAnswer = {
        allowed: decision.allowed,
        reason: decision.allowed ? null : decision.reason,
        billing: decision.billing,
        grantSeconds: decision.grantSeconds,
      };
      this.#legs.extend(leg, {
        grantedSeconds,
        includedHoldSeconds: includedWithin(leg.terms, grantedSeconds, fairUseUsedSeconds),
        reservedMicros: decision.reserveMicros,
        expiresAtMs,
        usedSeconds: command.usedSeconds,
        answer,
      });
      if (decision.reserveMicros !== leg.reservedMicros) {
        work.setReserved(releasedFrom(account, leg) + decision.reserveMicros);
      }
      if (decision.allowed) this.core.wakeAt(expiresAtMs);
      return ok(answer);
    });
  }

  end(command: EndCommand): LedgerResult<EndAnswer> {
    return this.commands.run(Date.now(), (work) => {
      const account = this.core.account();
      if (!account) return refuse<EndAnswer>({ reason: "account_not_found" });
      const leg = this.#legs.read(command.callId, command.leg);
      if (!leg) return ok(nothingCharged("free", command.durationSeconds));
      if (leg.endAnswer) return ok(leg.endAnswer);
      if (leg.state === "refused") return ok(nothingCharged(leg.answer.billing, 0));
      return ok(this.#settle(work, account, leg, command.durationSeconds, false));
    });
  }

  /** What a call would cost and why, by the rules authorize and end use; changes nothing. */
  async quote(
    request: CallRequest,
    durationSeconds: number,
    decks: DeckRefs,
  ): Promise<LedgerResult<CallQuote>> {
    const tables = await this.tables.forCalls(decks);
    if (!tables.ok) return tables;
    const account = this.core.account();
    if (!account) return refuse({ reason: "account_not_found" });
    const { month } = calendarAt(Date.now(), account.timeZone);
    const fairUseUsedSeconds = this.#fairUseUsedSeconds(month, request.userId);
    return ok(
      quoteCall({
        request,
        plan: this.plans.planFor(request.userId),
        tables: tables.value,
        fairUseUsedSeconds,
        durationSeconds,
      }),
    );
  }

  /** Settles legs whose grant ran out with no end, for the time they were granted. */
  onAlarm(nowMs: number): number | null {
    // Nothing runs between the query and the settlements (no await), so the rows are current.
    const due = this.#legs.expired(nowMs, ABANDONED_SETTLED_PER_ALARM);
    for (const leg of due) {
      this.commands.run(nowMs, (work) => {
        const account = this.core.account();
        if (account) this.#settle(work, account, leg, leg.grantedSeconds, true);
      });
    }
    const pruneDueMs = this.core.periodically(
      "call_legs_pruned_at_ms",
      LEG_PRUNE_EVERY_MS,
      nowMs,
      () => this.#prune(nowMs),
    );
    const settleDueMs =
      due.length === ABANDONED_SETTLED_PER_ALARM ? nowMs : this.#legs.nextExpiryMs();
    return settleDueMs === null ? pruneDueMs : Math.min(settleDueMs, pruneDueMs);
  }

  /** Prunes up to one run's worth of old ended legs; true when legs are left. */
  #prune(nowMs: number): boolean {
    return this.core.transaction(
      () =>
        this.#legs.pruneEndedBefore(nowMs - ENDED_LEGS_KEPT_MS, ENDED_LEGS_PRUNED_PER_RUN) ===
        ENDED_LEGS_PRUNED_PER_RUN,
    );
  }

  /** Open reservations by leg, for audits: must always equal the account's reserved total. */
  runningReservedMicros(): Micros {
    return this.#legs.runningReservedMicros();
  }

  #settle(
    work: Work,
    account: LedgerAccount,
    leg: CallLegRow,
    durationSeconds: number,
    abandoned: boolean,
  ): EndAnswer {
    const nowMs = work.nowMs;
    const fairUseUsedSeconds = this.#fairUseUsedBeside(leg);
    const settlement = settleCall({
      terms: leg.terms,
      durationSeconds,
      fairUseUsedSeconds,
      abandoned,
    });
    const reservedAfterMicros = releasedFrom(account, leg);
    let movementId: string | null = null;
    if (settlement.amountMicros > 0) {
      movementId = work.post(callMovement(leg, settlement), reservedAfterMicros).id;
    } else if (leg.reservedMicros > 0) {
      work.setReserved(reservedAfterMicros);
    }
    this.counters.addCall(leg.month, leg.userId, settlement);
    const answer: EndAnswer = {
      billing: settlement.charge ? "credit" : leg.terms.billing,
      durationSeconds,
      includedSeconds: settlement.includedSeconds,
      creditSeconds: settlement.creditSeconds,
      billedSeconds: settlement.billedSeconds,
      chargedMicros: settlement.amountMicros,
      movementId,
      abandoned,
    };
    this.#legs.end(leg, answer, nowMs);
    return answer;
  }

  /** The user's package seconds this month: settled, plus what other running legs hold. */
  #fairUseUsedSeconds(month: string, userId: string, except?: LegKey): number {
    return this.#legs.fairUseUsedSeconds(month, userId, except);
  }

  /**
   * Fair use as seen by one of the user's running legs. Only a package leg is split at the
   * limit; a credit or free leg's terms never read it, so its hot path skips the query.
   */
  #fairUseUsedBeside(leg: CallLegRow): number {
    return leg.terms.billing === "included"
      ? this.#fairUseUsedSeconds(leg.month, leg.userId, leg)
      : 0;
  }

  #controls(account: LedgerAccount, nowMs: number): SpendControls | undefined {
    const { maxCostPerCallMicros, dailyCapMicros } = this.plans.spendControls();
    if (maxCostPerCallMicros === null && dailyCapMicros === null) return undefined;
    const controls: SpendControls = {};
    if (maxCostPerCallMicros !== null) controls.maxCostPerCallMicros = maxCostPerCallMicros;
    if (dailyCapMicros !== null) {
      controls.dailyCapMicros = dailyCapMicros;
      // Open reservations count as spent, so concurrent legs cannot each take the whole cap.
      controls.spentTodayMicros =
        this.counters.spentOn(calendarAt(nowMs, account.timeZone).day) + account.reservedMicros;
    }
    return controls;
  }
}

/** The two figures every decision reads: credit ≤ 0 looks at one, reservations at the other. */
export function moneyOf(account: LedgerAccount) {
  return { balanceMicros: account.balanceMicros, availableMicros: availableMicros(account) };
}

function termsOf(decision: CallDecision): LegTerms {
  const { billing, chargeReason, rate, fairUseLimitSeconds } = decision;
  return {
    billing,
    ...(chargeReason && { chargeReason }),
    ...(rate && { rate }),
    ...(fairUseLimitSeconds !== undefined && { fairUseLimitSeconds }),
  };
}

/** Package seconds within the first `seconds` of a leg: what it holds against fair use. */
function includedWithin(terms: LegTerms, seconds: number, fairUseUsedSeconds: number): number {
  return settleCall({ terms, durationSeconds: seconds, fairUseUsedSeconds }).includedSeconds;
}

/** The account's reserved total without this leg's reservation. */
function releasedFrom(account: LedgerAccount, leg: CallLegRow): Micros {
  const afterMicros = account.reservedMicros - leg.reservedMicros;
  if (afterMicros < 0)
    throw new Error(
      `leg ${leg.callId}/${leg.leg} holds ${leg.reservedMicros}, the account only ${account.reservedMicros}`,
    );
  return afterMicros;
}

function nothingCharged(billing: EndAnswer["billing"], durationSeconds: number): EndAnswer {
  return {
    billing,
    durationSeconds,
    includedSeconds: 0,
    creditSeconds: 0,
    billedSeconds: 0,
    chargedMicros: 0,
    movementId: null,
    abandoned: false,
  };
}
