import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { recordCallDecision, type CallDecisionPoint } from "../../src/http/decision-metrics";

const point: CallDecisionPoint = {
  accountId: "acct-1",
  step: "authorize",
  outcome: "refused",
  reason: "credit_exhausted",
  billing: "credit",
  region: "weur",
  leg: "primary",
  latencyMs: 3.5,
  seconds: 0,
};

/** Analytics Engine is the platform's: a dataset that keeps what it is given stands in for it. */
function dataset(write: (p: AnalyticsEngineDataPoint) => void = () => {}) {
  const points: AnalyticsEngineDataPoint[] = [];
  return {
    points,
    binding: {
      writeDataPoint(p: AnalyticsEngineDataPoint) {
        write(p);
        points.push(p);
      },
    } as AnalyticsEngineDataset,
  };
}

describe("recordCallDecision", () => {
  it("writes one point in the documented columns", () => {
    const { points, binding } = dataset();
    recordCallDecision({ ...env, CALL_METRICS: binding }, point);
    expect(points).toEqual([
      {
        indexes: ["acct-1"],
        blobs: ["authorize", "refused", "credit_exhausted", "credit", "weur", "primary"],
        doubles: [3.5, 0],
      },
    ]);
  });

  it("leaves unknown reason and region empty", () => {
    const { points, binding } = dataset();
    recordCallDecision({ ...env, CALL_METRICS: binding }, { ...point, reason: null, region: null });
    expect(points[0]?.blobs?.slice(2, 5)).toEqual(["", "credit", ""]);
  });

  it("does nothing where the binding is absent, and never throws when it fails", () => {
    const { CALL_METRICS: _absent, ...without } = env;
    expect(() => recordCallDecision(without as Env, point)).not.toThrow();
    const { binding } = dataset(() => {
      throw new Error("dataset unavailable");
    });
    expect(() => recordCallDecision({ ...env, CALL_METRICS: binding }, point)).not.toThrow();
  });
});
