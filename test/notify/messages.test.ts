import { describe, expect, it } from "vitest";
import {
  autoTopUpDisabledAlert,
  autoTopUpDisabledEmail,
  autoTopUpFailedAlert,
  autoTopUpFailedEmail,
  creditExhaustedAlert,
  creditExhaustedEmail,
  creditLowAlert,
  creditLowEmail,
  exportFailedEmail,
  exportReadyEmail,
  formatAmount,
  formatDate,
} from "../../src/notify/messages";

describe("messages", () => {
  it("uses the help centre's wording for the credit alerts", () => {
    expect(creditLowEmail({ balanceMicros: 4_200_000, currency: "EUR" })).toMatchObject({
      subject: "Your credit is running low",
    });
    expect(creditLowEmail({ balanceMicros: 4_200_000, currency: "EUR" }).text).toContain(
      "Your balance is getting close to zero. If it runs out, calling will be interrupted.",
    );
    expect(creditLowEmail({ balanceMicros: 4_200_000, currency: "EUR" }).text).toContain(
      "EUR 4.20",
    );

    const exhausted = creditExhaustedEmail({ balanceMicros: 0, currency: "EUR" });
    expect(exhausted.subject).toBe("Your credit has run out");
    expect(exhausted.text).toContain(
      "Your balance is 0. Outbound calls are blocked, and inbound calls to toll-free numbers will not connect. Inbound calls to standard (non-toll-free) numbers still work.",
    );
    expect(creditLowAlert()).toEqual({
      code: "credit_low",
      message:
        "Your credit is running low. Your balance is getting close to zero. If it runs out, calling will be interrupted.",
    });
    expect(creditExhaustedAlert().code).toBe("credit_exhausted");
  });

  it("tells the admin why an auto top-up failed and when it is retried", () => {
    const failure = {
      amountMicros: 50_000_000,
      currency: "EUR",
      failureReason: "Your card was declined.",
      nextAttemptAtMs: Date.UTC(2026, 2, 1, 14, 5),
    };
    expect(autoTopUpFailedAlert(failure).message).toBe(
      "Auto top-up of EUR 50.00 failed: Your card was declined. We will try again at 2026-03-01 14:05 UTC. Check your payment method in Billing.",
    );
    expect(autoTopUpFailedAlert({ ...failure, nextAttemptAtMs: null }).message).not.toContain(
      "try again",
    );
    expect(autoTopUpFailedEmail(failure).subject).toBe("Your auto top-up payment failed");
  });

  it("says auto top-up was switched off after repeated failures", () => {
    const input = { consecutiveFailures: 3, failureReason: "Your card was declined." };
    expect(autoTopUpDisabledAlert(input).message).toContain(
      "turned off after 3 failed payments in a row",
    );
    expect(autoTopUpDisabledEmail(input).subject).toBe("Auto top-up has been turned off");
  });

  it("gives the download link and the period covered when an export is ready", () => {
    const ready = exportReadyEmail({
      downloadUrl: "https://credit.example.com/v1/exports/exp_1/download?expires=1&signature=a&b",
      periodStartMs: Date.UTC(2026, 1, 1, 23, 30),
      periodEndMs: Date.UTC(2026, 2, 3, 12),
      linkExpiresAtMs: Date.UTC(2026, 2, 10, 12),
      timeZone: "Europe/Prague",
    });
    expect(ready.text).toContain("Period covered: 2026-02-02 to 2026-03-03.");
    expect(ready.text).toContain(
      "Download Export: https://credit.example.com/v1/exports/exp_1/download?expires=1&signature=a&b",
    );
    expect(ready.html).toContain(
      '<a href="https://credit.example.com/v1/exports/exp_1/download?expires=1&#38;signature=a&#38;b">Download Export</a>',
    );
  });

  it("tells the admin to wait a few minutes and try again when an export failed", () => {
    expect(exportFailedEmail().text).toContain("wait a few minutes and try again");
  });

  it("formats amounts in the currency's own decimals unless finer", () => {
    expect(formatAmount(25_000_000, "EUR")).toBe("EUR 25.00");
    expect(formatAmount(3_000_000_000, "JPY")).toBe("JPY 3000");
    expect(formatAmount(12_300, "EUR")).toBe("EUR 0.0123");
    expect(formatAmount(-1_500_000, "USD")).toBe("USD -1.50");
    expect(formatAmount(1_234_000, "BHD")).toBe("BHD 1.234");
    expect(formatDate(Date.UTC(2026, 0, 31, 23, 30), "America/New_York")).toBe("2026-01-31");
  });
});
