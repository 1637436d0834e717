import { describe, expect, it } from "vitest";
import {
  dayKeyOf,
  fairUseLimitSeconds,
  isTimeZone,
  monthKeyOf,
  planSchema,
} from "../../src/rating/plan";

describe("planSchema", () => {
  it("fills the defaults: 3 000 fair-use minutes, no allowances", () => {
    const plan = planSchema.parse({
      package: { name: "EU Domestic", destinations: ["de", "FR", "DE"], numberCountries: ["DE"] },
    });
    expect(plan).toEqual({
      package: {
        name: "EU Domestic",
        destinations: ["DE", "FR"],
        numberCountries: ["DE"],
        fupMinutesPerUser: 3_000,
      },
      allowances: { conversationIntelligenceMinutes: 0, voiceAgentMinutes: 0 },
    });
    expect(fairUseLimitSeconds(plan)).toBe(180_000);
  });

  it("keeps explicit values", () => {
    const plan = planSchema.parse({
      package: {
        name: "US",
        destinations: ["US", "CA"],
        numberCountries: ["US"],
        fupMinutesPerUser: 5_000,
      },
      allowances: { conversationIntelligenceMinutes: 100, voiceAgentMinutes: 50 },
    });
    expect(plan.package.fupMinutesPerUser).toBe(5_000);
    expect(plan.allowances).toEqual({
      conversationIntelligenceMinutes: 100,
      voiceAgentMinutes: 50,
    });
  });

  it.each<[string, unknown, string]>([
    [
      "a non-ISO country",
      { package: { name: "x", destinations: ["UK"], numberCountries: [] } },
      "package.destinations.0",
    ],
    [
      "a region name",
      { package: { name: "x", destinations: [], numberCountries: ["EU"] } },
      "package.numberCountries.0",
    ],
    ["no name", { package: { name: " ", destinations: [], numberCountries: [] } }, "package.name"],
    [
      "fractional fair use",
      { package: { name: "x", destinations: [], numberCountries: [], fupMinutesPerUser: 1.5 } },
      "package.fupMinutesPerUser",
    ],
    [
      "negative allowance",
      {
        package: { name: "x", destinations: [], numberCountries: [] },
        allowances: { voiceAgentMinutes: -1 },
      },
      "allowances.voiceAgentMinutes",
    ],
    [
      "an unknown field",
      { package: { name: "x", destinations: [], numberCountries: [] }, extra: 1 },
      "",
    ],
    ["no package", {}, "package"],
  ])("refuses %s, naming the field", (_case, body, path) => {
    const result = planSchema.safeParse(body);
    expect(result.success).toBe(false);
    if (!result.success) expect(result.error.issues.map((i) => i.path.join("."))).toContain(path);
  });
});

describe("monthKeyOf", () => {
  it.each([
    // 23:30 on 31 October in New York is already November in UTC.
    ["2026-11-01T03:30:00Z", "America/New_York", "2026-10"],
    ["2026-11-01T03:30:00Z", "UTC", "2026-11"],
    ["2026-11-30T16:00:00Z", "Asia/Tokyo", "2026-12"],
    ["2026-12-31T23:00:00Z", "Europe/Prague", "2027-01"],
    ["2026-03-01T00:30:00Z", "Europe/London", "2026-03"],
    ["2026-03-01T00:30:00Z", "America/Los_Angeles", "2026-02"],
  ])("%s in %s is %s", (instant, zone, month) => {
    expect(monthKeyOf(Date.parse(instant), zone)).toBe(month);
  });

  it("gives the day too, for daily spend caps", () => {
    expect(dayKeyOf(Date.parse("2026-11-01T03:30:00Z"), "America/New_York")).toBe("2026-10-31");
  });

  it("knows IANA zones", () => {
    expect(isTimeZone("Europe/Berlin")).toBe(true);
    expect(isTimeZone("Mars/Olympus_Mons")).toBe(false);
  });
});
