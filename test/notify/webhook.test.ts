import { describe, expect, it } from "vitest";
import type { AccountWebhook } from "../../src/notify/notifier";
import { AccountWebhookSender, isAllowedWebhookUrl } from "../../src/notify/webhook";
import { verifyWebhookSignature } from "../../src/payments/webhook-signature";

const NOW_MS = 1_800_000_000_000;
const hook: AccountWebhook = {
  url: "https://hooks.customer.test/credit",
  secret: "acct_whsec_1",
  event: {
    id: "evt_acc_1_low_3",
    type: "credit.low",
    accountId: "acc_1",
    createdAtMs: NOW_MS,
    data: { balance: "4.20", currency: "EUR" },
  },
};

function receiver(status = 200) {
  const received: Request[] = [];
  const fetchMock = (async (input: RequestInfo | URL, init?: RequestInit) => {
    received.push(new Request(input, init));
    return new Response("ok", { status });
  }) as typeof fetch;
  return { received, fetchMock };
}

describe("account webhooks", () => {
  it("posts the event signed with the account's secret over t.body", async () => {
    const { received, fetchMock } = receiver();
    const sender = new AccountWebhookSender({ fetch: fetchMock, nowMs: () => NOW_MS });
    expect(await sender.sendWebhook(hook)).toEqual({ ok: true, messageId: "evt_acc_1_low_3" });

    const [request] = received;
    expect(request!.method).toBe("POST");
    expect(request!.url).toBe("https://hooks.customer.test/credit");
    expect(request!.headers.get("X-Credit-Event-Id")).toBe("evt_acc_1_low_3");
    const body = await request!.text();
    expect(JSON.parse(body)).toEqual({
      id: "evt_acc_1_low_3",
      type: "credit.low",
      accountId: "acc_1",
      createdAt: "2027-01-15T08:00:00.000Z",
      data: { balance: "4.20", currency: "EUR" },
    });
    const signature = request!.headers.get("X-Credit-Signature");
    expect(signature).toMatch(/^t=1800000000,v1=[0-9a-f]{64}$/);
    expect(await verifyWebhookSignature("acct_whsec_1", body, signature, NOW_MS)).toEqual({
      ok: true,
      timestampSeconds: 1_800_000_000,
    });
    expect((await verifyWebhookSignature("acct_whsec_other", body, signature, NOW_MS)).ok).toBe(
      false,
    );
  });

  it("refuses plain http outside development and reports receiver failures", async () => {
    const { received, fetchMock } = receiver(500);
    const sender = new AccountWebhookSender({ fetch: fetchMock, nowMs: () => NOW_MS });
    expect(
      await sender.sendWebhook({ ...hook, url: "http://hooks.customer.test/credit" }),
    ).toMatchObject({ ok: false, retryable: false });
    expect(received).toHaveLength(0);
    expect(await sender.sendWebhook(hook)).toMatchObject({ ok: false, retryable: true });

    const gone = receiver(410);
    expect(
      await new AccountWebhookSender({ fetch: gone.fetchMock }).sendWebhook(hook),
    ).toMatchObject({ ok: false, retryable: false });
  });

  it("accepts only http(s) URLs", () => {
    expect(isAllowedWebhookUrl("https://x.test/h")).toBe(true);
    expect(isAllowedWebhookUrl("http://x.test/h")).toBe(false);
    expect(isAllowedWebhookUrl("http://localhost:9000/h", true)).toBe(true);
    expect(isAllowedWebhookUrl("ftp://x.test/h", true)).toBe(false);
    expect(isAllowedWebhookUrl("not a url", true)).toBe(false);
  });
});
