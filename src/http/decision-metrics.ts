/**
 * Every authorization decision of the call routes as one Analytics Engine data point, for
 * the switch's operators (refusals by reason, latency per minute; queries in the README,
 * "Connecting a switch"). Where the CALL_METRICS binding is not configured nothing is
 * written and nothing fails: metrics never decide a call.
 *
 * Columns: index1 = account id; blob1 = step (authorize | extend | end); blob2 = outcome
 * (allowed | refused | ended); blob3 = reason ("" unless refused); blob4 = billing
 * (included | credit | free); blob5 = account region ("" when unknown); blob6 = leg;
 * double1 = latency in ms; double2 = granted seconds (billed seconds for end).
 */
export interface CallDecisionPoint {
  accountId: string;
  step: "authorize" | "extend" | "end";
  outcome: "allowed" | "refused" | "ended";
  reason: string | null;
  billing: string;
  region: string | null;
  leg: string;
  latencyMs: number;
  seconds: number;
}

/** The binding is optional: absent in tests and wherever a deployment leaves it out. */
type MaybeMetrics = { CALL_METRICS?: AnalyticsEngineDataset };

export function recordCallDecision(env: Env, point: CallDecisionPoint): void {
  const dataset = (env as MaybeMetrics).CALL_METRICS;
  if (!dataset) return;
  try {
    dataset.writeDataPoint({
      indexes: [point.accountId],
      blobs: [
        point.step,
        point.outcome,
        point.reason ?? "",
        point.billing,
        point.region ?? "",
        point.leg,
      ],
      doubles: [point.latencyMs, point.seconds],
    });
  } catch (error) {
    // A metrics outage must not turn an answered call into a 500.
    console.error(JSON.stringify({ event: "call_metrics_failed", error: String(error) }));
  }
}
