import { describe, expect, it } from "vitest";
import {
  classifyNumber,
  isRatingCountry,
  isSpecialRated,
  type NumberType,
} from "../../src/rating/classify";

describe("classifyNumber", () => {
  it.each<[string, string | undefined, NumberType]>([
    ["+4930123456", "DE", "fixed"],
    ["+4915123456789", "DE", "mobile"],
    ["+498001234567", "DE", "toll-free"],
    ["+499001234567", "DE", "premium-rate"],
    ["+4918012345678", "DE", "shared-cost"],
    ["+4970012345678", "DE", "personal"],
    ["+4932123456789", "DE", "fixed"],
    ["+442079460000", "GB", "fixed"],
    ["+447400123456", "GB", "mobile"],
    ["+448001234567", "GB", "toll-free"],
    ["+449098790000", "GB", "premium-rate"],
    ["+443001234567", "GB", "uan"],
    ["+447012345678", "GB", "personal"],
    ["+445612345678", "GB", "voip"],
    ["+18002345678", "US", "toll-free"],
    ["+19002345678", "US", "premium-rate"],
    // NANP ranges do not tell fixed from mobile; both rate as fixed.
    ["+12025550123", "US", "fixed"],
    ["+16135550123", "CA", "fixed"],
    ["+33123456789", "FR", "fixed"],
    ["+33612345678", "FR", "mobile"],
    ["+33891234567", "FR", "premium-rate"],
    ["+33970123456", "FR", "voip"],
    ["+34612345678", "ES", "mobile"],
    ["+34901123456", "ES", "shared-cost"],
    ["+39800123456", "IT", "toll-free"],
    ["+39899123456", "IT", "premium-rate"],
    ["+31612345678", "NL", "mobile"],
    ["+31900123456", "NL", "premium-rate"],
    ["+420601123456", "CZ", "mobile"],
    ["+420900123456", "CZ", "premium-rate"],
    ["+421901123456", "SK", "mobile"],
    ["+421800123456", "SK", "toll-free"],
    ["+48512345678", "PL", "mobile"],
    ["+48701234567", "PL", "premium-rate"],
  ])("%s is %s %s", (number, country, type) => {
    expect(classifyNumber(number)).toEqual({ digits: number.slice(1), country, type });
  });

  it.each([
    ["112", undefined],
    ["garbage", undefined],
    ["", undefined],
    // National and spaced formats are not E.164: the switch must normalise.
    ["4930123456", undefined],
    ["+49 30 123456", undefined],
    ["+0123456", undefined],
    ["+4930123456789012", undefined],
  ])("%j is special with no digits", (number) => {
    expect(classifyNumber(number)).toEqual({ type: "special" });
  });

  it("an E.164-shaped number in no allocated range is special but keeps its digits and country", () => {
    expect(classifyNumber("+4930")).toEqual({ digits: "4930", country: "DE", type: "special" });
    expect(classifyNumber("+15551234567")).toEqual({ digits: "15551234567", type: "special" });
    expect(classifyNumber("+112")).toEqual({ digits: "112", type: "special" });
  });
});

describe("isSpecialRated", () => {
  it.each<[NumberType, boolean]>([
    ["premium-rate", true],
    ["shared-cost", true],
    ["uan", true],
    ["personal", true],
    ["special", true],
    ["toll-free", false],
    ["voip", false],
    ["mobile", false],
    ["fixed", false],
  ])("%s → %s", (type, special) => {
    expect(isSpecialRated(type)).toBe(special);
  });
});

describe("isRatingCountry", () => {
  it.each([
    ["DE", true],
    ["GB", true],
    ["XK", true],
    ["UK", false],
    ["EU", false],
    ["de", false],
    ["DEU", false],
    ["", false],
  ])("%s → %s", (code, ok) => {
    expect(isRatingCountry(code)).toBe(ok);
  });
});
