import { describe, expect, it } from "vitest";
import {
  CSV_COLUMNS,
  CSV_HEADER,
  movementToCsvRow,
  textField,
  valuePerUnitMicros,
} from "../../src/exports/csv";
import { formatLocalDateTime } from "../../src/time-zone";
import { callMovement, parseCsv } from "./helpers";

describe("CSV header", () => {
  it("is the seed's seven columns in order, then the extra ones, ending in CRLF", () => {
    expect(CSV_HEADER).toBe(
      "Date & Time,Interaction ID,Description,Units,Units charged,Value per unit,Credit movement,Balance after,User,Reason\r\n",
    );
    expect(CSV_COLUMNS.slice(0, 7)).toEqual([
      "Date & Time",
      "Interaction ID",
      "Description",
      "Units",
      "Units charged",
      "Value per unit",
      "Credit movement",
    ]);
  });
});

describe("movementToCsvRow", () => {
  it("writes a call as seconds with its per-second value and exact charge", () => {
    const row = movementToCsvRow(
      callMovement({ interactionId: "c-1", amountMicros: -24_600, balanceAfterMicros: 9_975_400 }),
      "Europe/Prague",
    );
    expect(row).toBe(
      "2026-11-22 14:03:05 +01:00,c-1,call,seconds,120,0.000205,-0.0246,9.9754,user-1,\r\n",
    );
  });

  it("keeps a charge a bare negative number and a top-up a positive one", () => {
    const charge = parseCsv(movementToCsvRow(callMovement({ amountMicros: -120_000 }), "UTC"))[0]!;
    expect(charge[6]).toBe("-0.12");
    const topUp = movementToCsvRow(
      callMovement({
        description: "top-up",
        interactionId: "tu_1",
        units: null,
        unitsCharged: null,
        unitPriceMicros: null,
        amountMicros: 25_000_000,
        balanceAfterMicros: 35_000_000,
        userId: null,
      }),
      "UTC",
    );
    expect(topUp).toBe("2026-11-22 13:03:05 +00:00,tu_1,top-up,,,,25.00,35.00,,\r\n");
  });

  it("does not guard a negative balance after, which is a number too", () => {
    const row = parseCsv(
      movementToCsvRow(callMovement({ balanceAfterMicros: -500_000 }), "UTC"),
    )[0]!;
    expect(row[7]).toBe("-0.50");
  });

  it.each([
    ["comma", "a,b", '"a,b"', "a,b"],
    ["quote", 'say "hi"', '"say ""hi"""', 'say "hi"'],
    ["newline", "line1\nline2", '"line1\nline2"', "line1\nline2"],
    ["CRLF", "line1\r\nline2", '"line1\r\nline2"', "line1\r\nline2"],
    [
      "unicode",
      "hovor-Příliš-žluťoučký-😀",
      "hovor-Příliš-žluťoučký-😀",
      "hovor-Příliš-žluťoučký-😀",
    ],
    ["leading =", '=HYPERLINK("x")', '"\'=HYPERLINK(""x"")"', '\'=HYPERLINK("x")'],
    ["leading +", "+420123", "'+420123", "'+420123"],
    ["leading -", "-2+3", "'-2+3", "'-2+3"],
    ["leading @", "@SUM(A1)", "'@SUM(A1)", "'@SUM(A1)"],
    ["leading tab", "\t=1", "'\t=1", "'\t=1"],
    ["= in the middle", "a=b", "a=b", "a=b"],
  ])("quotes an interaction id with a %s", (_name, interactionId, written, read) => {
    const row = movementToCsvRow(callMovement({ interactionId }), "UTC");
    expect(row.split(",").slice(1).join(",").startsWith(written)).toBe(true);
    const records = parseCsv(CSV_HEADER + row);
    expect(records).toHaveLength(2);
    expect(records[1]).toHaveLength(CSV_COLUMNS.length);
    expect(records[1]![1]).toBe(read);
  });

  it("guards and quotes the user and reason columns like any text", () => {
    const row = parseCsv(
      movementToCsvRow(
        callMovement({ userId: "=cmd|' /C calc'!A0", reason: 'goodwill, per "ticket" 42' }),
        "UTC",
      ),
    )[0]!;
    expect(row[8]).toBe("'=cmd|' /C calc'!A0");
    expect(row[9]).toBe('goodwill, per "ticket" 42');
  });

  it("writes an empty field for null and an empty string alike", () => {
    expect(textField(null)).toBe("");
    expect(textField("")).toBe("");
  });
});

