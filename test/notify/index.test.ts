import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { notifierFor, notifyConfigProblems } from "../../src/notify";

describe("notifierFor", () => {
  it("sends email through the API when configured, and webhooks either way", async () => {
    const urls: string[] = [];
    const fetchMock = (async (input: RequestInfo | URL) => {
      urls.push(String(input));
      return Response.json({ id: "em_1" });
    }) as typeof fetch;
    const notifier = notifierFor(
      {
        ENVIRONMENT: "production",
        DB: env.DB,
        EMAIL_API_URL: "https://api.email.test/emails",
        EMAIL_API_KEY: "k",
        EMAIL_FROM: "billing@example.com",
      },
      { fetch: fetchMock },
    );
    expect(
      await notifier.sendEmail({
        to: "a@example.com",
        subject: "s",
        text: "t",
        idempotencyKey: "i",
      }),
    ).toEqual({ ok: true, messageId: "em_1" });
    await notifier.sendWebhook({
      url: "https://hooks.test/x",
      secret: "s",
      event: { id: "e", type: "credit.low", accountId: "a", createdAtMs: 0, data: {} },
    });
    expect(urls).toEqual(["https://api.email.test/emails", "https://hooks.test/x"]);
  });

  it("refuses production without an email API and a half-configured one anywhere", () => {
    expect(notifyConfigProblems({ ENVIRONMENT: "production", DB: env.DB })).toHaveLength(1);
    expect(notifyConfigProblems({ ENVIRONMENT: "development", DB: env.DB })).toEqual([]);
    expect(
      notifyConfigProblems({ ENVIRONMENT: "development", DB: env.DB, EMAIL_API_KEY: "k" }),
    ).toHaveLength(1);
    expect(() => notifierFor({ ENVIRONMENT: "production", DB: env.DB })).toThrow(/EMAIL_API_URL/);
  });

  it("accepts the Worker's own Env", () => {
    const accepts = (workerEnv: Env) => notifyConfigProblems(workerEnv);
    expect(accepts(env)).toEqual([]);
  });
});
