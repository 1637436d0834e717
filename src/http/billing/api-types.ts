import type { usageReportView } from "../rating-views";
import type { creditView, movementView, topUpView } from "../views";

/** The shapes the page reads, taken from the API's own views so the two cannot drift. */
export type CreditBody = ReturnType<typeof creditView>;
export type MovementBody = ReturnType<typeof movementView>;
export type TopUpBody = ReturnType<typeof topUpView>;

export interface AccountBody {
  id: string;
  name: string;
  currency: string;
  timezone: string;
}

export interface MovementsPage {
  movements: MovementBody[];
  nextCursor: string | null;
}

export interface ExportBody {
  id: string;
  status: "processing" | "ready" | "failed";
  message: string;
  periodStart: string | null;
  periodEnd: string | null;
  timezone?: string;
  rows?: number;
  downloadUrl?: string;
  downloadUrlExpiresAt?: string;
}

export type UsageBody = ReturnType<typeof usageReportView>;
