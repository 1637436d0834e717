import { beforeAll, describe, expect, it } from "vitest";
import { adjust, api, newAccount, SWITCH } from "../helpers";
import {
  authorize,
  balanceOf,
  EU_PLAN,
  movementsOf,
  N,
  reportUsage,
  sendMessage,
  setPlan,
  uploadSampleDecks,
} from "./helpers";

beforeAll(uploadSampleDecks);

describe("messages", () => {
  it("charges fragments × the price for the destination country and channel", async () => {
    const acct = await newAccount({ credit: "1.00" });
    const sms = await sendMessage(acct.id, "sms-1", {
      channel: "sms",
      to: N.deMobile,
      fragments: 2,
      userId: "user-1",
    });
    expect(sms.status).toBe(201);
    expect(sms.body).toMatchObject({
      messageId: "sms-1",
      charged: "0.15",
      channel: "sms",
      country: "DE",
      fragments: 2,
      pricePerFragment: "0.075",
    });
    // A country the deck does not list takes the channel's "*" price.
    const other = await sendMessage(acct.id, "wa-1", {
      channel: "whatsapp",
      to: "+254712345678",
      fragments: 1,
    });
    expect(other.body).toMatchObject({ charged: "0.10", country: "KE" });
    const [smsMovement, waMovement] = (await movementsOf(acct.id)).slice(1);
    expect(smsMovement).toMatchObject({
      id: sms.body.movementId,
      description: "sms",
      interactionId: "sms-1",
      units: "fragments",
      unitsCharged: 2,
      valuePerUnit: "0.075",
      amount: "-0.15",
      reason: "SMS to DE, 2 fragments",
      details: {
        chargeReason: "message",
        country: "DE",
        priceCountry: "DE",
        deckVersion: sms.body.deckVersion,
      },
    });
    expect(waMovement).toMatchObject({
      description: "whatsapp",
      details: { country: "KE", priceCountry: "*" },
    });
    expect((await balanceOf(acct.id)).balance).toBe("0.75");
  });

  it("is idempotent by message id: a retry answers the same and charges once; another body under the id is 409", async () => {
    const acct = await newAccount({ credit: "1.00" });
    const body = { channel: "mms", to: N.frFixed, fragments: 1 };
    const answers = await Promise.all(
      Array.from({ length: 4 }, () => sendMessage(acct.id, "mms-1", body)),
    );
    for (const a of answers) expect(a).toMatchObject({ status: 201, body: answers[0]!.body });
    expect((await movementsOf(acct.id)).filter((m) => m.description === "mms")).toHaveLength(1);
    const reused = await sendMessage(acct.id, "mms-1", { ...body, fragments: 2 });
    expect(reused.status).toBe(409);
    expect(reused.body.error.code).toBe("id_reused");
  });

  it("402 when credit is ≤ 0 (reservations count); goes through when retried after a top-up", async () => {
    const acct = await newAccount();
    const refused = await sendMessage(acct.id, "sms-zero", {
      channel: "sms",
      to: N.deMobile,
      fragments: 1,
    });
    expect(refused.status).toBe(402);
    expect(refused.body).toEqual({
      error: { code: "credit_exhausted", message: expect.stringContaining("0.00 available") },
    });
    await adjust(acct.id, "0.05", "top-up");
    // A running call holds the whole 0.05: nothing is available for a message.
    expect(
      (await authorize(acct.id, "holding", { from: N.usAccount, to: N.deFixedBerlin })).body
        .allowed,
    ).toBe(true);
    expect(
      (await sendMessage(acct.id, "sms-zero", { channel: "sms", to: N.deMobile, fragments: 1 }))
        .status,
    ).toBe(402);
    await adjust(acct.id, "1.00", "top-up-2");
    expect(
      (await sendMessage(acct.id, "sms-zero", { channel: "sms", to: N.deMobile, fragments: 1 }))
        .status,
    ).toBe(201);
  });

  it("no price for the destination is a 400 naming the field; bad input and the wrong token are refused", async () => {
    const acct = await newAccount({ credit: "1.00" });
    const noRate = await sendMessage(acct.id, "to-short", {
      channel: "sms",
      to: N.shortCode,
      fragments: 1,
    });
    expect(noRate.status).toBe(400);
    expect(noRate.body.error).toMatchObject({ code: "no_rate", details: [{ field: "to" }] });
    expect(
      (await sendMessage(acct.id, "m", { channel: "fax", to: N.deMobile, fragments: 1 })).body.error
        .details[0].field,
    ).toBe("channel");
    expect(
      (await sendMessage(acct.id, "m", { channel: "sms", to: N.deMobile, fragments: 0 })).body.error
        .details[0].field,
    ).toBe("fragments");
    const asAdmin = await api("POST", `/v1/accounts/${acct.id}/messages/m`, {
      token: acct.adminKey,
      body: { channel: "sms", to: N.deMobile, fragments: 1 },
    });
    expect(asAdmin.status).toBe(403);
    expect(await movementsOf(acct.id)).toHaveLength(1);
  });
});

