import { describe, expect, it } from "vitest";
import {
  SIGNATURE_ENTRIES_MAX,
  SIGNATURE_TOLERANCE_SECONDS,
  signWebhook,
  verifyWebhookSignature,
} from "../../src/payments/webhook-signature";

const SECRET = "whsec_test_secret";
const BODY = '{"id":"evt_1","type":"payment_intent.succeeded"}';
const NOW_MS = 1_800_000_000_000;
const NOW_SECONDS = NOW_MS / 1000;

async function hexHmac(secret: string, text: string): Promise<string> {
  const key = await crypto.subtle.importKey(
    "raw",
    new TextEncoder().encode(secret),
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["sign"],
  );
  const mac = new Uint8Array(await crypto.subtle.sign("HMAC", key, new TextEncoder().encode(text)));
  return [...mac].map((b) => b.toString(16).padStart(2, "0")).join("");
}

describe("webhook signature", () => {
  it("signs as Stripe does: t=<seconds>,v1=<hex HMAC of 't.body'>", async () => {
    const header = await signWebhook(SECRET, BODY, NOW_SECONDS);
    expect(header).toBe(`t=${NOW_SECONDS},v1=${await hexHmac(SECRET, `${NOW_SECONDS}.${BODY}`)}`);
  });

  it("accepts a valid signature", async () => {
    const header = await signWebhook(SECRET, BODY, NOW_SECONDS);
    expect(await verifyWebhookSignature(SECRET, BODY, header, NOW_MS)).toEqual({
      ok: true,
      timestampSeconds: NOW_SECONDS,
    });
  });

  it("rejects a tampered body, a wrong secret, a tampered timestamp and a missing or garbled header", async () => {
    const header = await signWebhook(SECRET, BODY, NOW_SECONDS);
    const bad = { ok: false, reason: "bad_signature" };
    expect(
      await verifyWebhookSignature(SECRET, BODY.replace("evt_1", "evt_2"), header, NOW_MS),
    ).toEqual(bad);
    expect(await verifyWebhookSignature("whsec_other", BODY, header, NOW_MS)).toEqual(bad);
    expect(
      await verifyWebhookSignature(
        SECRET,
        BODY,
        header.replace(`t=${NOW_SECONDS}`, `t=${NOW_SECONDS + 1}`),
        NOW_MS,
      ),
    ).toEqual(bad);
    expect(await verifyWebhookSignature(SECRET, BODY, null, NOW_MS)).toEqual(bad);
    expect(await verifyWebhookSignature(SECRET, BODY, "garbage", NOW_MS)).toEqual(bad);
    expect(await verifyWebhookSignature(SECRET, BODY, `t=${NOW_SECONDS},v1=zz`, NOW_MS)).toEqual(
      bad,
    );
    expect(await verifyWebhookSignature(SECRET, BODY, `t=${NOW_SECONDS}`, NOW_MS)).toEqual(bad);
    // A truncated MAC must not match its prefix.
    expect(await verifyWebhookSignature(SECRET, BODY, header.slice(0, -2), NOW_MS)).toEqual(bad);
  });

  it("ignores v0 signatures, as Stripe's libraries do", async () => {
    const mac = await hexHmac(SECRET, `${NOW_SECONDS}.${BODY}`);
    expect(
      await verifyWebhookSignature(SECRET, BODY, `t=${NOW_SECONDS},v0=${mac}`, NOW_MS),
    ).toEqual({ ok: false, reason: "bad_signature" });
  });

  it("rejects a genuine signature older than the tolerance and accepts one at the edge", async () => {
    const edge = await signWebhook(SECRET, BODY, NOW_SECONDS - SIGNATURE_TOLERANCE_SECONDS);
    expect((await verifyWebhookSignature(SECRET, BODY, edge, NOW_MS)).ok).toBe(true);
    const stale = await signWebhook(SECRET, BODY, NOW_SECONDS - SIGNATURE_TOLERANCE_SECONDS - 1);
    expect(await verifyWebhookSignature(SECRET, BODY, stale, NOW_MS)).toEqual({
      ok: false,
      reason: "stale_timestamp",
    });
  });

  it("rejects a timestamp from beyond the tolerance in the future", async () => {
    const future = await signWebhook(SECRET, BODY, NOW_SECONDS + SIGNATURE_TOLERANCE_SECONDS + 1);
    expect(await verifyWebhookSignature(SECRET, BODY, future, NOW_MS)).toEqual({
      ok: false,
      reason: "stale_timestamp",
    });
    const nearFuture = await signWebhook(SECRET, BODY, NOW_SECONDS + 60);
    expect((await verifyWebhookSignature(SECRET, BODY, nearFuture, NOW_MS)).ok).toBe(true);
  });

  it("reports a forged old header as a bad signature, not as stale", async () => {
    const forged = `t=${NOW_SECONDS - 10_000},v1=${"ab".repeat(32)}`;
    expect(await verifyWebhookSignature(SECRET, BODY, forged, NOW_MS)).toEqual({
      ok: false,
      reason: "bad_signature",
    });
  });

  it("accepts any of several v1 signatures, as during a secret roll", async () => {
    const mac = await hexHmac(SECRET, `${NOW_SECONDS}.${BODY}`);
    const other = await hexHmac("whsec_old", `${NOW_SECONDS}.${BODY}`);
    expect(
      (await verifyWebhookSignature(SECRET, BODY, `t=${NOW_SECONDS},v1=${other},v1=${mac}`, NOW_MS))
        .ok,
    ).toBe(true);
    expect(
      (
        await verifyWebhookSignature(
          SECRET,
          BODY,
          `t=${NOW_SECONDS}, v1=${mac}, v1=${other}`,
          NOW_MS,
        )
      ).ok,
    ).toBe(true);
    expect(
      (
        await verifyWebhookSignature(
          SECRET,
          BODY,
          `t=${NOW_SECONDS},v1=${other},v1=${other}`,
          NOW_MS,
        )
      ).ok,
    ).toBe(false);
  });

  it("refuses a header with more entries than any gateway sends", async () => {
    const mac = await hexHmac(SECRET, `${NOW_SECONDS}.${BODY}`);
    const padding = Array.from(
      { length: SIGNATURE_ENTRIES_MAX },
      () => `v1=${"00".repeat(32)}`,
    ).join(",");
    expect(
      await verifyWebhookSignature(SECRET, BODY, `t=${NOW_SECONDS},${padding},v1=${mac}`, NOW_MS),
    ).toEqual({ ok: false, reason: "bad_signature" });
  });
});
