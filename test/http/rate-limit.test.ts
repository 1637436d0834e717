import { describe, expect, it } from "vitest";
import { api, newAccount, type ApiAnswer } from "../helpers";

describe("rate limiting", () => {
  it("answers 429 with Retry-After once a key has used its minute, and other keys are unaffected", async () => {
    const acct = await newAccount();
    const other = await newAccount();
    const answers: ApiAnswer[] = [];
    // The key limit is 1 200 a minute (wrangler.toml); send until refused. The limiter's
    // windows are fixed minutes, so a boundary inside the test may let up to twice through.
    while (answers.length < 2_500 && answers.every((a) => a.status === 200)) {
      answers.push(
        ...(await Promise.all(
          Array.from({ length: 100 }, () =>
            api("GET", `/v1/accounts/${acct.id}`, { token: acct.agentKey }),
          ),
        )),
      );
    }
    const firstLimited = answers.findIndex((a) => a.status !== 200);
    expect(firstLimited).toBeGreaterThanOrEqual(1200);
    const limited = answers[firstLimited]!;
    expect(limited.status).toBe(429);
    expect(limited.headers.get("Retry-After")).toBe("60");
    expect(limited.body.error.code).toBe("rate_limited");
    // Another key of the same account, and the operator, still get through.
    expect(
      (await api("GET", `/v1/accounts/${acct.id}/credit`, { token: acct.adminKey })).status,
    ).toBe(200);
    expect((await api("GET", `/v1/accounts/${acct.id}/credit`)).status).toBe(200);
    expect((await api("GET", `/v1/accounts/${other.id}`, { token: other.agentKey })).status).toBe(
      200,
    );
  }, 60_000);
});
