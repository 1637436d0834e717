import type { CallRefusalReason } from "../rating/decide";
import type { MessageChannel } from "../rating/message-deck";
import type { CallChargeReason, UsageChargeReason } from "../rating/reasons";
import type { AiService } from "../rating/service-rates";

/**
 * The words a customer reads in the export and the dashboard for each reason code. The
 * codes themselves stay in the movement's details for machines; these are for people.
 */
export const CALL_CHARGE_WORDS: Record<CallChargeReason, string> = {
  no_package: "no calling package",
  destination_not_in_package: "destination not in package",
  number_outside_package_region: "number outside package region",
  premium_number: "premium number",
  special_number: "special or short-code number",
  toll_free_inbound: "inbound call to a toll-free number",
  toll_free_outbound: "outbound call from a toll-free number",
  forwarded_leg: "forwarded leg",
  over_fair_use: "over fair use",
};

export const CALL_REFUSAL_WORDS: Record<CallRefusalReason | "leg_ended", string> = {
  credit_exhausted:
    "Credit is used up: outbound and toll-free calls are refused until credit is added.",
  no_rate_for_destination: "No rate is set for this destination.",
  max_call_cost_reached: "The call reached the account's maximum cost per call.",
  daily_spend_cap_reached: "The account reached its daily spend cap.",
  leg_ended: "This call leg has already ended.",
};

const USAGE_CHARGE_WORDS: Record<UsageChargeReason, string> = {
  speech_to_text: "speech-to-text is charged from credit",
  allowance_exceeded: "allowance exceeded",
  no_allowance: "no allowance in plan",
};

const SERVICE_WORDS: Record<AiService, string> = {
  stt: "Speech-to-text",
  "ai-voice-agents": "AI voice agent",
  "conversation-intelligence": "Conversation Intelligence",
};

const CHANNEL_WORDS: Record<MessageChannel, string> = {
  sms: "SMS",
  mms: "MMS",
  whatsapp: "WhatsApp message",
};

export function callChargeWords(
  reason: CallChargeReason,
  destination: string,
  abandoned: boolean,
): string {
  const words = `Call to ${destination}: ${CALL_CHARGE_WORDS[reason]}`;
  return abandoned ? `${words}; never ended, charged for the time granted` : words;
}

export function messageChargeWords(
  channel: MessageChannel,
  country: string,
  fragments: number,
): string {
  return `${CHANNEL_WORDS[channel]} to ${country}, ${fragments} ${fragments === 1 ? "fragment" : "fragments"}`;
}

export function usageChargeWords(
  service: AiService,
  reason: UsageChargeReason,
  chargedMinutes: number,
): string {
  return `${SERVICE_WORDS[service]}, ${chargedMinutes} min: ${USAGE_CHARGE_WORDS[reason]}`;
}
