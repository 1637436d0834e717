import type { SettingKey } from "./settings";
import type { Micros } from "../money";
import type { CallSettlement } from "../rating/decide";
import type { AiService } from "../rating/service-rates";
import { calendarAt, calendarSpanMs } from "./calendar";
import type { LedgerStore } from "./store";
import { MOVEMENT_KINDS, type Movement, type MovementKind } from "./types";

/** What a charge from credit can pay for: the kinds the daily cap and the report's spend count. */
export const CHARGE_KINDS: readonly MovementKind[] = MOVEMENT_KINDS.filter(
  (kind) => kind !== "top-up" && kind !== "adjustment",
);

/** What a movement spent: the amount of a charge, 0 for credit, adjustments and free charges. */
export function spentBy(movement: Pick<Movement, "description" | "amountMicros">): Micros {
  return CHARGE_KINDS.includes(movement.description) && movement.amountMicros < 0
    ? -movement.amountMicros
    : 0;
}

/**
 * The settings key of the seq through which the month tables count spend (usage_spend):
 * movements after it are summed from the movements table itself, those at or before it
 * (pruned, or posted before schema step 9) from the table. Pruning moves it forward.
 */
export const USAGE_COUNTED_THROUGH_SEQ = "usage_counted_through_seq" satisfies SettingKey;

export interface UserUsage {
  userId: string;
  includedSeconds: number;
  creditSeconds: number;
  creditBilledSeconds: number;
  creditMicros: Micros;
}

export interface CategorySpend {
  category: MovementKind;
  charges: number;
  units: number;
  amountMicros: Micros;
}

/**
 * The month's counters of one account (months and days in its time zone): package seconds
 * per user and allowance minutes per service, bumped in the same transaction as the
 * charge they count. Spend per category and per day is not counted apart (schema step 9):
 * every charge is a movement already, so a message writes its movement and nothing else;
 * the spend is summed from the movements, and from `usage_spend` for the ones pruned.
 */
export class UsageCounters {
  readonly #sql: SqlStorage;

  constructor(private readonly store: LedgerStore) {
    this.#sql = store.sql;
  }

