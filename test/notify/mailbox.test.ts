import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { D1Mailbox, listMailbox, MAILBOX_LIST_MAX } from "../../src/notify/mailbox";

// Proposed migration; IF NOT EXISTS lets the real migration take over once it exists.
const MAILBOX_SQL = [
  `CREATE TABLE IF NOT EXISTS mailbox (
     id TEXT PRIMARY KEY,
     idempotency_key TEXT NOT NULL UNIQUE,
     to_address TEXT NOT NULL,
     subject TEXT NOT NULL,
     text_body TEXT NOT NULL,
     html_body TEXT,
     created_at_ms INTEGER NOT NULL
   )`,
  "CREATE INDEX IF NOT EXISTS mailbox_by_time ON mailbox (created_at_ms DESC)",
  "CREATE INDEX IF NOT EXISTS mailbox_by_recipient ON mailbox (to_address, created_at_ms DESC)",
];

beforeAll(async () => {
  for (const sql of MAILBOX_SQL) await env.DB.prepare(sql).run();
});

function mailbox(startMs: number) {
  let nowMs = startMs;
  let n = 0;
  return new D1Mailbox(env.DB, { nowMs: () => nowMs++, newId: () => `msg_${startMs}_${++n}` });
}

describe("D1 mailbox", () => {
  it("stores an email and lists it newest first", async () => {
    const box = mailbox(1_000);
    expect(
      await box.sendEmail({
        to: "a@example.com",
        subject: "First",
        text: "one",
        idempotencyKey: "k-first",
      }),
    ).toEqual({ ok: true, messageId: "msg_1000_1" });
    await box.sendEmail({
      to: "a@example.com",
      subject: "Second",
      text: "two",
      html: "<p>two</p>",
      idempotencyKey: "k-second",
    });
    await box.sendEmail({
      to: "b@example.com",
      subject: "Other",
      text: "three",
      idempotencyKey: "k-other",
    });

    const forA = await listMailbox(env.DB, { to: "a@example.com" });
    expect(forA).toEqual([
      {
        id: "msg_1000_2",
        to: "a@example.com",
        subject: "Second",
        text: "two",
        html: "<p>two</p>",
        createdAtMs: 1_001,
      },
      {
        id: "msg_1000_1",
        to: "a@example.com",
        subject: "First",
        text: "one",
        html: null,
        createdAtMs: 1_000,
      },
    ]);
    expect((await listMailbox(env.DB)).map((m) => m.subject).slice(0, 3)).toEqual([
      "Other",
      "Second",
      "First",
    ]);
  });

  it("stores a repeated idempotency key once and answers with the first id", async () => {
    const box = mailbox(5_000);
    const first = await box.sendEmail({
      to: "c@example.com",
      subject: "Alert",
      text: "x",
      idempotencyKey: "alert:acc_c:1",
    });
    const again = await box.sendEmail({
      to: "c@example.com",
      subject: "Alert",
      text: "x",
      idempotencyKey: "alert:acc_c:1",
    });
    expect(again).toEqual(first);
    expect(await listMailbox(env.DB, { to: "c@example.com" })).toHaveLength(1);
  });

  it("caps the listing", async () => {
    const box = mailbox(10_000);
    for (let i = 0; i < 3; i++)
      await box.sendEmail({
        to: "d@example.com",
        subject: `n${i}`,
        text: "",
        idempotencyKey: `cap-${i}`,
      });
    expect(await listMailbox(env.DB, { to: "d@example.com", limit: 2 })).toHaveLength(2);
    expect((await listMailbox(env.DB, { limit: 10_000 })).length).toBeLessThanOrEqual(
      MAILBOX_LIST_MAX,
    );
  });
});
