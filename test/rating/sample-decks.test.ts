import { describe, expect, it } from "vitest";
import { classifyNumber } from "../../src/rating/classify";
import { parseCallDeck } from "../../src/rating/call-deck";
import { parseMessageDeck } from "../../src/rating/message-deck";
import { SAMPLE_CALL_DECK_CSV, SAMPLE_MESSAGE_DECK_CSV } from "../../src/rating/sample-decks";
import { N, sampleCallDeck } from "./fixtures";

describe("sample decks", () => {
  it("parse cleanly at a realistic size", () => {
    const calls = parseCallDeck(SAMPLE_CALL_DECK_CSV);
    const messages = parseMessageDeck(SAMPLE_MESSAGE_DECK_CSV);
    expect(calls.ok && calls.deck.size).toBeGreaterThanOrEqual(300);
    expect(messages.ok && messages.deck.size).toBeGreaterThanOrEqual(90);
  });

  it.each([
    [N.deFixedBerlin, "Germany fixed Berlin"],
    [N.deMobile, "Germany mobile"],
    [N.deTollFree, "Germany toll-free"],
    [N.dePremium, "Germany premium-rate"],
    [N.gbPremium, "United Kingdom premium-rate adult"],
    ["+448001234567", "United Kingdom toll-free"],
    [N.usTollFree, "United States toll-free"],
    [N.usPremium, "United States premium-rate"],
    ["+16135550123", "Canada"],
    ["+33891234567", "France premium-rate"],
    ["+34803123456", "Spain premium-rate"],
    ["+39899123456", "Italy premium-rate"],
    ["+31900123456", "Netherlands premium-rate"],
    ["+420900123456", "Czechia premium-rate"],
    ["+421900123456", "Slovakia premium-rate"],
    ["+48701234567", "Poland premium-rate"],
    ["+48512345678", "Poland mobile"],
    ["+48221234567", "Poland fixed"],
    ["+61412345678", "Australia mobile"],
  ])("prices %s as %s", (number, destination) => {
    const digits = classifyNumber(number).digits;
    expect(digits && sampleCallDeck.lookup(digits)?.destination).toBe(destination);
  });
});
