import type { Micros } from "../money";
import type { CallSettlement } from "../rating/decide";
import type { AiService } from "../rating/service-rates";
import { calendarAt } from "./calendar";
import type { MovementKind } from "./types";

/** Days of settled spend kept for the daily cap; older days are never asked for. */
export const SPEND_DAYS_KEPT = 40;

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
 * per user, allowance minutes per service, spend per category and per day. Each is bumped
 * in the same transaction as the charge it counts, so they never disagree with the ledger.
 */
export class UsageCounters {
  constructor(private readonly sql: SqlStorage) {}

  addCall(month: string, userId: string, settlement: CallSettlement): void {
    if (settlement.includedSeconds === 0 && settlement.creditSeconds === 0) return;
    this.sql.exec(
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
    const row = this.sql
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
    this.sql.exec(
      `INSERT INTO usage_allowances (month, service, used_minutes) VALUES (?, ?, ?)
       ON CONFLICT (month, service) DO UPDATE SET used_minutes = used_minutes + excluded.used_minutes`,
      month,
      service,
      minutes,
    );
  }

  /** A charge from credit: counted for the month's report and the day's cap. */
  addSpend(
    at: { nowMs: number; timeZone: string },
    category: MovementKind,
    units: number,
    amountMicros: Micros,
  ): void {
    if (amountMicros === 0) return;
    const { day, month } = calendarAt(at.nowMs, at.timeZone);
    this.sql.exec(
      `INSERT INTO usage_spend (month, category, charges, units, amount_micros) VALUES (?, ?, 1, ?, ?)
       ON CONFLICT (month, category) DO UPDATE SET
         charges = charges + 1, units = units + excluded.units, amount_micros = amount_micros + excluded.amount_micros`,
      month,
      category,
      units,
      amountMicros,
    );
    this.sql.exec(
      `INSERT INTO spend_days (day, amount_micros) VALUES (?, ?)
       ON CONFLICT (day) DO UPDATE SET amount_micros = amount_micros + excluded.amount_micros`,
      day,
      amountMicros,
    );
  }

  /** Settled charges of the day; the daily cap adds the open reservations to it. */
  spentOn(day: string): Micros {
    const row = this.sql
      .exec<{ a: number }>("SELECT amount_micros AS a FROM spend_days WHERE day = ?", day)
      .toArray()[0];
    return row?.a ?? 0;
  }

  pruneDaysBefore(day: string): void {
    this.sql.exec("DELETE FROM spend_days WHERE day < ?", day);
  }

  users(month: string): UserUsage[] {
    return this.sql
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
    const rows = this.sql
      .exec<{ service: string; used_minutes: number }>(
        "SELECT service, used_minutes FROM usage_allowances WHERE month = ?",
        month,
      )
      .toArray();
    return new Map(rows.map((r) => [r.service, r.used_minutes]));
  }

  spend(month: string): CategorySpend[] {
    return this.sql
      .exec<{ category: string; charges: number; units: number; amount_micros: number }>(
        "SELECT category, charges, units, amount_micros FROM usage_spend WHERE month = ? ORDER BY category",
        month,
      )
      .toArray()
      .map((r) => ({
        category: r.category as MovementKind,
        charges: r.charges,
        units: r.units,
        amountMicros: r.amount_micros,
      }));
  }
}
