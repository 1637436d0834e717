import type { LedgerRefusal } from "../ledger/types";
import { formatMoney } from "../money";
import { ApiError } from "../http/errors";

/** Maps every refusal of the ledger to the wire; a new reason fails to compile until mapped. */
export function refusalToError(refusal: LedgerRefusal): ApiError {
  switch (refusal.reason) {
    case "account_not_found":
      return new ApiError(404, "account_not_found", "No such account.");
    case "export_not_found":
      return new ApiError(404, "export_not_found", "No such export.");
    case "top_up_not_found":
      return new ApiError(404, "top_up_not_found", "No such top-up.");
    case "no_payment_method":
      return new ApiError(
        400,
        "no_payment_method",
        "paymentMethod: the account has no saved payment method; send one.",
        [{ field: "paymentMethod", issue: "required: no payment method is saved" }],
      );
    case "payment_method_not_found":
      return new ApiError(404, "payment_method_not_found", "No card is saved for this account.");
    case "account_conflict":
      return new ApiError(
        409,
        "account_exists",
        "An account with this id exists with other settings.",
      );
    case "idempotency_conflict":
      return new ApiError(
        409,
        "idempotency_key_reused",
        "This Idempotency-Key was used with another request.",
        [{ field: "Idempotency-Key", issue: "already used with another request" }],
      );
    case "insufficient_credit":
      return new ApiError(
        402,
        "insufficient_credit",
        `Not enough credit: ${formatMoney(refusal.availableMicros)} available, ${formatMoney(refusal.requestedMicros)} needed.`,
      );
    case "credit_exhausted":
      return new ApiError(
        402,
        "credit_exhausted",
        `Credit is used up (${formatMoney(refusal.availableMicros)} available): this charge is refused until credit is added.`,
      );
    case "no_rate":
      return new ApiError(
        400,
        "no_rate",
        `${refusal.field}: no price is set for ${refusal.what}.`,
        [{ field: refusal.field, issue: `no price is set for ${refusal.what}` }],
      );
    case "id_reused":
      return new ApiError(
        409,
        "id_reused",
        `This ${refusal.what} id (${refusal.id}) was already used with another request.`,
      );
    case "rate_deck_unavailable":
      return new ApiError(
        503,
        "rates_unavailable",
        `Rate deck ${refusal.version} could not be loaded; retry shortly.`,
      );
    case "too_many":
      return new ApiError(
        409,
        "too_many",
        `The account already has the most ${refusal.what} allowed (${refusal.max}); remove one first.`,
      );
    case "billing_details_not_found":
      return new ApiError(
        404,
        "billing_details_not_found",
        "The account has no billing details yet; its admin sets them with PUT.",
      );
    default: {
      const unmapped: never = refusal;
      throw new Error(`unmapped ledger refusal ${JSON.stringify(unmapped)}`);
    }
  }
}

/**
 * The value of a ledger answer, or the mapped error. Generic over the answer's own type
 * because RPC stubs hand back a structurally typed copy of LedgerResult.
 */
export function unwrap<
  R extends { ok: true; value: unknown } | { ok: false; refusal: LedgerRefusal },
>(result: R): Extract<R, { ok: true }>["value"] {
  if (result.ok) return result.value;
  throw refusalToError((result as { refusal: LedgerRefusal }).refusal);
}