  addCall(month: string, userId: string, settlement: CallSettlement): void {
    if (settlement.includedSeconds === 0 && settlement.creditSeconds === 0) return;
    this.#sql.exec(
      `INSERT INTO usage_users (month, user_id, included_seconds, credit_seconds, credit_billed_seconds, credit_micros)
       VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (month, user_id) DO UPDATE SET
         included_seconds = included_seconds + excluded.included_seconds,
         credit_seconds = credit_seconds + excluded.credit_seconds,
         credit_billed_seconds = credit_billed_seconds + excluded.credit_billed_seconds,
         credit_micros = credit_micros + excluded.credit_micros`,
      month,
      userId,
      settlement.includedSeconds,
      settlement.creditSeconds,
      settlement.billedSeconds,
      settlement.amountMicros,
    );
  }

  allowanceUsedMinutes(month: string, service: AiService): number {
    const row = this.#sql
      .exec<{ m: number }>(
        "SELECT used_minutes AS m FROM usage_allowances WHERE month = ? AND service = ?",
        month,
        service,
      )
      .toArray()[0];
    return row?.m ?? 0;
  }

  addAllowance(month: string, service: AiService, minutes: number): void {
    if (minutes === 0) return;
    this.#sql.exec(
      `INSERT INTO usage_allowances (month, service, used_minutes) VALUES (?, ?, ?)
       ON CONFLICT (month, service) DO UPDATE SET used_minutes = used_minutes + excluded.used_minutes`,
      month,
      service,
      minutes,
    );
  }

  /** Settled charges of the day; the daily cap adds the open reservations to it. */
  spentOn(day: string): Micros {
    return this.store.spentOn(day);
  }

  users(month: string): UserUsage[] {
    return this.#sql
      .exec<{
        user_id: string;
        included_seconds: number;
        credit_seconds: number;
        credit_billed_seconds: number;
        credit_micros: number;
      }>("SELECT * FROM usage_users WHERE month = ? ORDER BY user_id", month)
      .toArray()
      .map((r) => ({
        userId: r.user_id,
        includedSeconds: r.included_seconds,
        creditSeconds: r.credit_seconds,
        creditBilledSeconds: r.credit_billed_seconds,
        creditMicros: r.credit_micros,
      }));
  }

  allowances(month: string): Map<string, number> {
    const rows = this.#sql
      .exec<{ service: string; used_minutes: number }>(
        "SELECT service, used_minutes FROM usage_allowances WHERE month = ?",
        month,
      )
      .toArray();
    return new Map(rows.map((r) => [r.service, r.used_minutes]));
  }

  /** The month's charges per category: those the table counts, plus those still in the ledger after its mark. */
  spend(month: string): CategorySpend[] {
    const byCategory = new Map<MovementKind, CategorySpend>();
    const add = (spend: CategorySpend) => {
      const sum = byCategory.get(spend.category);
      byCategory.set(
        spend.category,
        sum
          ? {
              category: spend.category,
              charges: sum.charges + spend.charges,
              units: sum.units + spend.units,
              amountMicros: sum.amountMicros + spend.amountMicros,
            }
          : spend,
      );
    };
    const counted = this.#sql
      .exec<SpendRow>(
        "SELECT category, charges, units, amount_micros FROM usage_spend WHERE month = ?",
        month,
      )
      .toArray();
    const timeZone = this.store.readAccount()?.timeZone;
    // Movements are in time order (one clock, one writer), so the month is a time range.
    const span = timeZone ? calendarSpanMs(month, timeZone) : null;
    const live = span
      ? this.#sql
          .exec<SpendRow>(
            `SELECT description AS category, count(*) AS charges, coalesce(sum(units_charged), 0) AS units,
               -sum(amount_micros) AS amount_micros
             FROM movements WHERE seq > ? AND at_ms >= ? AND at_ms < ? AND ${CHARGE_SQL}
             GROUP BY description`,
            this.#countedThroughSeq(),
            span.startMs,
            span.endMs,
          )
          .toArray()
      : [];
    for (const row of [...counted, ...live])
      add({
        category: row.category as MovementKind,
        charges: row.charges,
        units: row.units,
        amountMicros: row.amount_micros,
      });
    return [...byCategory.values()].sort((a, b) => (a.category < b.category ? -1 : 1));
  }

  /**
   * Before movements up to `throughSeq` leave the ledger: adds the charges among them that
   * the table does not count yet to their months, and moves the mark past them. In the
   * pruning's transaction, so the report never counts a charge twice or loses one.
   */
  countBeforePruning(throughSeq: number): void {
    const fromSeq = this.#countedThroughSeq();
    const timeZone = this.store.readAccount()?.timeZone;
    if (throughSeq <= fromSeq || !timeZone) return;
    const sums = new Map<string, CategorySpend & { month: string }>();
    for (const row of this.#sql.exec<{
      at_ms: number;
      category: string;
      units: number | null;
      amount_micros: number;
    }>(
      `SELECT at_ms, description AS category, units_charged AS units, amount_micros FROM movements
       WHERE seq > ? AND seq <= ? AND ${CHARGE_SQL}`,
      fromSeq,
      throughSeq,
    )) {
      const { month } = calendarAt(row.at_ms, timeZone);
      const key = `${month} ${row.category}`;
      const sum = sums.get(key) ?? {
        month,
        category: row.category as MovementKind,
        charges: 0,
        units: 0,
        amountMicros: 0,
      };
      sums.set(key, {
        ...sum,
        charges: sum.charges + 1,
        units: sum.units + (row.units ?? 0),
        amountMicros: sum.amountMicros - row.amount_micros,
      });
    }
    for (const sum of sums.values())
      this.#sql.exec(
        `INSERT INTO usage_spend (month, category, charges, units, amount_micros) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (month, category) DO UPDATE SET charges = charges + excluded.charges,
           units = units + excluded.units, amount_micros = amount_micros + excluded.amount_micros`,
        sum.month,
        sum.category,
        sum.charges,
        sum.units,
        sum.amountMicros,
      );
    this.store.writeSetting(USAGE_COUNTED_THROUGH_SEQ, throughSeq);
  }

  #countedThroughSeq(): number {
    return this.store.readSetting(USAGE_COUNTED_THROUGH_SEQ) ?? 0;
  }
}

interface SpendRow extends Record<string, SqlStorageValue> {
  category: string;
  charges: number;
  units: number;
  amount_micros: number;
}

/** `spentBy` in SQL, over the same kinds: a charge kind that took money. */
/** `spentBy` as SQL over the movements table. */
export const CHARGE_SQL = `amount_micros < 0 AND description IN (${CHARGE_KINDS.map((kind) => `'${kind}'`).join(", ")})`;