describe("AI usage", () => {
  it("takes the month's allowance first, then charges full minutes at the service rate", async () => {
    const acct = await newAccount({ credit: "1.00" });
    await setPlan(acct.id); // 3 Conversation Intelligence minutes, 2 voice-agent minutes
    const first = await reportUsage(acct.id, "ci-1", {
      service: "conversation-intelligence",
      seconds: 90,
      callId: "call-9",
    });
    expect(first).toMatchObject({
      status: 201,
      body: {
        billedMinutes: 2,
        includedMinutes: 2,
        chargedMinutes: 0,
        charged: "0.00",
        movementId: null,
      },
    });
    const second = await reportUsage(acct.id, "ci-2", {
      service: "conversation-intelligence",
      seconds: 150,
      userId: "user-1",
    });
    expect(second.body).toMatchObject({
      billedMinutes: 3,
      includedMinutes: 1,
      chargedMinutes: 2,
      ratePerMinute: "0.03",
      charged: "0.06",
    });
    const stt = await reportUsage(acct.id, "stt-1", {
      service: "stt",
      seconds: 61,
      callId: "call-9",
    });
    expect(stt.body).toMatchObject({ billedMinutes: 2, includedMinutes: 0, charged: "0.04" });
    const movements = (await movementsOf(acct.id)).slice(1);
    expect(
      movements.map((m) => [
        m.description,
        m.interactionId,
        m.units,
        m.unitsCharged,
        m.valuePerUnit,
        m.amount,
        m.details.chargeReason,
      ]),
    ).toEqual([
      ["conversation-intelligence", "ci-2", "minutes", 2, "0.03", "-0.06", "allowance_exceeded"],
      ["stt", "call-9", "minutes", 2, "0.02", "-0.04", "speech_to_text"],
    ]);
    expect(movements[0].reason).toBe("Conversation Intelligence, 2 min: allowance exceeded");

    const usage = await api("GET", `/v1/accounts/${acct.id}/usage`, { token: acct.adminKey });
    expect(usage.status).toBe(200);
    expect(usage.body).toMatchObject({
      package: "EU Domestic",
      allowances: [
        { service: "conversation-intelligence", includedMinutes: 3, usedMinutes: 3 },
        { service: "ai-voice-agents", includedMinutes: 2, usedMinutes: 0 },
      ],
      spend: [
        { category: "conversation-intelligence", charges: 1, units: 2, amount: "0.06" },
        { category: "stt", charges: 1, units: 2, amount: "0.04" },
      ],
      totalSpend: "0.10",
    });
  });

  it("usage within the allowance goes through at zero credit; charged usage is 402; idempotent by usage id", async () => {
    const acct = await newAccount();
    await setPlan(acct.id);
    expect(
      (await reportUsage(acct.id, "va-1", { service: "ai-voice-agents", seconds: 120 })).status,
    ).toBe(201);
    const over = await reportUsage(acct.id, "va-2", { service: "ai-voice-agents", seconds: 1 });
    expect(over.status).toBe(402);
    expect(over.body.error.code).toBe("credit_exhausted");
    await adjust(acct.id, "1.00", "top-up");
    const charged = await reportUsage(acct.id, "va-2", { service: "ai-voice-agents", seconds: 1 });
    expect(charged.body).toMatchObject({ chargedMinutes: 1, charged: "0.10" });
    expect(
      (await reportUsage(acct.id, "va-2", { service: "ai-voice-agents", seconds: 1 })).body,
    ).toEqual(charged.body);
    expect(
      (await reportUsage(acct.id, "va-2", { service: "ai-voice-agents", seconds: 2 })).status,
    ).toBe(409);
    expect(
      (await movementsOf(acct.id)).filter((m) => m.description === "ai-voice-agents"),
    ).toHaveLength(1);
  });

  it("without a plan voice agents have no allowance; the usage report checks its month and its caller", async () => {
    const acct = await newAccount({ credit: "1.00" });
    const va = await reportUsage(acct.id, "va-noplan", { service: "ai-voice-agents", seconds: 30 });
    expect(va.body).toMatchObject({ chargedMinutes: 1, charged: "0.10" });
    expect((await movementsOf(acct.id))[1].details.chargeReason).toBe("no_allowance");
    expect(
      (await reportUsage(acct.id, "x", { service: "tts", seconds: 1 })).body.error.details[0].field,
    ).toBe("service");

    const usage = `/v1/accounts/${acct.id}/usage`;
    expect((await api("GET", usage, { token: acct.adminKey })).body).toMatchObject({
      package: null,
      fairUseMinutesPerUser: null,
      users: [],
    });
    expect(
      (await api("GET", `${usage}?month=2020-01`, { token: acct.adminKey })).body,
    ).toMatchObject({ month: "2020-01", spend: [], totalSpend: "0.00" });
    expect(
      (await api("GET", `${usage}?month=2020-13`, { token: acct.adminKey })).body.error.details[0]
        .field,
    ).toBe("month");
    expect((await api("GET", usage, { token: acct.agentKey })).status).toBe(403);
    expect((await api("GET", usage, { token: SWITCH })).status).toBe(403);
  });
});

