// The soak's traffic: bounded loops, each running one scenario after another until the
// deadline — calls through the switch (authorize, maybe extend, end, sometimes retried),
// messages and AI usage (sometimes retried), top-ups and exports with account admin keys,
// operator adjustments. Keys stay under the production rate limits by a client-side budget.

import { OPERATOR, SWITCH } from "./client.mjs";

export const EU = [
  "AT",
  "BE",
  "BG",
  "CY",
  "CZ",
  "DE",
  "DK",
  "EE",
  "ES",
  "FI",
  "FR",
  "GR",
  "HR",
  "HU",
  "IE",
  "IT",
  "LT",
  "LU",
  "LV",
  "MT",
  "NL",
  "PL",
  "PT",
  "RO",
  "SE",
  "SI",
  "SK",
];
export const EU_PLAN = {
  package: { name: "EU Domestic", destinations: EU, numberCountries: EU, fupMinutesPerUser: 3000 },
  allowances: { conversationIntelligenceMinutes: 5, voiceAgentMinutes: 5 },
};

const NUMBERS = {
  deAccount: "+4969123456",
  usAccount: "+12025550123",
  deFixedBerlin: "+4930123456",
  deMobile: "+4915123456789",
  deTollFree: "+498001234567",
  gbMobile: "+447400123456",
  frFixed: "+33123456789",
};

/** A dashboard key may make 1 200 requests a minute (wrangler.toml); the soak keeps each key under half. */
export const ADMIN_KEY_BUDGET_PER_MINUTE = 500;
/** How often an account may be asked for a new export; one is in flight at a time anyway. */
const EXPORT_EVERY_MS = 8_000;
/** Share of idempotent requests sent a second time, as a client that lost the answer would. */
const RETRY_SHARE = 0.15;
/**
 * The first account is the hot one: little credit, no top-ups, and this share of all
 * traffic, so a burst runs it out of credit while calls are in progress.
 */
export const HOT_SHARE = 0.25;
export const HOT_OPENING_CREDIT = "1.00";
/**
 * The README's overdraft bound for what the soak sends: one block of the dearest rate in use
 * (toll-free inbound, 0.05 a minute in 60 s blocks) plus one message or usage charge, the
 * dearest being ten voice-agent minutes at 0.10.
 */
export const HOT_OVERDRAFT_BOUND_MICROS = 50_000 + 1_000_000;

