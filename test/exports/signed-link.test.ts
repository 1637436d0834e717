import { describe, expect, it } from "vitest";
import { EXPORT_LINK_TTL_SECONDS, EXPORT_RETENTION_SECONDS } from "../../src/exports/limits";
import { exportDownloadUrl, signExportLink, verifyExportLink } from "../../src/exports/signed-link";

const SECRET = "test-signing-secret";
const EXPORT_ID = "exp_0192f3a4-7b1c-7000-8000-000000000001";
const NOW_SEC = 1_795_000_000;

describe("signed export links", () => {
  it("lives exactly as long as the file is kept", () => {
    expect(EXPORT_LINK_TTL_SECONDS).toBe(7 * 24 * 3600);
    expect(EXPORT_LINK_TTL_SECONDS).toBe(EXPORT_RETENTION_SECONDS);
  });

  it("signs with 32 bytes of base64url", async () => {
    expect(await signExportLink(SECRET, EXPORT_ID, NOW_SEC + 60)).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it("accepts its own link until and including the expiry second", async () => {
    const expires = NOW_SEC + 60;
    const signature = await signExportLink(SECRET, EXPORT_ID, expires);
    expect(await verifyExportLink(SECRET, EXPORT_ID, String(expires), signature, NOW_SEC)).toEqual({
      ok: true,
    });
    expect(await verifyExportLink(SECRET, EXPORT_ID, String(expires), signature, expires)).toEqual({
      ok: true,
    });
    expect(
      await verifyExportLink(SECRET, EXPORT_ID, String(expires), signature, expires + 1),
    ).toEqual({
      ok: false,
      reason: "expired",
    });
  });

  it("refuses a tampered signature, export id, expiry or secret", async () => {
    const expires = NOW_SEC + 60;
    const signature = await signExportLink(SECRET, EXPORT_ID, expires);
    const flipped = (signature[0] === "A" ? "B" : "A") + signature.slice(1);
    const badSignature = { ok: false, reason: "bad_signature" };
    expect(await verifyExportLink(SECRET, EXPORT_ID, String(expires), flipped, NOW_SEC)).toEqual(
      badSignature,
    );
    expect(
      await verifyExportLink(SECRET, `${EXPORT_ID}x`, String(expires), signature, NOW_SEC),
    ).toEqual(badSignature);
    expect(
      await verifyExportLink(SECRET, EXPORT_ID, String(expires + 86_400), signature, NOW_SEC),
    ).toEqual(badSignature);
    expect(
      await verifyExportLink("another-secret", EXPORT_ID, String(expires), signature, NOW_SEC),
    ).toEqual(badSignature);
  });

  it("says bad_signature, not expired, for a forged link with a past expiry", async () => {
    const signature = await signExportLink("another-secret", EXPORT_ID, NOW_SEC - 10);
    expect(
      await verifyExportLink(SECRET, EXPORT_ID, String(NOW_SEC - 10), signature, NOW_SEC),
    ).toEqual({
      ok: false,
      reason: "bad_signature",
    });
  });

  it.each([
    ["no expiry", null, "sig"],
    ["no signature", "1795000060", null],
    ["a non-numeric expiry", "1e9", "A".repeat(43)],
    ["a negative expiry", "-5", "A".repeat(43)],
    ["a short signature", "1795000060", "A".repeat(42)],
    ["a hex signature", "1795000060", "ab".repeat(32)],
    ["padding in the signature", "1795000060", `${"A".repeat(42)}=`],
  ])("calls a link with %s malformed", async (_name, expires, signature) => {
    expect(await verifyExportLink(SECRET, EXPORT_ID, expires, signature, NOW_SEC)).toEqual({
      ok: false,
      reason: "malformed",
    });
  });

  it("builds a download URL whose query verifies", async () => {
    const { url, expiresSec } = await exportDownloadUrl(
      "https://credit.example.com",
      SECRET,
      EXPORT_ID,
      NOW_SEC,
    );
    expect(expiresSec).toBe(NOW_SEC + EXPORT_LINK_TTL_SECONDS);
    const parsed = new URL(url);
    expect(parsed.pathname).toBe(`/v1/exports/${EXPORT_ID}/download`);
    const expires = parsed.searchParams.get("expires");
    const signature = parsed.searchParams.get("signature");
    expect(await verifyExportLink(SECRET, EXPORT_ID, expires, signature, NOW_SEC + 3600)).toEqual({
      ok: true,
    });
    expect(await verifyExportLink(SECRET, EXPORT_ID, expires, signature, expiresSec + 1)).toEqual({
      ok: false,
      reason: "expired",
    });
  });
});

describe("download URL base", () => {
  it("keeps a path prefix of the base URL", async () => {
    const { url } = await exportDownloadUrl(
      "https://example.com/billing/",
      SECRET,
      "exp_1",
      NOW_SEC,
    );
    expect(new URL(url).pathname).toBe("/billing/v1/exports/exp_1/download");
  });
});

describe("signature spelling", () => {
  it("accepts only the canonical base64url text of a signature", async () => {
    const expires = NOW_SEC + 60;
    const signature = await signExportLink(SECRET, EXPORT_ID, expires);
    // 43 characters carry 258 bits for 256: the last one has two spare bits.
    const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    const last = alphabet.indexOf(signature.at(-1)!);
    const sameBytes = signature.slice(0, -1) + alphabet[last ^ 1];
    expect(await verifyExportLink(SECRET, EXPORT_ID, String(expires), sameBytes, NOW_SEC)).toEqual({
      ok: false,
      reason: "bad_signature",
    });
  });
});
