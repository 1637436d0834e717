import { describe, expect, it } from "vitest";
import { exportWindow } from "../../src/exports/window";
import { newAccount } from "../helpers";
import {
  craftExportJob,
  creditColumnSumMicros,
  deliver,
  download,
  EXPORT_QUEUE,
  exportStatus,
  linkInEmail,
  message,
  seedD1Movements,
  waitForEmails,
} from "./flow-helpers";

// A request on the day Prague moves to summer time: the window starts in winter time
// (+01:00) and ends in summer time (+02:00), and the job fixes both ends at the request.
const REQUEST_MS = Date.UTC(2026, 2, 29, 12, 0, 0);
const ZONE = "Europe/Prague";

async function exportOf(
  accountId: string,
  job: { periodStartMs: number; periodEndMs: number; throughSeq: number },
) {
  const exportId = await craftExportJob(accountId, job);
  const result = await deliver(EXPORT_QUEUE, message(accountId, exportId));
  expect(result.explicitAcks).toEqual([result.messageId]);
  const [email] = await waitForEmails(accountId, /export is ready/);
  return { exportId, email: email!, file: await download(linkInEmail(email!)) };
}

describe("the export's period", () => {
  it("is today and the 30 local days before, both ends included, and nothing outside or after the pin", async () => {
    const window = exportWindow(REQUEST_MS, ZONE);
    expect(window.periodStartMs).toBe(Date.UTC(2026, 1, 26, 23, 0, 0)); // 2026-02-27 00:00 +01:00
    expect(window.periodEndMs).toBe(REQUEST_MS);
    const acct = await newAccount({ timezone: ZONE });
    const seeded = await seedD1Movements(acct.id, [
      { atMs: window.periodStartMs - 1, seq: 1, interactionId: "just-before" },
      { atMs: window.periodStartMs, seq: 2, interactionId: "first-instant" },
      { atMs: Date.UTC(2026, 2, 29, 0, 59, 59), seq: 3, interactionId: "last-winter-second" },
      { atMs: Date.UTC(2026, 2, 29, 1, 0, 0), seq: 4, interactionId: "first-summer-second" },
      { atMs: window.periodEndMs, seq: 5, interactionId: "at-the-request" },
      { atMs: window.periodEndMs + 1, seq: 6, interactionId: "just-after" },
      // Committed after the request (a higher seq than the pin) though timed inside the window.
      { atMs: window.periodEndMs - 1, seq: 9, interactionId: "after-the-pin" },
    ]);
    const { exportId, email, file } = await exportOf(acct.id, {
      periodStartMs: window.periodStartMs,
      periodEndMs: window.periodEndMs,
      throughSeq: 8,
    });

    expect(file.records.slice(1).map((r) => [r[0], r[1]])).toEqual([
      ["2026-02-27 00:00:00 +01:00", "first-instant"],
      ["2026-03-29 01:59:59 +01:00", "last-winter-second"],
      ["2026-03-29 03:00:00 +02:00", "first-summer-second"],
      ["2026-03-29 14:00:00 +02:00", "at-the-request"],
    ]);
    expect(email.text).toContain("Period covered: 2026-02-27 to 2026-03-29.");
    const status = await exportStatus(acct, exportId);
    expect(status.body).toMatchObject({
      status: "ready",
      rows: 4,
      periodStart: "2026-02-26T23:00:00.000Z",
      periodEnd: "2026-03-29T12:00:00.000Z",
    });
    const inside = seeded.filter((m) =>
      ["first-instant", "last-winter-second", "first-summer-second", "at-the-request"].includes(
        m.interactionId,
      ),
    );
    expect(creditColumnSumMicros(file.records)).toBe(
      inside.reduce((sum, m) => sum + m.amountMicros, 0),
    );
  });
});

describe("the CSV", () => {
  it("quotes odd interaction ids by RFC 4180 and keeps spreadsheet formulas inert", async () => {
    const acct = await newAccount({ timezone: ZONE });
    const odd = [
      "plain-id",
      "with,comma",
      'say "hello"',
      "two\r\nlines",
      "bare\nnewline",
      '=HYPERLINK("http://evil.example","x")',
      "+420 601 123 456",
      "-1+2",
      "@SUM(A1)",
      "  padded  ",
      "unicode ☎ 😀",
      "",
    ];
    const startMs = REQUEST_MS - 3_600_000;
    await seedD1Movements(
      acct.id,
      odd.map((interactionId, i) => ({ atMs: startMs + i * 1_000, seq: i + 1, interactionId })),
    );
    const { file } = await exportOf(acct.id, {
      periodStartMs: startMs,
      periodEndMs: REQUEST_MS,
      throughSeq: odd.length,
    });

    expect(file.records.slice(1).map((r) => r[1])).toEqual([
      "plain-id",
      "with,comma",
      'say "hello"',
      "two\r\nlines",
      "bare\nnewline",
      `'=HYPERLINK("http://evil.example","x")`,
      "'+420 601 123 456",
      "'-1+2",
      "'@SUM(A1)",
      "  padded  ",
      "unicode ☎ 😀",
      "",
    ]);
    expect(file.text).toContain(`,"say ""hello""",`);
    expect(file.text).toContain(`,"two\r\nlines",`);
    // Every record has the same number of fields, so no quote leaked into the structure.
    expect(new Set(file.records.map((r) => r.length)).size).toBe(1);
  });
});
