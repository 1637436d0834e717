import { mulDivCeil, type Micros } from "../money";
import { classifyNumber } from "./classify";
import type { MessageChannel, MessageDeck } from "./message-deck";

/** 255 is the most parts a concatenated SMS header can number; more is not one message. */
export const MESSAGE_FRAGMENTS_MAX = 255;

export interface MessageRequest {
  channel: MessageChannel;
  /** E.164 destination. */
  to: string;
  fragments: number;
}

export interface MessageInput {
  request: MessageRequest;
  messageDeck: MessageDeck | null;
  messageDeckVersion: string;
  /** Only availableMicros is read; balanceMicros is accepted so callers pass one shape. */
  money: { balanceMicros: Micros; availableMicros: Micros };
}

export type MessageDecision =
  | {
      allowed: true;
      chargeReason: "message";
      channel: MessageChannel;
      /** The destination's country; the price row may be the `*` fallback (see priceCountry). */
      country: string;
      priceCountry: string;
      fragments: number;
      pricePerFragmentMicros: Micros;
      amountMicros: Micros;
      deckVersion: string;
    }
  | { allowed: false; reason: "credit_exhausted" | "no_rate_for_destination" };

/**
 * Every message is charged from credit (seeds), per fragment, by destination country and
 * channel. Refused at credit ≤ 0 (HTTP 402): "available", not "balance", because credit
 * reserved by running calls is not there to spend; a message sent with a little credit
 * left may take the balance below zero by that one message (the overdraft bound).
 */
export function decideMessage({
  request,
  messageDeck,
  messageDeckVersion,
  money,
}: MessageInput): MessageDecision {
  const { channel, to, fragments } = request;
  if (!Number.isSafeInteger(fragments) || fragments < 1 || fragments > MESSAGE_FRAGMENTS_MAX) {
    throw new RangeError(`fragments must be 1-${MESSAGE_FRAGMENTS_MAX}: ${fragments}`);
  }
  if (money.availableMicros <= 0) return { allowed: false, reason: "credit_exhausted" };
  const country = classifyNumber(to).country;
  const price = country === undefined ? undefined : messageDeck?.lookup(country, channel);
  if (!country || !price) return { allowed: false, reason: "no_rate_for_destination" };
  return {
    allowed: true,
    chargeReason: "message",
    channel,
    country,
    priceCountry: price.country,
    fragments,
    pricePerFragmentMicros: price.pricePerFragmentMicros,
    amountMicros: mulDivCeil(price.pricePerFragmentMicros, fragments, 1),
    deckVersion: messageDeckVersion,
  };
}