describe("valuePerUnitMicros", () => {
  it.each([
    ["a per-minute rate that divides into seconds", 12_300, "seconds", 205],
    ["0.01/min, 166.67 micros/s, rounded up", 10_000, "seconds", 167],
    ["exactly half a micro rounds up", 30, "seconds", 1],
    ["just under half a micro rounds down", 29, "seconds", 0],
    ["a message fragment as priced", 50_000, "fragments", 50_000],
    ["an AI minute as priced", 100_000, "minutes", 100_000],
  ] as const)("%s", (_name, ratedMicros, units, expected) => {
    expect(valuePerUnitMicros(ratedMicros, units)).toBe(expected);
  });
});

describe("formatLocalDateTime", () => {
  const at = Date.UTC(2026, 10, 22, 13, 3, 5, 999);

  it.each([
    ["UTC", "2026-11-22 13:03:05 +00:00"],
    ["Europe/Prague", "2026-11-22 14:03:05 +01:00"],
    ["America/New_York", "2026-11-22 08:03:05 -05:00"],
    ["Asia/Kolkata", "2026-11-22 18:33:05 +05:30"],
    ["Asia/Kathmandu", "2026-11-22 18:48:05 +05:45"],
    ["America/St_Johns", "2026-11-22 09:33:05 -03:30"],
    ["Pacific/Auckland", "2026-11-23 02:03:05 +13:00"],
  ])("shows %s wall time with its offset, milliseconds dropped", (zone, expected) => {
    expect(formatLocalDateTime(at, zone)).toBe(expected);
  });

  it("tells the repeated hour of a fall-back apart by its offset", () => {
    expect(formatLocalDateTime(Date.UTC(2026, 9, 25, 0, 30), "Europe/Prague")).toBe(
      "2026-10-25 02:30:00 +02:00",
    );
    expect(formatLocalDateTime(Date.UTC(2026, 9, 25, 1, 30), "Europe/Prague")).toBe(
      "2026-10-25 02:30:00 +01:00",
    );
  });

  it("agrees with ICU's own offset minute by minute across DST changes", () => {
    const zones = [
      "Europe/Prague",
      "America/New_York",
      "Australia/Lord_Howe",
      "America/Santiago",
      "Asia/Kolkata",
    ];
    const reference = (atMs: number, timeZone: string) => {
      const parts = new Intl.DateTimeFormat("en-CA", {
        timeZone,
        year: "numeric",
        month: "2-digit",
        day: "2-digit",
        hour: "2-digit",
        minute: "2-digit",
        second: "2-digit",
        hourCycle: "h23",
        timeZoneName: "longOffset",
      }).formatToParts(atMs);
      const get = (type: string) => parts.find((part) => part.type === type)!.value;
      const offset = get("timeZoneName").replace("GMT", "") || "+00:00";
      return `${get("year")}-${get("month")}-${get("day")} ${get("hour")}:${get("minute")}:${get("second")} ${offset}`;
    };
    const ranges = [
      [Date.UTC(2026, 2, 28, 12), Date.UTC(2026, 2, 30)],
      [Date.UTC(2026, 9, 24, 12), Date.UTC(2026, 9, 26)],
      [Date.UTC(2026, 10, 1), Date.UTC(2026, 10, 2, 12)],
      [Date.UTC(2026, 3, 4, 12), Date.UTC(2026, 3, 5, 18)],
      [Date.UTC(2026, 8, 5, 12), Date.UTC(2026, 8, 7)],
    ];
    for (const zone of zones) {
      for (const [fromMs, toMs] of ranges) {
        for (let atMs = fromMs!; atMs < toMs!; atMs += 7 * 60_000 + 13_000) {
          expect(formatLocalDateTime(atMs, zone), `${zone} ${new Date(atMs).toISOString()}`).toBe(
            reference(atMs, zone),
          );
        }
      }
    }
  });
});
