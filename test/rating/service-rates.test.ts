import { describe, expect, it } from "vitest";
import { serviceRatesSchema } from "../../src/rating/service-rates";

const body = {
  stt: "0.02",
  "ai-voice-agents": "0.10",
  "conversation-intelligence": "0.03",
  "toll-free-inbound": "0.05",
};

describe("serviceRatesSchema", () => {
  it("turns per-minute prices into micros", () => {
    expect(serviceRatesSchema.parse(body)).toEqual({
      stt: 20_000,
      "ai-voice-agents": 100_000,
      "conversation-intelligence": 30_000,
      "toll-free-inbound": 50_000,
    });
  });

  it.each<[string, Record<string, unknown>, string]>([
    ["a JSON number", { ...body, stt: 0.02 }, "stt"],
    ["seven decimals", { ...body, stt: "0.0000001" }, "stt"],
    ["a negative price", { ...body, "toll-free-inbound": "-0.05" }, "toll-free-inbound"],
    [
      "a missing service",
      { stt: "0.02", "ai-voice-agents": "0.10", "conversation-intelligence": "0.03" },
      "toll-free-inbound",
    ],
    ["an unknown service", { ...body, fax: "0.01" }, ""],
  ])("refuses %s", (_case, input, path) => {
    const result = serviceRatesSchema.safeParse(input);
    expect(result.success).toBe(false);
    if (!result.success) expect(result.error.issues.map((i) => i.path.join("."))).toContain(path);
  });
});