describe("plans", () => {
  it("the operator sets the plan, stored in the ledger; admins read it; bad countries name their field", async () => {
    const acct = await newAccount();
    const path = `/v1/accounts/${acct.id}/plan`;
    expect((await api("GET", path, { token: acct.adminKey })).status).toBe(404);
    expect((await api("PUT", path, { token: acct.adminKey, body: EU_PLAN })).status).toBe(403);
    const bad = await api("PUT", path, {
      body: { package: { name: "UK", destinations: ["UK"], numberCountries: ["GB"] } },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details[0].field).toBe("package.destinations.0");

    const saved = await api("PUT", path, {
      body: { package: { name: "Germany", destinations: ["de"], numberCountries: ["DE"] } },
    });
    expect(saved.body).toEqual({
      package: {
        name: "Germany",
        destinations: ["DE"],
        numberCountries: ["DE"],
        fupMinutesPerUser: 3000,
      },
      allowances: { conversationIntelligenceMinutes: 0, voiceAgentMinutes: 0 },
      serviceBilling: {
        stt: "credit",
        "conversation-intelligence": "credit",
        "ai-voice-agents": "credit",
      },
    });
    expect((await api("GET", path, { token: acct.adminKey })).body).toEqual(saved.body);
    // The package decides at once: France is not in it any more.
    expect(
      (await authorize(acct.id, "after-plan", { from: N.deAccount, to: N.frFixed })).body,
    ).toMatchObject({
      allowed: false,
      reason: "credit_exhausted",
      chargeReason: "destination_not_in_package",
    });
    expect((await api("PUT", "/v1/accounts/no-such/plan", { body: EU_PLAN })).status).toBe(404);
  });
});
