import { describe, expect, it } from "vitest";
import { EmailApiSender } from "../../src/notify/email-api";

const email = {
  to: "admin@example.com",
  subject: "Your credit is running low",
  text: "Balance low",
  idempotencyKey: "alert:acc_1:7",
};

function capture(answer: (init: RequestInit) => Promise<Response> | Response) {
  const calls: Array<{ url: string; init: RequestInit }> = [];
  const fetchMock = (async (input: RequestInfo | URL, init: RequestInit = {}) => {
    calls.push({ url: String(input), init });
    return answer(init);
  }) as typeof fetch;
  return { calls, fetchMock };
}

function sender(fetchMock: typeof fetch, timeoutMs?: number) {
  return new EmailApiSender({
    url: "https://api.email.test/emails",
    apiKey: "re_secret",
    from: "Billing <billing@example.com>",
    fetch: fetchMock,
    ...(timeoutMs ? { timeoutMs } : {}),
  });
}

describe("HTTP email API sender", () => {
  it("posts JSON with a bearer key and the idempotency key", async () => {
    const { calls, fetchMock } = capture(() => Response.json({ id: "em_123" }));
    expect(await sender(fetchMock).sendEmail({ ...email, html: "<p>Balance low</p>" })).toEqual({
      ok: true,
      messageId: "em_123",
    });

    expect(calls).toHaveLength(1);
    const [{ url, init }] = calls as [(typeof calls)[0]];
    expect(url).toBe("https://api.email.test/emails");
    expect(init.method).toBe("POST");
    const headers = new Headers(init.headers);
    expect(headers.get("Authorization")).toBe("Bearer re_secret");
    expect(headers.get("Content-Type")).toBe("application/json");
    expect(headers.get("Idempotency-Key")).toBe("alert:acc_1:7");
    expect(JSON.parse(String(init.body))).toEqual({
      from: "Billing <billing@example.com>",
      to: ["admin@example.com"],
      subject: "Your credit is running low",
      text: "Balance low",
      html: "<p>Balance low</p>",
    });
  });

  it("omits html when there is none", async () => {
    const { calls, fetchMock } = capture(() => Response.json({ id: "em_1" }));
    await sender(fetchMock).sendEmail(email);
    expect(JSON.parse(String(calls[0]!.init.body))).not.toHaveProperty("html");
  });

  it("says which failures are worth retrying", async () => {
    const rejected = capture(() => new Response('{"message":"invalid to"}', { status: 422 }));
    expect(await sender(rejected.fetchMock).sendEmail(email)).toMatchObject({
      ok: false,
      retryable: false,
    });
    const limited = capture(() => new Response("", { status: 429 }));
    expect(await sender(limited.fetchMock).sendEmail(email)).toMatchObject({
      ok: false,
      retryable: true,
    });
    const down = capture(() => new Response("", { status: 503 }));
    expect(await sender(down.fetchMock).sendEmail(email)).toMatchObject({
      ok: false,
      retryable: true,
    });
    const unreachable = capture(() => Promise.reject(new TypeError("Network connection lost.")));
    expect(await sender(unreachable.fetchMock).sendEmail(email)).toMatchObject({
      ok: false,
      retryable: true,
    });
  });

  it("gives up on a provider that does not answer in time", async () => {
    const hanging = capture(
      (init) =>
        new Promise<Response>((_, reject) => {
          init.signal?.addEventListener("abort", () => reject(init.signal!.reason));
        }),
    );
    expect(await sender(hanging.fetchMock, 20).sendEmail(email)).toEqual({
      ok: false,
      retryable: true,
      reason: "email API timed out",
    });
  });
});
