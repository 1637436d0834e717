import type { BillingDetails } from "../../billing-details";
import type { ApiAnswer, BillingApi } from "./api-client";
import type {
  AccountBody,
  CreditBody,
  ExportBody,
  MovementBody,
  MovementsPage,
  TopUpBody,
  UsageBody,
} from "./api-types";
import { currentMonth } from "./format";
import { dailySpend, SPEND_CHART_DAYS, type DaySpend } from "./daily-spend";

/** Pages of movements read for the chart; a busier month is charted from its first part. */
export const CHART_MOVEMENT_PAGES_MAX = 10;
const MOVEMENTS_PAGE_SIZE = 500;
/** How many of the latest movements the page lists. */
export const LATEST_MOVEMENTS_SHOWN = 10;
const DAY_MS = 86_400_000;

export type UsageState =
  | { kind: "ready"; month: string; body: UsageBody }
  | { kind: "unavailable"; month: string }
  | { kind: "error"; month: string; message: string };

export interface BillingData {
  account: AccountBody;
  credit: CreditBody;
  spend: { days: DaySpend[]; complete: boolean };
  latest: MovementBody[];
  usage: UsageState;
  topUp: TopUpBody | null;
  lastExport: ExportBody | null;
  /** null until the admin sets them. */
  billingDetails: BillingDetails | null;
}

/** Either everything the page shows, or the first answer that stops it (e.g. a revoked key). */
export type LoadResult =
  | { ok: true; data: BillingData }
  | { ok: false; status: number; code: string; message: string };

export async function loadBillingData(
  api: BillingApi,
  accountId: string,
  options: { month: string | null; topUpId: string | null; exportId: string | null; nowMs: number },
): Promise<LoadResult> {
  const base = `/v1/accounts/${encodeURIComponent(accountId)}`;
  const accountAnswer = api.get<AccountBody>(base);
  // Without a month asked for, the usage shown is this month in the account's own zone.
  const month = options.month
    ? Promise.resolve(options.month)
    : accountAnswer.then((a) => currentMonth(options.nowMs, a.ok ? a.body.timezone : "UTC"));
  const [account, credit, movements, usage, topUp, lastExport, billingDetails] = await Promise.all([
    accountAnswer,
    api.get<CreditBody>(`${base}/credit`),
    readMovements(api, base, options.nowMs),
    month.then((m) => api.get<UsageBody>(`${base}/usage?month=${encodeURIComponent(m)}`)),
    options.topUpId
      ? api.get<TopUpBody>(`${base}/top-ups/${encodeURIComponent(options.topUpId)}`)
      : null,
    options.exportId
      ? api.get<ExportBody>(`${base}/exports/${encodeURIComponent(options.exportId)}`)
      : null,
    api.get<BillingDetails>(`${base}/billing-details`),
  ]);
  if (!account.ok) return { ok: false, status: account.status, ...account.error };
  if (!credit.ok) return { ok: false, status: credit.status, ...credit.error };
  const timeZone = account.body.timezone || "UTC";
  return {
    ok: true,
    data: {
      account: account.body,
      credit: credit.body,
      spend: {
        days: dailySpend(movements.all, timeZone, options.nowMs),
        complete: movements.complete,
      },
      latest: movements.latest,
      usage: usageState(await month, usage),
      topUp: topUp?.ok ? topUp.body : null,
      lastExport: lastExport?.ok ? lastExport.body : null,
      billingDetails: billingDetails.ok ? billingDetails.body : null,
    },
  };
}

function usageState(month: string, answer: ApiAnswer<UsageBody>): UsageState {
  if (answer.ok) return { kind: "ready", month, body: answer.body };
  // A service without the usage route yet answers route_not_found; the page says so plainly.
  if (answer.status === 404 && answer.error.code === "route_not_found")
    return { kind: "unavailable", month };
  return { kind: "error", month, message: answer.error.message };
}

/**
 * Movements of the chart's window, oldest first, by pages. When the window holds more than
 * the page budget, the latest movements are read separately from a short recent window.
 */
async function readMovements(api: BillingApi, base: string, nowMs: number) {
  const from = new Date(nowMs - (SPEND_CHART_DAYS + 1) * DAY_MS).toISOString();
  const all: MovementBody[] = [];
  let cursor: string | null = null;
  for (let page = 0; page < CHART_MOVEMENT_PAGES_MAX; page++) {
    const answer: ApiAnswer<MovementsPage> = await api.get<MovementsPage>(
      `${base}/movements?from=${encodeURIComponent(from)}&limit=${MOVEMENTS_PAGE_SIZE}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`,
    );
    if (!answer.ok) break;
    all.push(...answer.body.movements);
    cursor = answer.body.nextCursor;
    if (cursor === null) break;
  }
  const complete = cursor === null;
  const latest = complete ? all.slice(-LATEST_MOVEMENTS_SHOWN) : await readLatest(api, base, nowMs);
  return { all, complete, latest: latest.reverse() };
}

async function readLatest(api: BillingApi, base: string, nowMs: number): Promise<MovementBody[]> {
  let best: MovementBody[] = [];
  for (const windowMs of [15 * 60_000, 6 * 3_600_000, DAY_MS]) {
    const from = new Date(nowMs - windowMs).toISOString();
    const answer = await api.get<MovementsPage>(
      `${base}/movements?from=${encodeURIComponent(from)}&limit=${MOVEMENTS_PAGE_SIZE}`,
    );
    if (!answer.ok || answer.body.nextCursor !== null) break;
    best = answer.body.movements.slice(-LATEST_MOVEMENTS_SHOWN);
    if (best.length >= LATEST_MOVEMENTS_SHOWN) break;
  }
  return best;
}
