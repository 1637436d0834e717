import { describe, expect, it } from "vitest";
import { CALL_DECK_ROWS_MAX, CallDeck, parseCallDeck } from "../../src/rating/call-deck";
import { DECK_ERRORS_REPORTED_MAX } from "../../src/rating/csv";

function deckOf(csv: string): CallDeck {
  const result = parseCallDeck(csv);
  if (!result.ok) throw new Error(JSON.stringify(result.errors));
  return result.deck;
}

describe("parseCallDeck", () => {
  it("reads rows with and without increments, defaulting to 60/60, header optional", () => {
    const csv =
      "prefix,destination,rate_per_minute,initial_increment,subsequent_increment\n49,Germany,0.012\n4915,Germany mobile,0.035,30,6\r\n";
    const deck = deckOf(csv);
    expect(deck.size).toBe(2);
    expect(deck.lookup("4930123456")).toEqual({
      prefix: "49",
      destination: "Germany",
      ratePerMinuteMicros: 12_000,
      initialSeconds: 60,
      subsequentSeconds: 60,
    });
    expect(deck.lookup("4915123456789")).toEqual({
      prefix: "4915",
      destination: "Germany mobile",
      ratePerMinuteMicros: 35_000,
      initialSeconds: 30,
      subsequentSeconds: 6,
    });
    expect(deckOf("49,Germany,0.012\n").size).toBe(1);
  });

  it("accepts quoted destinations with commas, blank lines and a BOM", () => {
    const deck = deckOf('\uFEFF82,"Korea, Republic of",0.025\n\n  \n850,"North ""DPRK""",1.5\n');
    expect(deck.lookup("8210")?.destination).toBe("Korea, Republic of");
    expect(deck.lookup("8501")?.destination).toBe('North "DPRK"');
  });

  it.each<[string, string, { line: number; field: string }]>([
    ["+49,Germany,0.01", "a plus sign", { line: 1, field: "prefix" }],
    ["49a,Germany,0.01", "a letter", { line: 1, field: "prefix" }],
    ["1234567890123456,Too long,0.01", "16 digits", { line: 1, field: "prefix" }],
    [",Empty,0.01", "no prefix", { line: 1, field: "prefix" }],
    ["49,,0.01", "no destination", { line: 1, field: "destination" }],
    ["49,Germany,abc", "not a decimal", { line: 1, field: "rate_per_minute" }],
    ["49,Germany,0.0000001", "7 decimals", { line: 1, field: "rate_per_minute" }],
    ["49,Germany,-0.01", "negative", { line: 1, field: "rate_per_minute" }],
    ["49,Germany,1e-3", "exponent", { line: 1, field: "rate_per_minute" }],
    ["49,Germany,0.01,0,60", "zero initial", { line: 1, field: "initial_increment" }],
    ["49,Germany,0.01,60,3601", "over an hour", { line: 1, field: "subsequent_increment" }],
    ["49,Germany,0.01,1.5,1", "fractional", { line: 1, field: "initial_increment" }],
    ["49,Germany,0.01,60", "four fields", { line: 1, field: "line" }],
    ["49,Germany", "two fields", { line: 1, field: "line" }],
    ['49,"Germany,0.01', "an open quote", { line: 1, field: "line" }],
  ])("%j is rejected (%s)", (csv, _why, where) => {
    const result = parseCallDeck(csv);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.errors[0]).toMatchObject(where);
  });

  it("names every bad line and field, counting blank lines, and returns no deck", () => {
    const csv = [
      "prefix,destination,rate_per_minute",
      "49,Germany,0.012",
      "",
      "4915,Germany mobile,x",
      "44,UK,0.01,0,0",
      "49,Germany again,0.01",
    ].join("\n");
    const result = parseCallDeck(csv);
    expect(result).toEqual({
      ok: false,
      errorCount: 4,
      errors: [
        { line: 4, field: "rate_per_minute", message: 'must be a non-negative decimal, got "x"' },
        { line: 5, field: "initial_increment", message: 'must be whole seconds 1-3600, got "0"' },
        {
          line: 5,
          field: "subsequent_increment",
          message: 'must be whole seconds 1-3600, got "0"',
        },
        { line: 6, field: "prefix", message: "duplicate prefix 49, first on line 2" },
      ],
    });
  });

  it("rejects an empty deck and a header alone", () => {
    expect(parseCallDeck("")).toMatchObject({ ok: false, errors: [{ line: 1, field: "file" }] });
    expect(parseCallDeck("prefix,destination,rate_per_minute\n")).toMatchObject({
      ok: false,
      errors: [{ line: 1, field: "file" }],
    });
  });

  it("lists at most DECK_ERRORS_REPORTED_MAX errors but counts them all", () => {
    const csv = Array.from({ length: 120 }, (_, i) => `x${i},Bad,0.01`).join("\n");
    const result = parseCallDeck(csv);
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.errors).toHaveLength(DECK_ERRORS_REPORTED_MAX);
      expect(result.errorCount).toBe(120);
    }
  });

  it("refuses a file with more rows than CALL_DECK_ROWS_MAX without validating each", () => {
    const csv = "1,X,0.01\n".repeat(CALL_DECK_ROWS_MAX + 2);
    expect(parseCallDeck(csv)).toMatchObject({
      ok: false,
      errorCount: 1,
      errors: [{ field: "file" }],
    });
  });
});

