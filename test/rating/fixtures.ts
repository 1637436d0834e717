import { parseCallDeck, type CallDeck } from "../../src/rating/call-deck";
import type { CallRequest, RatingTables } from "../../src/rating/call-terms";
import { parseMessageDeck, type MessageDeck } from "../../src/rating/message-deck";
import { planSchema, type Plan } from "../../src/rating/plan";
import {
  SAMPLE_CALL_DECK_CSV,
  SAMPLE_CALL_DECK_VERSION,
  SAMPLE_MESSAGE_DECK_CSV,
  SAMPLE_SERVICE_RATES,
  SAMPLE_SERVICE_RATES_VERSION,
} from "../../src/rating/sample-decks";
import { serviceRatesSchema, type ServiceRates } from "../../src/rating/service-rates";

function parsedCallDeck(csv: string): CallDeck {
  const result = parseCallDeck(csv);
  if (!result.ok) throw new Error(JSON.stringify(result.errors));
  return result.deck;
}

export const sampleCallDeck = parsedCallDeck(SAMPLE_CALL_DECK_CSV);

export const sampleMessageDeck: MessageDeck = (() => {
  const result = parseMessageDeck(SAMPLE_MESSAGE_DECK_CSV);
  if (!result.ok) throw new Error(JSON.stringify(result.errors));
  return result.deck;
})();

export const sampleServiceRates: ServiceRates = serviceRatesSchema.parse(SAMPLE_SERVICE_RATES);

export const tables: RatingTables = {
  callDeck: sampleCallDeck,
  callDeckVersion: SAMPLE_CALL_DECK_VERSION,
  serviceRates: sampleServiceRates,
  serviceRatesVersion: SAMPLE_SERVICE_RATES_VERSION,
};

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

/** The seeds' "EU Domestic" package. */
export const euPlan: Plan = planSchema.parse({
  package: { name: "EU Domestic", destinations: EU, numberCountries: EU },
  allowances: { conversationIntelligenceMinutes: 100, voiceAgentMinutes: 50 },
});

export const FAIR_USE_SECONDS = 3_000 * 60;

/** Real-format numbers the phone metadata recognises. */
export const N = {
  deFixedBerlin: "+4930123456",
  deMobile: "+4915123456789",
  deTollFree: "+498001234567",
  dePremium: "+499001234567",
  deSharedCost: "+4918012345678",
  dePersonal: "+4970012345678",
  usFixed: "+12025550123",
  usTollFree: "+18002345678",
  usPremium: "+19002345678",
  gbMobile: "+447400123456",
  gbPremium: "+449098790000",
  gbUan: "+443001234567",
  frFixed: "+33123456789",
  nlMobile: "+31612345678",
  czMobile: "+420601123456",
  cnMobile: "+8613812345678",
  shortCode: "112",
} as const;

export function outbound(
  from: string,
  to: string,
  leg: CallRequest["leg"] = "primary",
): CallRequest {
  return { direction: "outbound", leg, from, to, userId: "user-1" };
}

export function inbound(
  from: string,
  to: string,
  leg: CallRequest["leg"] = "primary",
): CallRequest {
  return { direction: "inbound", leg, from, to, userId: "user-1" };
}

export const EUR = 1_000_000;

export function money(balanceMicros: number, reservedMicros = 0) {
  return { balanceMicros, availableMicros: balanceMicros - reservedMicros };
}
