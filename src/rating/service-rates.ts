import { z } from "zod";
import { parseMoney, type Micros } from "../money";

export const AI_SERVICES = ["stt", "ai-voice-agents", "conversation-intelligence"] as const;
export type AiService = (typeof AI_SERVICES)[number];

/** Everything `PUT /v1/rates/services` prices, each per minute. */
export type PricedService = AiService | "toll-free-inbound" | "toll-free-outbound";

/** Priced in every service deck; toll-free outbound is optional (the destination rate stands in). */
export const REQUIRED_SERVICES: readonly PricedService[] = [...AI_SERVICES, "toll-free-inbound"];

/**
 * A price on the wire: a decimal string, at most 6 decimals, not negative. Numbers are
 * refused rather than converted, because a JSON number has already been through a float.
 */
export const priceSchema = z.string().transform((text, ctx): Micros => {
  const parsed = parseMoney(text);
  if (!parsed.ok) {
    ctx.addIssue({
      code: "custom",
      message:
        parsed.error === "too_many_decimals"
          ? "at most 6 decimals"
          : 'a decimal string such as "0.02"',
    });
    return z.NEVER;
  }
  if (parsed.micros < 0) {
    ctx.addIssue({ code: "custom", message: "must not be negative" });
    return z.NEVER;
  }
  return parsed.micros;
});

/**
 * The body of `PUT /v1/rates/services`; the prices are replaced together like a deck. An
 * outbound call from a toll-free number is billed at its destination's rate unless the
 * operator sets `toll-free-outbound`.
 */
export const serviceRatesSchema = z.strictObject({
  stt: priceSchema,
  "ai-voice-agents": priceSchema,
  "conversation-intelligence": priceSchema,
  "toll-free-inbound": priceSchema,
  "toll-free-outbound": priceSchema.optional(),
});

/** Per-minute prices in micros, keyed like the wire body. */
export type ServiceRates = z.output<typeof serviceRatesSchema>;

export function serviceRatePerMinuteMicros(
  rates: ServiceRates,
  service: PricedService,
): Micros | undefined {
  return rates[service];
}
