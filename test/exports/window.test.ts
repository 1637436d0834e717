import { describe, expect, it } from "vitest";
import { EXPORT_PAST_DAYS } from "../../src/exports/limits";
import { describeExportPeriod, exportWindow, isInExportWindow } from "../../src/exports/window";
import { startOfLocalDayMs } from "../../src/time-zone";

describe("exportWindow", () => {
  it("covers today and the 30 local days before it, ending at the request", () => {
    const nowMs = Date.UTC(2026, 10, 22, 13, 3, 5);
    const window = exportWindow(nowMs, "Europe/Prague");
    expect(EXPORT_PAST_DAYS).toBe(30);
    expect(describeExportPeriod(window)).toBe("2026-10-23 to 2026-11-22");
    expect(window.periodEndMs).toBe(nowMs);
  });

  it("starts at local midnight with that day's offset, not today's (Prague, across the October change)", () => {
    const window = exportWindow(Date.UTC(2026, 10, 22, 13, 3, 5), "Europe/Prague");
    // 2026-10-23 00:00 is still summer time (+02:00); today is +01:00.
    expect(window.periodStartMs).toBe(Date.UTC(2026, 9, 22, 22, 0, 0));
    const lastSecondOfDay31 = Date.UTC(2026, 9, 22, 21, 59, 59);
    const firstSecondOfDay30 = Date.UTC(2026, 9, 22, 22, 0, 0);
    expect(isInExportWindow(lastSecondOfDay31, window)).toBe(false);
    expect(isInExportWindow(lastSecondOfDay31 + 999, window)).toBe(false);
    expect(isInExportWindow(firstSecondOfDay30, window)).toBe(true);
    expect(isInExportWindow(window.periodEndMs, window)).toBe(true);
    expect(isInExportWindow(window.periodEndMs + 1, window)).toBe(false);
  });

  it("handles New York across the November change", () => {
    const window = exportWindow(Date.UTC(2026, 10, 22, 15), "America/New_York");
    expect(describeExportPeriod(window)).toBe("2026-10-23 to 2026-11-22");
    expect(window.periodStartMs).toBe(Date.UTC(2026, 9, 23, 4)); // 00:00 EDT
    expect(isInExportWindow(Date.UTC(2026, 9, 23, 3, 59, 59), window)).toBe(false);
  });

  it("handles New York across the March change", () => {
    const window = exportWindow(Date.UTC(2026, 3, 5, 12), "America/New_York");
    expect(describeExportPeriod(window)).toBe("2026-03-06 to 2026-04-05");
    expect(window.periodStartMs).toBe(Date.UTC(2026, 2, 6, 5)); // 00:00 EST
  });

  it("handles Prague across the March change", () => {
    const window = exportWindow(Date.UTC(2026, 3, 20, 10), "Europe/Prague");
    expect(describeExportPeriod(window)).toBe("2026-03-21 to 2026-04-20");
    expect(window.periodStartMs).toBe(Date.UTC(2026, 2, 20, 23)); // 00:00 CET
  });

  it("takes today from the account's zone, not from UTC", () => {
    // 11:30 UTC is already 00:30 tomorrow in Auckland, and 23:00 yesterday in Los Angeles.
    const auckland = exportWindow(Date.UTC(2026, 10, 22, 11, 30), "Pacific/Auckland");
    expect(describeExportPeriod(auckland)).toBe("2026-10-24 to 2026-11-23");
    expect(auckland.periodStartMs).toBe(Date.UTC(2026, 9, 23, 11)); // 00:00 NZDT
    const losAngeles = exportWindow(Date.UTC(2026, 10, 22, 7), "America/Los_Angeles");
    expect(describeExportPeriod(losAngeles)).toBe("2026-10-22 to 2026-11-21");
    expect(losAngeles.periodStartMs).toBe(Date.UTC(2026, 9, 22, 7)); // 00:00 PDT
  });

  it("crosses a year end", () => {
    const window = exportWindow(Date.UTC(2027, 0, 10, 12), "UTC");
    expect(describeExportPeriod(window)).toBe("2026-12-11 to 2027-01-10");
    expect(window.periodStartMs).toBe(Date.UTC(2026, 11, 11));
  });
});

describe("startOfLocalDayMs", () => {
  it("is local midnight on an ordinary day", () => {
    expect(startOfLocalDayMs({ year: 2026, month: 7, day: 1 }, "Europe/Prague")).toBe(
      Date.UTC(2026, 5, 30, 22),
    );
  });

  it("is local midnight on both DST change days of Prague (changes at 02:00/03:00)", () => {
    expect(startOfLocalDayMs({ year: 2026, month: 3, day: 29 }, "Europe/Prague")).toBe(
      Date.UTC(2026, 2, 28, 23),
    );
    expect(startOfLocalDayMs({ year: 2026, month: 10, day: 25 }, "Europe/Prague")).toBe(
      Date.UTC(2026, 9, 24, 22),
    );
    expect(startOfLocalDayMs({ year: 2026, month: 10, day: 26 }, "Europe/Prague")).toBe(
      Date.UTC(2026, 9, 25, 23),
    );
  });

  it("is the transition when the clocks skip midnight (Havana, Santiago)", () => {
    // Cuba and Chile spring forward at 00:00: those days begin at 01:00.
    expect(startOfLocalDayMs({ year: 2026, month: 3, day: 8 }, "America/Havana")).toBe(
      Date.UTC(2026, 2, 8, 5),
    );
    expect(startOfLocalDayMs({ year: 2026, month: 9, day: 6 }, "America/Santiago")).toBe(
      Date.UTC(2026, 8, 6, 4),
    );
  });

  it("is the first of two midnights when the clocks fall back to midnight (Havana)", () => {
    // Cuba falls back from 01:00 to 00:00, so 2026-11-01 00:00 happens at 04:00Z and 05:00Z.
    expect(startOfLocalDayMs({ year: 2026, month: 11, day: 1 }, "America/Havana")).toBe(
      Date.UTC(2026, 10, 1, 4),
    );
  });
});