/** A small deterministic generator (mulberry32), so a soak can be rerun with its seed. */
export function seededRandom(seed) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export class Traffic {
  constructor({ client, book, accounts, random, startedAtMs }) {
    this.client = client;
    this.book = book;
    this.accounts = accounts;
    this.random = random;
    this.startedAtMs = startedAtMs;
    this.serial = 0;
    this.topUps = [];
    this.exports = [];
    this.keyUse = new Map();
    this.lastExportMs = new Map();
    /** Authorizations refused and charges answered 402: the hot account's exhaustion at work. */
    this.refusals = 0;
  }

  pick(list) {
    return list[Math.floor(this.random() * list.length)];
  }

  nextId(prefix) {
    this.serial += 1;
    return `${prefix}-${this.serial}-${Math.floor(this.random() * 1e9).toString(36)}`;
  }

  /** An admin key of the account with budget left this minute, or null (the loop does switch work instead). */
  adminKey(account) {
    const minute = Math.floor((Date.now() - this.startedAtMs) / 60_000);
    for (const key of account.adminKeys) {
      const use = this.keyUse.get(key);
      const used = use?.minute === minute ? use.count : 0;
      if (used < ADMIN_KEY_BUDGET_PER_MINUTE) {
        this.keyUse.set(key, { minute, count: used + 1 });
        return key;
      }
    }
    return null;
  }

  /** Runs `loops` concurrent loops until `deadlineMs`; each finishes the scenario it is in. */
  async run(loops, deadlineMs) {
    await Promise.all(
      Array.from({ length: loops }, async () => {
        while (Date.now() < deadlineMs) await this.step();
      }),
    );
  }

  async step() {
    const [hot, ...others] = this.accounts;
    const account = this.random() < HOT_SHARE ? hot : this.pick(others);
    const roll = this.random();
    if (roll < 0.45) return this.call(account);
    if (roll < 0.62) return this.message(account);
    if (roll < 0.74) return this.usage(account);
    if (roll < 0.82) return this.topUp(account);
    if (roll < 0.86) return this.export(account);
    if (roll < 0.94) return this.readCredit(account);
    return this.adjust(account);
  }

  /** One call: authorize, maybe extend, end; sometimes a forward leg; retries compared. */
  async call(account) {
    const callId = this.nextId("call");
    const kinds = [
      {
        userId: "agent-1",
        direction: "outbound",
        from: NUMBERS.usAccount,
        to: NUMBERS.deFixedBerlin,
      },
      { userId: "agent-2", direction: "outbound", from: NUMBERS.deAccount, to: NUMBERS.deMobile },
      { userId: "agent-3", direction: "outbound", from: NUMBERS.deAccount, to: NUMBERS.frFixed },
      { userId: "agent-4", direction: "inbound", from: NUMBERS.usAccount, to: NUMBERS.deTollFree },
    ];
    const primary = this.pick(kinds);
    const legs = [{ leg: "primary", ...primary }];
    if (this.random() < 0.2)
      legs.push({
        leg: "forward",
        userId: primary.userId,
        direction: "outbound",
        from: NUMBERS.deAccount,
        to: NUMBERS.gbMobile,
      });
    const base = `/v1/accounts/${account.id}/calls/${callId}`;
    for (const leg of legs) {
      const authorize = { method: "POST", path: `${base}/authorize`, token: SWITCH, body: leg };
      const key = `authorize ${account.id} ${callId} ${leg.leg}`;
      const answer = await this.book.send(this.client, "call authorize", key, authorize);
      if (this.random() < RETRY_SHARE)
        await this.book.send(this.client, "call authorize", key, authorize);
      if (answer.status === 200 && !answer.body.allowed) this.refusals += 1;
      if (answer.status !== 200 || !answer.body.allowed) continue;
      let granted = answer.body.grantSeconds;
      if (this.random() < 0.4) {
        const used = Math.max(0, granted - 5);
        const extended = await this.client.request("call extend", "POST", `${base}/extend`, {
          token: SWITCH,
          body: { leg: leg.leg, usedSeconds: used },
        });
        if (extended.status === 200 && extended.body.allowed)
          granted = used + extended.body.grantSeconds;
      }
      const duration = 1 + Math.floor(this.random() * Math.max(1, Math.min(granted, 900)));
      const end = {
        method: "POST",
        path: `${base}/end`,
        token: SWITCH,
        body: { leg: leg.leg, durationSeconds: duration },
      };
      const endKey = `end ${account.id} ${callId} ${leg.leg}`;
      await this.book.send(this.client, "call end", endKey, end);
      if (this.random() < RETRY_SHARE) await this.book.send(this.client, "call end", endKey, end);
    }
  }

  async message(account) {
    const id = this.nextId("msg");
    const request = {
      method: "POST",
      path: `/v1/accounts/${account.id}/messages/${id}`,
      token: SWITCH,
      body: {
        channel: this.pick(["sms", "sms", "whatsapp", "mms"]),
        to: this.pick([NUMBERS.deMobile, NUMBERS.gbMobile]),
        fragments: 1 + Math.floor(this.random() * 3),
        userId: "agent-1",
      },
    };
    const answer = await this.book.send(
      this.client,
      "message",
      `message ${account.id} ${id}`,
      request,
    );
    if (answer.status === 402) this.refusals += 1;
    if (this.random() < RETRY_SHARE)
      await this.book.send(this.client, "message", `message ${account.id} ${id}`, request);
  }

  async usage(account) {
    const id = this.nextId("use");
    const request = {
      method: "POST",
      path: `/v1/accounts/${account.id}/usage/${id}`,
      token: SWITCH,
      body: {
        service: this.pick(["stt", "ai-voice-agents", "conversation-intelligence"]),
        seconds: 1 + Math.floor(this.random() * 600),
        userId: "agent-2",
      },
    };
    const answer = await this.book.send(
      this.client,
      "ai usage",
      `usage ${account.id} ${id}`,
      request,
    );
    if (answer.status === 402) this.refusals += 1;
    if (this.random() < RETRY_SHARE)
      await this.book.send(this.client, "ai usage", `usage ${account.id} ${id}`, request);
  }

  async topUp(account) {
    // The hot account is left to run dry.
    if (account === this.accounts[0]) return this.call(account);
    const token = this.adminKey(account);
    if (!token) return this.message(account);
    const idempotencyKey = this.nextId("soak-top-up");
    const request = {
      method: "POST",
      path: `/v1/accounts/${account.id}/top-ups`,
      token,
      body: { amount: this.pick(["5.00", "10.00", "2.50"]) },
      headers: { "Idempotency-Key": idempotencyKey },
    };
    // A retry may find the payment settled meanwhile; its id and amount must not change.
    const stable = (body) => ({ id: body.id, amount: body.amount, kind: body.kind });
    const answer = await this.book.send(
      this.client,
      "top-up",
      `top-up ${account.id} ${idempotencyKey}`,
      request,
      stable,
    );
    if (answer.status === 202) this.topUps.push({ accountId: account.id, id: answer.body.id });
    if (this.random() < RETRY_SHARE && this.adminKey(account))
      await this.book.send(
        this.client,
        "top-up",
        `top-up ${account.id} ${idempotencyKey}`,
        request,
        stable,
      );
  }

  async export(account) {
    const last = this.lastExportMs.get(account.id) ?? 0;
    const token = Date.now() - last >= EXPORT_EVERY_MS ? this.adminKey(account) : null;
    if (!token) return this.usage(account);
    this.lastExportMs.set(account.id, Date.now());
    const answer = await this.client.request(
      "export",
      "POST",
      `/v1/accounts/${account.id}/exports`,
      { token },
    );
    if (answer.status === 202 && !this.exports.some((e) => e.id === answer.body.id))
      this.exports.push({ accountId: account.id, id: answer.body.id, token });
  }

  async readCredit(account) {
    const token = this.adminKey(account);
    if (!token) return this.call(account);
    await this.client.request("credit read", "GET", `/v1/accounts/${account.id}/credit`, { token });
  }

  /** An operator's correction, retried under its Idempotency-Key. */
  async adjust(account) {
    // An operator may take a balance below zero; the hot account's overdraft is the ledger's own.
    if (account === this.accounts[0]) return this.usage(account);
    const key = this.nextId("soak-adj");
    const request = {
      method: "POST",
      path: `/v1/accounts/${account.id}/adjustments`,
      token: OPERATOR,
      body: { amount: this.pick(["0.10", "-0.25", "0.05"]), reason: "soak correction" },
      headers: { "Idempotency-Key": key },
    };
    await this.book.send(this.client, "adjustment", `adjustment ${account.id} ${key}`, request);
    if (this.random() < RETRY_SHARE)
      await this.book.send(this.client, "adjustment", `adjustment ${account.id} ${key}`, request);
  }
}
