import { describe, expect, it } from "vitest";
import {
  decideMessage,
  decideUsage,
  type MessageInput,
  type UsageInput,
} from "../../src/rating/decide";
import { planSchema } from "../../src/rating/plan";
import { EUR, euPlan, money, N, sampleMessageDeck, sampleServiceRates } from "./fixtures";

describe("decideMessage", () => {
  const base = {
    messageDeck: sampleMessageDeck,
    messageDeckVersion: "sample-1",
    money: money(10 * EUR),
  };

  it.each<[string, Partial<MessageInput> & Pick<MessageInput, "request">, Record<string, unknown>]>(
    [
      [
        "an SMS to Germany, 2 fragments",
        { request: { channel: "sms", to: N.deMobile, fragments: 2 } },
        {
          allowed: true,
          chargeReason: "message",
          country: "DE",
          priceCountry: "DE",
          pricePerFragmentMicros: 75_000,
          amountMicros: 150_000,
          deckVersion: "sample-1",
        },
      ],
      [
        "a WhatsApp message to the UK",
        { request: { channel: "whatsapp", to: N.gbMobile, fragments: 1 } },
        { allowed: true, country: "GB", pricePerFragmentMicros: 50_000, amountMicros: 50_000 },
      ],
      [
        "an MMS to the US",
        { request: { channel: "mms", to: N.usFixed, fragments: 3 } },
        { allowed: true, country: "US", pricePerFragmentMicros: 20_000, amountMicros: 60_000 },
      ],
      [
        "an SMS to a country priced by the `*` row",
        { request: { channel: "sms", to: N.cnMobile, fragments: 1 } },
        {
          allowed: true,
          country: "CN",
          priceCountry: "*",
          pricePerFragmentMicros: 120_000,
          amountMicros: 120_000,
        },
      ],
      [
        "an SMS at the last cent: charged (the bounded overdraft)",
        { request: { channel: "sms", to: N.deMobile, fragments: 1 }, money: money(10_000) },
        { allowed: true, amountMicros: 75_000 },
      ],
      [
        "at zero credit (HTTP 402)",
        { request: { channel: "sms", to: N.deMobile, fragments: 1 }, money: money(0) },
        { allowed: false, reason: "credit_exhausted" },
      ],
      [
        "with all credit reserved by calls",
        {
          request: { channel: "sms", to: N.deMobile, fragments: 1 },
          money: money(1 * EUR, 1 * EUR),
        },
        { allowed: false, reason: "credit_exhausted" },
      ],
      [
        "to a short code: no country, no price",
        { request: { channel: "sms", to: N.shortCode, fragments: 1 } },
        { allowed: false, reason: "no_rate_for_destination" },
      ],
      [
        "with no message deck",
        { request: { channel: "sms", to: N.deMobile, fragments: 1 }, messageDeck: null },
        { allowed: false, reason: "no_rate_for_destination" },
      ],
    ],
  )("%s", (_case, input, expected) => {
    expect(decideMessage({ ...base, ...input })).toMatchObject(expected);
  });

  it.each([0, -1, 1.5, 256])(
    "%d fragments is a programmer error (the HTTP schema refuses it first)",
    (fragments) => {
      expect(() =>
        decideMessage({ ...base, request: { channel: "sms", to: N.deMobile, fragments } }),
      ).toThrow(RangeError);
    },
  );
});

describe("decideUsage", () => {
  const base = {
    plan: euPlan,
    allowanceUsedMinutes: 0,
    serviceRates: sampleServiceRates,
    serviceRatesVersion: "sample-1",
    money: money(10 * EUR),
  };
  const noAllowances = planSchema.parse({
    package: { name: "Bare", destinations: [], numberCountries: [] },
  });

  it.each<[string, Partial<UsageInput> & Pick<UsageInput, "request">, Record<string, unknown>]>([
    [
      "speech-to-text is always charged, in full minutes",
      { request: { service: "stt", seconds: 61 } },
      {
        allowed: true,
        billedMinutes: 2,
        includedMinutes: 0,
        chargedMinutes: 2,
        ratePerMinuteMicros: 20_000,
        amountMicros: 40_000,
        chargeReason: "speech_to_text",
      },
    ],
    [
      "Conversation Intelligence within the allowance is free",
      { request: { service: "conversation-intelligence", seconds: 150 } },
      { allowed: true, billedMinutes: 3, includedMinutes: 3, chargedMinutes: 0, amountMicros: 0 },
    ],
    [
      "Conversation Intelligence above the allowance is split",
      { request: { service: "conversation-intelligence", seconds: 150 }, allowanceUsedMinutes: 99 },
      {
        allowed: true,
        billedMinutes: 3,
        includedMinutes: 1,
        chargedMinutes: 2,
        amountMicros: 60_000,
        chargeReason: "allowance_exceeded",
      },
    ],
    [
      "voice agents within the prepaid package are free",
      { request: { service: "ai-voice-agents", seconds: 600 }, allowanceUsedMinutes: 40 },
      { allowed: true, includedMinutes: 10, chargedMinutes: 0, amountMicros: 0 },
    ],
    [
      "voice agents beyond the package are charged",
      { request: { service: "ai-voice-agents", seconds: 600 }, allowanceUsedMinutes: 50 },
      {
        allowed: true,
        includedMinutes: 0,
        chargedMinutes: 10,
        amountMicros: 1 * EUR,
        chargeReason: "allowance_exceeded",
      },
    ],
    [
      "voice agents with no allowance in the plan",
      { request: { service: "ai-voice-agents", seconds: 60 }, plan: noAllowances },
      { allowed: true, chargedMinutes: 1, amountMicros: 100_000, chargeReason: "no_allowance" },
    ],
    [
      "voice agents with no plan",
      { request: { service: "ai-voice-agents", seconds: 60 }, plan: null },
      { allowed: true, chargedMinutes: 1, amountMicros: 100_000, chargeReason: "no_allowance" },
    ],
    [
      "usage within the allowance is recorded at zero credit",
      { request: { service: "conversation-intelligence", seconds: 60 }, money: money(0) },
      { allowed: true, includedMinutes: 1, chargedMinutes: 0, amountMicros: 0 },
    ],
    [
      "charged usage is refused at zero credit",
      { request: { service: "stt", seconds: 60 }, money: money(0) },
      { allowed: false, reason: "credit_exhausted", chargedMinutes: 1 },
    ],
    [
      "charged usage is refused without service rates",
      { request: { service: "stt", seconds: 60 }, serviceRates: null },
      { allowed: false, reason: "no_rate_for_service" },
    ],
    [
      "zero seconds costs nothing",
      { request: { service: "stt", seconds: 0 }, money: money(0) },
      { allowed: true, billedMinutes: 0, amountMicros: 0 },
    ],
  ])("%s", (_case, input, expected) => {
    expect(decideUsage({ ...base, ...input })).toMatchObject(expected);
  });
});
