import { describe, expect, it } from "vitest";
import { AutoTopUpSection } from "../../src/http/billing/auto-top-up-section";
import type { CreditBody, MovementBody } from "../../src/http/billing/api-types";
import { CreditSection } from "../../src/http/billing/credit-section";
import { dailySpend, lastDays } from "../../src/http/billing/daily-spend";
import { axisMaxMicros } from "../../src/http/billing/spend-chart";
import { visibleText } from "./helpers";

const movement = (
  at: string,
  description: MovementBody["description"],
  amount: string,
): MovementBody => ({
  id: at,
  at,
  description,
  interactionId: "i",
  units: null,
  unitsCharged: null,
  valuePerUnit: null,
  amount,
  balanceAfter: "0.00",
  userId: null,
  reason: null,
  details: null,
});

const credit = (overrides: Partial<CreditBody> = {}): CreditBody =>
  ({
    balance: "40.00",
    available: "40.00",
    reserved: "0.00",
    currency: "EUR",
    state: "ok",
    alerts: [],
    lowBalanceLevel: "0.00",
    recommendedThreshold: "42.00",
    autoTopUp: {
      enabled: false,
      threshold: null,
      amount: null,
      paymentMethod: null,
      maxPerDay: null,
      inProgress: null,
      consecutiveFailures: 0,
      status: null,
    },
    ...overrides,
  }) as CreditBody;

const render = async (node: unknown) =>
  visibleText(await (node as { toString(): string | Promise<string> }).toString());

describe("daily spend", () => {
  it("lists the last 30 local days, ending today in the account's zone", () => {
    // 23:30 UTC on 31 Jan is already 1 Feb in Prague.
    const now = Date.parse("2026-01-31T23:30:00Z");
    const days = lastDays(now, "Europe/Prague");
    expect(days).toHaveLength(30);
    expect(days.at(-1)).toBe("2026-02-01");
    expect(days[0]).toBe("2026-01-03");
    expect(lastDays(now, "UTC").at(-1)).toBe("2026-01-31");
  });

  it("sums charges per local day; top-ups and adjustments are not spend", () => {
    const now = Date.parse("2026-03-10T12:00:00Z");
    const days = dailySpend(
      [
        movement("2026-03-10T08:00:00Z", "call", "-1.20"),
        movement("2026-03-10T09:00:00Z", "sms", "-0.0123"),
        movement("2026-03-10T10:00:00Z", "top-up", "25.00"),
        movement("2026-03-09T22:30:00Z", "call", "-2.00"),
        movement("2026-03-09T10:00:00Z", "adjustment", "-5.00"),
        movement("2026-01-01T10:00:00Z", "call", "-9.00"),
      ],
      "UTC",
      now,
    );
    expect(days.at(-1)).toEqual({ date: "2026-03-10", spendMicros: 1_212_300 });
    expect(days.at(-2)).toEqual({ date: "2026-03-09", spendMicros: 2_000_000 });
    expect(days.reduce((s, d) => s + d.spendMicros, 0)).toBe(3_212_300);
  });

  it("rounds the chart's axis to 1, 2 or 5 times a power of ten", () => {
    expect(axisMaxMicros(0)).toBe(1_000_000);
    expect(axisMaxMicros(1_212_300)).toBe(2_000_000);
    expect(axisMaxMicros(3_000_000)).toBe(5_000_000);
    expect(axisMaxMicros(7_500_000)).toBe(10_000_000);
    expect(axisMaxMicros(10_000_000)).toBe(10_000_000);
  });
});

describe("sections", () => {
  it("offers the recommended threshold as the API gives it (whole cents), so it can be submitted as is", async () => {
    const section = await render(
      AutoTopUpSection({
        credit: credit({ recommendedThreshold: "0.22" }),
        form: undefined,
        options: [],
        saved: null,
        notice: null,
        csrf: "t",
      }),
    );
    expect(section).toContain("Recommended: EUR 0.22,");
    const html = await (
      AutoTopUpSection({
        credit: credit({ recommendedThreshold: "0.22" }),
        form: undefined,
        options: [],
        saved: null,
        notice: null,
        csrf: "t",
      }) as unknown as { toString(): string }
    ).toString();
    expect(html).toMatch(/id="auto-threshold" name="threshold" type="text" value="0.22"/);
  });

  it("the auto top-up form offers the recommended threshold and warns when the threshold is below it", async () => {
    const off = await render(
      AutoTopUpSection({
        credit: credit(),
        form: undefined,
        options: [],
        saved: null,
        notice: null,
        csrf: "t",
      }),
    );
    expect(off).toContain("Recommended: EUR 42.00, enough for about 14 days of your team's usage");
    expect(off).toContain("Save and turn on");
    const low = await render(
      AutoTopUpSection({
        credit: credit({
          autoTopUp: {
            ...credit().autoTopUp,
            enabled: true,
            threshold: "10.00",
            amount: "50.00",
            paymentMethod: "pm_card_visa",
          },
        }),
        form: undefined,
        options: [],
        saved: "pm_card_visa",
        notice: null,
        csrf: "t",
      }),
    );
    expect(low).toContain("Your threshold is below the recommended EUR 42.00");
  });

  it("shows auto top-up's status messages: a payment in progress, a failed payment", async () => {
    const inProgress = {
      id: "atu_1",
      kind: "auto",
      amount: "50.00",
      paymentMethod: "pm_card_visa",
      status: "pending",
      failureReason: null,
      createdAt: "",
      settledAt: null,
      movementId: null,
    } as const;
    const failed = {
      code: "auto_top_up_failed",
      message:
        "Auto top-up of EUR 50.00 failed: Your card was declined. Check your payment method in Billing.",
    } as const;
    const c = credit({
      alerts: [failed],
      autoTopUp: {
        ...credit().autoTopUp,
        enabled: true,
        threshold: "50.00",
        amount: "50.00",
        inProgress,
        consecutiveFailures: 1,
        status: failed,
      },
    });
    const section = await render(
      AutoTopUpSection({
        credit: c,
        form: undefined,
        options: [],
        saved: null,
        notice: null,
        csrf: "t",
      }),
    );
    expect(section).toContain("An automatic top-up of EUR 50.00 is in progress.");
    expect(section).toContain(failed.message);
    const banner = await render(CreditSection({ credit: c }));
    expect(banner).toContain("Your auto top-up payment failed");
    expect(banner).toContain("Check your auto top-up settings");
  });
});