describe("CallDeck.lookup", () => {
  const deck = deckOf(
    [
      "1,USA,0.008",
      "1800,USA toll-free,0",
      "44,UK,0.01",
      "447,UK mobile,0.02",
      "4475,UK mobile 75,0.03",
      "44751234,UK special block,0.5",
    ].join("\n"),
  );

  it.each([
    ["12025550123", "1"],
    ["18002345678", "1800"],
    ["442079460000", "44"],
    ["447400123456", "447"],
    ["447599999999", "4475"],
    ["447512345000", "44751234"],
    ["4475", "4475"],
    ["447", "447"],
  ])("%s matches prefix %s", (digits, prefix) => {
    expect(deck.lookup(digits)?.prefix).toBe(prefix);
  });

  it.each(["4930123456", "", "33"])("%j has no rate", (digits) => {
    expect(deck.lookup(digits)).toBeUndefined();
  });

  it("round-trips through its plain JSON form", () => {
    const data = JSON.parse(JSON.stringify(deck.toData()));
    const rebuilt = CallDeck.fromData(data);
    expect(rebuilt.size).toBe(deck.size);
    expect(rebuilt.lookup("447512345678")).toEqual(deck.lookup("447512345678"));
    expect(rebuilt.toData()).toEqual(deck.toData());
  });

  it("parses, rebuilds and looks up a 50 000-prefix deck quickly", () => {
    const lines: string[] = [];
    for (let i = 0; i < 50_000; i++)
      lines.push(
        `${100 + (i % 900)}${String(i).padStart(5, "0")},Dest ${i % 300},0.0${(i % 90) + 10},1,1`,
      );
    let started = performance.now();
    const deck = deckOf(lines.join("\n"));
    const parseMs = performance.now() - started;
    started = performance.now();
    const rebuilt = CallDeck.fromData(deck.toData());
    const rebuildMs = performance.now() - started;
    started = performance.now();
    let found = 0;
    for (let i = 0; i < 100_000; i++) {
      const row = i % 50_000;
      if (
        rebuilt.lookup(`${100 + (row % 900)}${String(row).padStart(5, "0")}1234`)?.destination ===
        `Dest ${row % 300}`
      )
        found++;
    }
    const lookupMs = performance.now() - started;
    expect(deck.size).toBe(50_000);
    expect(found).toBe(100_000);
    // Generous bounds: these catch an accidental O(n) lookup, not a slow machine.
    expect(parseMs).toBeLessThan(5_000);
    expect(rebuildMs).toBeLessThan(1_000);
    expect(lookupMs).toBeLessThan(1_000);
  });
});
