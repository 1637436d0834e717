import { describe, expect, it } from "vitest";
import { MessageDeck, parseMessageDeck } from "../../src/rating/message-deck";

describe("parseMessageDeck", () => {
  const csv =
    "country,channel,price_per_fragment\nDE,sms,0.075\nde,whatsapp,0.12\nGB,SMS,0.04\n*,sms,0.12\n";

  it("reads rows, normalising case, with a header", () => {
    const result = parseMessageDeck(csv);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.deck.size).toBe(4);
    expect(result.deck.lookup("DE", "sms")).toEqual({
      country: "DE",
      channel: "sms",
      pricePerFragmentMicros: 75_000,
    });
    expect(result.deck.lookup("DE", "whatsapp")?.pricePerFragmentMicros).toBe(120_000);
    expect(result.deck.lookup("GB", "sms")?.pricePerFragmentMicros).toBe(40_000);
  });

  it("falls back to the `*` row for a listed channel, never for an unknown country", () => {
    const result = parseMessageDeck(csv);
    if (!result.ok) throw new Error("deck should parse");
    expect(result.deck.lookup("FR", "sms")).toEqual({
      country: "*",
      channel: "sms",
      pricePerFragmentMicros: 120_000,
    });
    expect(result.deck.lookup("FR", "mms")).toBeUndefined();
    expect(result.deck.lookup(undefined, "sms")).toBeUndefined();
  });

  it("round-trips through its plain JSON form", () => {
    const result = parseMessageDeck(csv);
    if (!result.ok) throw new Error("deck should parse");
    const rebuilt = MessageDeck.fromData(JSON.parse(JSON.stringify(result.deck.toData())));
    expect(rebuilt.toData()).toEqual(result.deck.toData());
  });

  it.each<[string, { line: number; field: string }]>([
    ["UK,sms,0.04", { line: 1, field: "country" }],
    ["DEU,sms,0.04", { line: 1, field: "country" }],
    ["DE,fax,0.04", { line: 1, field: "channel" }],
    ["DE,sms,free", { line: 1, field: "price_per_fragment" }],
    ["DE,sms,0.1234567", { line: 1, field: "price_per_fragment" }],
    ["DE,sms,-0.01", { line: 1, field: "price_per_fragment" }],
    ["DE,sms", { line: 1, field: "line" }],
    ["DE,sms,0.07\n\nDE,SMS,0.08", { line: 3, field: "country" }],
    ["", { line: 1, field: "file" }],
  ])("%j is rejected at %j", (text, where) => {
    const result = parseMessageDeck(text);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.errors[0]).toMatchObject(where);
  });

  it("reports every bad row with its line", () => {
    const result = parseMessageDeck(
      "country,channel,price_per_fragment\nXX,sms,0.1\nDE,pigeon,x\n",
    );
    expect(result.ok).toBe(false);
    if (!result.ok)
      expect(result.errors.map((e) => [e.line, e.field])).toEqual([
        [2, "country"],
        [3, "channel"],
        [3, "price_per_fragment"],
      ]);
  });
});
