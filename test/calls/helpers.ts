import { expect } from "vitest";
import {
  SAMPLE_CALL_DECK_CSV,
  SAMPLE_MESSAGE_DECK_CSV,
  SAMPLE_SERVICE_RATES,
} from "../../src/rating/sample-decks";
import { api, SWITCH, type ApiAnswer } from "../helpers";

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

/** The seeds' "EU Domestic" package with a few included AI minutes. */
export const EU_PLAN = {
  package: { name: "EU Domestic", destinations: EU, numberCountries: EU },
  allowances: { conversationIntelligenceMinutes: 3, voiceAgentMinutes: 2 },
};

/** Real-format numbers the phone metadata recognises, priced by the sample deck. */
export const N = {
  deAccount: "+4969123456",
  usAccount: "+12025550123",
  deFixedBerlin: "+4930123456",
  deMobile: "+4915123456789",
  deTollFree: "+498001234567",
  dePremium: "+499001234567",
  usFixed: "+12025550199",
  frFixed: "+33123456789",
  gbMobile: "+447400123456",
  shortCode: "112",
} as const;

export function putCsv(path: string, csv: string, token?: string) {
  return api("PUT", path, {
    rawBody: csv,
    headers: { "Content-Type": "text/csv" },
    ...(token !== undefined && { token }),
  });
}

/** Uploads the sample decks (a no-op when they are already in force). */
export async function uploadSampleDecks(): Promise<void> {
  expect((await putCsv("/v1/rates/calls", SAMPLE_CALL_DECK_CSV)).status).toBe(200);
  expect((await putCsv("/v1/rates/messages", SAMPLE_MESSAGE_DECK_CSV)).status).toBe(200);
  expect((await api("PUT", "/v1/rates/services", { body: SAMPLE_SERVICE_RATES })).status).toBe(200);
}

export async function setPlan(accountId: string, plan: unknown = EU_PLAN): Promise<void> {
  const res = await api("PUT", `/v1/accounts/${accountId}/plan`, { body: plan });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
}

export interface LegRequest {
  leg?: "primary" | "forward";
  userId?: string;
  direction?: "outbound" | "inbound";
  from: string;
  to: string;
}

export function authorize(accountId: string, callId: string, leg: LegRequest): Promise<ApiAnswer> {
  return api("POST", `/v1/accounts/${accountId}/calls/${callId}/authorize`, {
    token: SWITCH,
    body: { userId: "user-1", direction: "outbound", ...leg },
  });
}

export function extend(
  accountId: string,
  callId: string,
  usedSeconds: number,
  leg?: "primary" | "forward",
): Promise<ApiAnswer> {
  return api("POST", `/v1/accounts/${accountId}/calls/${callId}/extend`, {
    token: SWITCH,
    body: { usedSeconds, ...(leg && { leg }) },
  });
}

export function end(
  accountId: string,
  callId: string,
  durationSeconds: number,
  leg?: "primary" | "forward",
): Promise<ApiAnswer> {
  return api("POST", `/v1/accounts/${accountId}/calls/${callId}/end`, {
    token: SWITCH,
    body: { durationSeconds, ...(leg && { leg }) },
  });
}

export function sendMessage(
  accountId: string,
  messageId: string,
  body: Record<string, unknown>,
): Promise<ApiAnswer> {
  return api("POST", `/v1/accounts/${accountId}/messages/${messageId}`, { token: SWITCH, body });
}

export function reportUsage(
  accountId: string,
  usageId: string,
  body: Record<string, unknown>,
): Promise<ApiAnswer> {
  return api("POST", `/v1/accounts/${accountId}/usage/${usageId}`, { token: SWITCH, body });
}

export async function balanceOf(
  accountId: string,
): Promise<{ balance: string; reserved: string; available: string }> {
  const res = await api("GET", `/v1/accounts/${accountId}/credit`);
  expect(res.status).toBe(200);
  return res.body;
}

export async function movementsOf(accountId: string): Promise<any[]> {
  const res = await api("GET", `/v1/accounts/${accountId}/movements?limit=500`);
  expect(res.status).toBe(200);
  return res.body.movements;
}
