import { describe, expect, it } from "vitest";
import { decodeSetting } from "../../src/ledger/settings";
import { FAIR_USE_MINUTES_DEFAULT } from "../../src/rating/plan";

describe("decodeSetting: the ledger's settings as read back", () => {
  it("a plan stored before a field existed gets that field's default", () => {
    const stored = JSON.stringify({
      package: { name: "EU Domestic", destinations: ["DE"], numberCountries: ["DE"] },
    });
    expect(decodeSetting("plan", stored)).toEqual({
      package: {
        name: "EU Domestic",
        destinations: ["DE"],
        numberCountries: ["DE"],
        fupMinutesPerUser: FAIR_USE_MINUTES_DEFAULT,
      },
      allowances: { conversationIntelligenceMinutes: 0, voiceAgentMinutes: 0 },
      serviceBilling: {
        stt: "credit",
        "conversation-intelligence": "credit",
        "ai-voice-agents": "credit",
      },
    });
  });

  it.each([
    ["alert_state", '"low"', "low"],
    ["low_balance_level", "5000000", 5_000_000],
    [
      "cards_to_detach",
      '[{"paymentMethodRef":"pm_1","attempts":0,"atMs":1}]',
      [{ paymentMethodRef: "pm_1", attempts: 0, atMs: 1 }],
    ],
  ] as const)("%s is its JSON", (key, raw, value) => {
    expect(decodeSetting(key, raw)).toEqual(value);
  });

  it("a value read is frozen to its depth: every read shares it until the next write", () => {
    const queue = decodeSetting(
      "cards_to_detach",
      '[{"paymentMethodRef":"pm_1","attempts":0,"atMs":1}]',
    );
    expect(() => queue.push({ paymentMethodRef: "pm_2", attempts: 0, atMs: 2 })).toThrow(TypeError);
    expect(() => {
      (queue[0] as { attempts: number }).attempts = 1;
    }).toThrow(TypeError);
  });
});
