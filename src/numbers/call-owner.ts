/**
 * Which of a call's numbers is the account's own: the dialled number of an inbound call, the
 * calling number of an outbound one (forwarding legs are outbound from the account's number).
 */
export function accountNumberOf(call: {
  direction: "inbound" | "outbound";
  from: string;
  to: string;
}): string {
  return call.direction === "inbound" ? call.to : call.from;
}
