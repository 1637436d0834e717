import { describe, expect, it } from "vitest";
import {
  dayKeyOf,
  fairUseExceptionSchema,
  fairUseLimitSeconds,
  isTimeZone,
  monthKeyOf,
  planForUser,
  planSchema,
  serviceBillingOf,
} from "../../src/rating/plan";

describe("planSchema", () => {
  it("fills the defaults: 3 000 fair-use minutes, no allowances, AI billed from credit", () => {
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
      serviceBilling: {
        stt: "credit",
        "conversation-intelligence": "credit",
        "ai-voice-agents": "credit",
      },
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
    [
      "an unknown way to bill a service",
      {
        package: { name: "x", destinations: [], numberCountries: [] },
        serviceBilling: { stt: "card" },
      },
      "serviceBilling.stt",
    ],
    [
      "an unknown service",
      {
        package: { name: "x", destinations: [], numberCountries: [] },
        serviceBilling: { sms: "invoice" },
      },
      "serviceBilling",
    ],
  ])("refuses %s, naming the field", (_case, body, path) => {
    const result = planSchema.safeParse(body);
    expect(result.success).toBe(false);
    if (!result.success) expect(result.error.issues.map((i) => i.path.join("."))).toContain(path);
  });
});

const PACKAGE = { name: "EU Domestic", destinations: ["DE"], numberCountries: ["DE"] };

describe("serviceBillingOf: how each AI service is paid", () => {
  const invoiced = planSchema.parse({ package: PACKAGE, serviceBilling: { stt: "invoice" } });
  const asBefore = planSchema.parse({ package: PACKAGE });
  it.each([
    ["no plan", null, "stt", "credit"],
    ["a plan that says nothing", asBefore, "stt", "credit"],
    ["a plan that says nothing", asBefore, "ai-voice-agents", "credit"],
    ["speech-to-text by invoice", invoiced, "stt", "invoice"],
    ["only the service named", invoiced, "conversation-intelligence", "credit"],
    ["only the service named", invoiced, "ai-voice-agents", "credit"],
  ] as const)("%s: %s is billed by %s", (_case, plan, service, billing) => {
    expect(serviceBillingOf(plan, service)).toBe(billing);
  });
});

describe("planForUser: support's fair-use exceptions", () => {
  const plan = planSchema.parse({ package: PACKAGE });
  it.each([
    ["a user without an exception keeps the plan's limit", { bob: 5_000 }, "alice", 180_000],
    ["a user with an exception gets theirs", { bob: 5_000 }, "bob", 300_000],
    ["an exception may be lower than the plan's", { bob: 10 }, "bob", 600],
    ["an exception of zero: every minute from credit", { bob: 0 }, "bob", 0],
    ["a user named like an Object property is an ordinary user", {}, "constructor", 180_000],
  ])("%s", (_case, exceptions, userId, limitSeconds) => {
    const userPlan = planForUser(plan, exceptions, userId);
    expect(userPlan && fairUseLimitSeconds(userPlan)).toBe(limitSeconds);
  });

  it("changes nothing else of the plan, and nothing without a plan", () => {
    const userPlan = planForUser(plan, { bob: 10 }, "bob");
    expect(userPlan?.package.fupMinutesPerUser).toBe(10);
    expect({ ...userPlan, package: { ...userPlan?.package, fupMinutesPerUser: 3_000 } }).toEqual(
      plan,
    );
    expect(plan.package.fupMinutesPerUser).toBe(3_000);
    expect(planForUser(null, { bob: 10 }, "bob")).toBeNull();
  });

  it.each([
    [{ minutesPerMonth: 5_000 }, true],
    [{ minutesPerMonth: 0 }, true],
    [{ minutesPerMonth: 44_641 }, false],
    [{ minutesPerMonth: 1.5 }, false],
    [{ minutesPerMonth: "5000" }, false],
    [{}, false],
    [{ minutesPerMonth: 10, extra: 1 }, false],
  ])("the exception body %j is valid: %s", (body, valid) => {
    expect(fairUseExceptionSchema.safeParse(body).success).toBe(valid);
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
