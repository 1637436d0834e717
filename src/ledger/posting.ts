import { addMicros, type Micros } from "../money";
import type { AccountMoney, MovementDraft } from "./types";

/**
 * The one rule every change of money follows: the balance moves by exactly the
 * movement's amount, so balance = sum of movements holds after every commit.
 */
export function post(
  money: AccountMoney,
  draft: MovementDraft,
): { money: AccountMoney; balanceAfterMicros: Micros } {
  const balanceAfterMicros = addMicros(money.balanceMicros, draft.amountMicros);
  return { money: { ...money, balanceMicros: balanceAfterMicros }, balanceAfterMicros };
}

/** Credit not yet promised to running calls: what a new charge may use. */
export function availableMicros(money: AccountMoney): Micros {
  return money.balanceMicros - money.reservedMicros;
}
