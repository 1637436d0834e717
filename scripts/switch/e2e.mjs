#!/usr/bin/env node
// The switch end to end: the credit service (wrangler dev, local bindings, fresh state),
// Kamailio with the shipped configuration, and real SIP calls over UDP on 127.0.0.1 between
// the project's own user agents: a "subscriber" side and a "trunk" side. Each scenario
// prints its SIP answers and charges; the run ends with "N passed, N failed" and exits
// non-zero on any failure. `--long` holds calls longer and runs more of them at once.
import { createHash } from "node:crypto";
import dgram from "node:dgram";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Kamailio } from "./kamailio.mjs";
import { CreditService, SWITCH_TOKEN, sleep } from "./service.mjs";
import { SipEndpoint } from "./sip-ua.mjs";

const ROOT = new URL("../..", import.meta.url).pathname;
const LONG = process.argv.includes("--long");
/**
 * `--stress`: Kamailio on one CPU with its timer processes at the lowest priority, so the
 * workers that handle answers overtake the timer that sends a dialog's BYEs. Without the
 * guard of credit-control.cfg (kamailio/kamailio#4169), about half the calls dropped at
 * their grant then lose the callee's BYE or their end.
 */
const STRESS = process.argv.includes("--stress");
/** `--only <regex>`: only the scenarios whose name matches (while developing). */
const ONLY = process.argv.includes("--only")
  ? process.argv[process.argv.indexOf("--only") + 1]
  : null;
const TALK_SECONDS = LONG ? 12 : 4;
const CONCURRENT_CALLS = LONG ? 50 : 20;
/** Calls that run out of credit at the same second, each on its own account. */
const DROPPED_CALLS = LONG ? 8 : 3;
/** Seconds before a grant ends that Kamailio asks for more (CREDIT_EXTEND_MARGIN). */
const EXTEND_MARGIN_SECONDS = 4;
/**
 * Kamailio's dialog timer ticks once a second and its lifetimes are whole seconds: a call it
 * drops ends within 1.5 s of its deadline (half a second of rounding, a tick of lateness).
 */
const TIMER_SLACK_MS = 1_500;

// A deck of its own, with round prices: Germany in 60 s blocks (and in the package), the
// United Kingdom in 60 s blocks at 0.60/min, the Netherlands per second at 0.60/min
// (0.01 a second), so a small balance makes short grants.
const CALL_DECK = `prefix,destination,rate_per_minute,initial_increment,subsequent_increment
49,Germany,0.0120,60,60
44,United Kingdom,0.6000,60,60
31,Netherlands,0.6000,1,1
`;
const SERVICE_RATES = {
  stt: "0.02",
  "ai-voice-agents": "0.10",
  "conversation-intelligence": "0.03",
  "toll-free-inbound": "0.60",
};
const PLAN = { package: { name: "Germany", destinations: ["DE"], numberCountries: ["DE"] } };
const DE_FIXED = "+4930901820";
const GB_MOBILE = "+447400123456";
const NL_FIXED = "+31201234567";
const FR_CALLER = "+33123456789";

const freeTcpPort = () =>
  new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
const freeUdpPort = () =>
  new Promise((resolve, reject) => {
    const socket = dgram.createSocket("udp4");
    socket.once("error", reject);
    socket.bind(0, "127.0.0.1", () => {
      const { port } = socket.address();
      socket.close(() => resolve(port));
    });
  });

const startedMs = Date.now();
const work = mkdtempSync(join(tmpdir(), "switch-e2e-"));
const logs = join(ROOT, "test-results", "switch");
rmSync(logs, { recursive: true, force: true });
mkdirSync(logs, { recursive: true });

const [httpPort, sipPort, trunkPort, subscribersPort] = [
  await freeTcpPort(),
  await freeUdpPort(),
  await freeUdpPort(),
  await freeUdpPort(),
];
const service = new CreditService({
  port: httpPort,
  state: join(work, "state"),
  log: join(logs, "service.log"),
});
const kamailio = new Kamailio({
  sipPort,
  trunkPort,
  subscribersPort,
  serviceUrl: service.base,
  switchToken: SWITCH_TOKEN,
  extendMarginSeconds: EXTEND_MARGIN_SECONDS,
  dir: join(work, "kamailio"),
  log: join(logs, "kamailio.log"),
});
mkdirSync(join(work, "kamailio"), { recursive: true });
const trunk = new SipEndpoint("trunk", trunkPort);
const subscribers = new SipEndpoint("subscriber", subscribersPort);

let stopping = null;
function stopAll() {
  stopping ??= Promise.allSettled([kamailio.stop(), service.stop()]).then(() => {
    for (const endpoint of [trunk, subscribers]) {
      try {
        endpoint.stop();
      } catch {
        // not started
      }
    }
    rmSync(work, { recursive: true, force: true });
  });
  return stopping;
}
for (const signal of ["SIGINT", "SIGTERM"])
  process.on(signal, () => stopAll().then(() => process.exit(1)));

// ---- the service's side of each check -------------------------------------------------

const api = (method, path, options) => service.call(method, path, options);

async function newAccount(id, { credit, numbers, plan }) {
  await api("POST", "/v1/accounts", {
    body: { id, name: id, currency: "EUR", email: `${id}@example.test`, timezone: "UTC" },
  });
  if (credit)
    await api("POST", `/v1/accounts/${id}/adjustments`, {
      body: { amount: credit, reason: "opening credit" },
      headers: { "Idempotency-Key": `opening-${id}` },
    });
  await api("PUT", `/v1/accounts/${id}/numbers`, { body: { numbers } });
  if (plan) await api("PUT", `/v1/accounts/${id}/plan`, { body: plan });
  return id;
}

const creditOf = (id) => api("GET", `/v1/accounts/${id}/credit`);
async function callMovements(id) {
  const { movements } = await api("GET", `/v1/accounts/${id}/movements?limit=500`);
  return movements.filter((m) => m.description === "call");
}
const usageOf = (id) => api("GET", `/v1/accounts/${id}/usage`);
/** The service's id of a SIP Call-ID, as the configuration maps it. */
const serviceCallId = (sipCallId) =>
  /^[A-Za-z0-9][A-Za-z0-9._:@-]{0,127}$/.test(sipCallId)
    ? sipCallId
    : `sip-${createHash("md5").update(sipCallId).digest("hex")}`;

/** Polls until `probe` answers something truthy, or the time is up (then its last answer). */
async function eventually(probe, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs;
  let last;
  while (Date.now() < deadline) {
    last = await probe();
    if (last) return last;
    await sleep(200);
  }
  return last;
}

// ---- the SIP side ---------------------------------------------------------------------

/**
 * How the called side answers, by "<side>:<Call-ID>" or by Call-ID for either side; by
 * default after 200 ms with 200.
 */
const plans = new Map();
for (const endpoint of [trunk, subscribers])
  endpoint.answerWith(
    (invite) =>
      plans.get(`${endpoint.name}:${invite.callId}`) ??
      plans.get(invite.callId) ?? { ringMs: 200, status: 200 },
  );
const invitedOn = (endpoint, callId) => endpoint.dialogs.has(callId);

function outboundCall(from, to, options = {}) {
  return subscribers.invite({ from, to, proxyPort: sipPort, ...options });
}
function inboundCall(from, to, options = {}) {
  return trunk.invite({ from, to, proxyPort: sipPort, ...options });
}

const describeCall = (call) =>
  `${call.responses.join("/")}${call.reasonText ? ` (${call.reasonText})` : ""}`;

// ---- the scenarios ----------------------------------------------------------------------

const results = [];
async function scenario(name, body) {
  if (ONLY && !new RegExp(ONLY).test(name)) return;
  const lines = [];
  const failures = [];
  const t0 = Date.now();
  const check = (ok, what) => {
    if (!ok) failures.push(what);
  };
  try {
    await body({ note: (line) => lines.push(line), check });
  } catch (error) {
    failures.push(`threw: ${error?.stack ?? error}`);
  }
  const seconds = ((Date.now() - t0) / 1000).toFixed(1);
  results.push({ name, ok: failures.length === 0 });
  console.log(`${failures.length === 0 ? "✓" : "✗"} ${name} (${seconds} s)`);
  for (const line of lines) console.log(`    ${line}`);
  for (const failure of failures) console.log(`    FAILED: ${failure}`);
}

async function talk(call, seconds) {
  await sleep(seconds * 1000);
  return call.hangUp();
}

async function runScenarios() {
  const packaged = await newAccount("sw-packaged", {
    credit: "10.00",
    numbers: ["+4930901001"],
    plan: PLAN,
  });
  const empty = await newAccount("sw-empty", { numbers: ["+4930901002", "+498001234502"] });
  const smalls = [];
  for (let i = 0; i < DROPPED_CALLS; i++)
    smalls.push(
      await newAccount(`sw-small-${i}`, { credit: "0.08", numbers: [`+49309013${10 + i}`] }),
    );
  const busy = await newAccount("sw-busy", { credit: "10.00", numbers: ["+4930901004"] });
  const crowd = await newAccount("sw-crowd", { credit: "80.00", numbers: ["+4930901005"] });
  const restart = await newAccount("sw-restart", { credit: "10.00", numbers: ["+4930901006"] });
  const forwarding = await newAccount("sw-forward", { credit: "10.00", numbers: ["+4930901007"] });

  await scenario("included call, answered and hung up by the caller", async ({ note, check }) => {
    const call = outboundCall("+4930901001", DE_FIXED);
    const status = await call.answered();
    check(status === 200, `answered ${status}`);
    const bye = await talk(call, TALK_SECONDS);
    check(bye === 200, `BYE answered ${bye}`);
    const report = await eventually(async () => {
      const usage = await usageOf(packaged);
      const seconds = usage.users[0]?.packageSecondsUsed;
      return seconds ? usage : null;
    });
    const used = report?.users?.[0]?.packageSecondsUsed ?? 0;
    note(
      `SIP ${describeCall(call)}, BYE ${bye}; package seconds ${used} (talked ${TALK_SECONDS} s)`,
    );
    check(Math.abs(used - TALK_SECONDS) <= 1, `package seconds ${used}, not ${TALK_SECONDS} ±1`);
    check((await callMovements(packaged)).length === 0, "an included call wrote a movement");
    check((await creditOf(packaged)).reserved === "0.00", "something is still reserved");
  });

  await scenario(
    "credit call, answered for N s: one movement for its billed duration",
    async ({ note, check }) => {
      // A Call-ID outside the service's id syntax is mapped to a hash, the same at every step.
      const sipCallId = `odd call id/${Date.now()}@127.0.0.1`;
      const call = outboundCall("+4930901001", GB_MOBILE, { callId: sipCallId });
      const status = await call.answered();
      check(status === 200, `answered ${status}`);
      const bye = await talk(call, TALK_SECONDS);
      const movements = await eventually(async () => {
        const found = await callMovements(packaged);
        return found.length > 0 ? found : null;
      });
      const movement = movements?.[0];
      note(
        `SIP ${describeCall(call)}, BYE ${bye}; movement ${movement?.amount} for ${movement?.unitsCharged} s billed, id ${movement?.interactionId}`,
      );
      check(movements?.length === 1, `${movements?.length ?? 0} movements, not 1`);
      check(
        movement?.amount === "-0.60",
        `charged ${movement?.amount}, not -0.60 (one 60 s block)`,
      );
      check(movement?.unitsCharged === 60, `billed ${movement?.unitsCharged} s, not 60`);
      check(
        movement?.interactionId === serviceCallId(sipCallId),
        "the Call-ID was not mapped to its hash",
      );
      const credit = await creditOf(packaged);
      check(credit.reserved === "0.00", `reserved ${credit.reserved}`);
      check(credit.balance === "9.40", `balance ${credit.balance}, not 9.40`);
    },
  );

  await scenario(
    "zero credit: outbound refused 402 before the callee, inbound still rings",
    async ({ note, check }) => {
      const out = outboundCall("+4930901002", GB_MOBILE);
      const status = await out.answered();
      check(status === 402, `outbound answered ${status}, not 402`);
      check(out.reasonText === "credit_exhausted", `Reason ${out.reasonText}`);
      check(!invitedOn(trunk, out.callId), "the refused call reached the trunk");
      const tollFree = inboundCall(FR_CALLER, "+498001234502");
      const tollFreeStatus = await tollFree.answered();
      check(tollFreeStatus === 402, `toll-free inbound answered ${tollFreeStatus}, not 402`);
      const inbound = inboundCall(FR_CALLER, "+4930901002");
      const inboundStatus = await inbound.answered();
      check(inboundStatus === 200, `inbound answered ${inboundStatus}, not 200`);
      check(
        invitedOn(subscribers, inbound.callId),
        "the inbound call did not reach the subscriber",
      );
      const bye = await talk(inbound, 1);
      note(
        `outbound ${describeCall(out)}; toll-free inbound ${describeCall(tollFree)}; inbound ${describeCall(inbound)}, BYE ${bye}`,
      );
      check((await callMovements(empty)).length === 0, "a movement was written");
    },
  );

  await scenario(
    `small balance, per-second rate, ${DROPPED_CALLS} calls at once: extended while credit lasts, then dropped with BYE both ways`,
    async ({ note, check }) => {
      // 0.08 at 0.01 a second: an 8 s grant. Credit added during the call (an operator's
      // adjustment, as a top-up would) lets the extend 4 s before the grant ends give 5 s more;
      // the next extend finds nothing left and is refused, so the dialog drops the call at 13 s.
      // Several at once: Kamailio's dialog timer sends all their BYEs in the same tick.
      const dropOne = async (account, i) => {
        const call = outboundCall(`+49309013${10 + i}`, NL_FIXED);
        const status = await call.answered();
        check(status === 200, `${account}: answered ${status}`);
        await api("POST", `/v1/accounts/${account}/adjustments`, {
          body: { amount: "0.05", reason: "top-up during the call" },
          headers: { "Idempotency-Key": `mid-call-${account}` },
        });
        const callee = trunk.dialogs.get(call.callId);
        await Promise.race([call.byeReceived, sleep(40_000)]);
        await eventually(() => callee?.byeReceivedAt != null, 3_000);
        const heldMs = (call.byeReceivedAt ?? Date.now()) - call.answeredAt;
        const calleeHeldMs = (callee?.byeReceivedAt ?? Date.now()) - callee?.answeredAt;
        const movements = await eventually(async () => {
          const found = await callMovements(account);
          return found.length > 0 ? found : null;
        });
        const movement = movements?.[0];
        const credit = await eventually(async () => {
          const now = await creditOf(account);
          return now.reserved === "0.00" ? now : null;
        });
        const reserved = credit?.reserved ?? (await creditOf(account)).reserved;
        const extends_ = kamailio.answersTo(serviceCallId(call.callId), "extend");
        note(
          `${account}: SIP ${describeCall(call)}; extends ${extends_.join(", ")}; BYE to the caller after ${(heldMs / 1000).toFixed(1)} s, to the callee ${callee?.byeReceivedAt ? `after ${(calleeHeldMs / 1000).toFixed(1)} s` : "NOT"}; charged ${movement?.amount} for ${movement?.unitsCharged} s; balance ${credit?.balance}, reserved ${reserved}`,
        );
        check(
          extends_[0] === "allowed" && extends_.at(-1) === "refused",
          `${account}: extends ${extends_}`,
        );
        check(call.byeReceivedAt !== null, `${account}: the caller got no BYE`);
        check(callee?.byeReceivedAt != null, `${account}: the callee got no BYE`);
        check(
          Math.abs(heldMs - 13_000) <= TIMER_SLACK_MS,
          `${account}: dropped after ${heldMs} ms, not 13 s ±${TIMER_SLACK_MS / 1000}`,
        );
        check(movements?.length === 1, `${account}: ${movements?.length ?? 0} movements, not 1`);
        // The end reports the answered time to the nearest second, never past the deadline.
        const billed = Math.min(13, Math.round(heldMs / 1000));
        check(
          Math.abs((movement?.unitsCharged ?? -99) - billed) <= 1,
          `${account}: billed ${movement?.unitsCharged} s for a call held ${heldMs} ms`,
        );
        check(
          Math.round(Number(movement?.amount) * 1e6) === -10_000 * movement?.unitsCharged,
          `${account}: charged ${movement?.amount} for ${movement?.unitsCharged} s at 0.01/s`,
        );
        // Within one block (0.01) of the balance: never more than one second's price overdrawn.
        const balanceMicros = Math.round(Number(credit?.balance) * 1e6);
        check(
          balanceMicros >= -10_000 && balanceMicros <= 10_000,
          `${account}: balance ${credit?.balance}`,
        );
        check(reserved === "0.00", `${account}: reserved ${reserved}`);
      };
      await Promise.all(smalls.map(dropOne));
    },
  );

  await scenario(
    "busy (486) and CANCEL while ringing: ended with 0 s, no charge, no hold",
    async ({ note, check }) => {
      const busyCall = outboundCall("+4930901004", GB_MOBILE, {
        callId: `busy-${Date.now()}@127.0.0.1`,
      });
      plans.set(busyCall.callId, { ringMs: 300, status: 486, reason: "Busy Here" });
      const busyStatus = await busyCall.answered();
      check(busyStatus === 486, `busy call answered ${busyStatus}`);
      const ringing = outboundCall("+4930901004", GB_MOBILE, {
        callId: `ring-${Date.now()}@127.0.0.1`,
      });
      plans.set(ringing.callId, { status: null });
      await eventually(() => ringing.responses.includes(180), 5_000);
      await sleep(1_000);
      const cancelled = await ringing.cancel();
      const ringingStatus = await ringing.answered();
      check(cancelled === 200, `CANCEL answered ${cancelled}`);
      check(ringingStatus === 487, `cancelled call answered ${ringingStatus}`);
      const credit = await eventually(async () => {
        const now = await creditOf(busy);
        return now.reserved === "0.00" ? now : null;
      });
      note(
        `busy ${describeCall(busyCall)}; ringing ${describeCall(ringing)}, CANCEL ${cancelled}; reserved ${credit?.reserved}, balance ${credit?.balance}`,
      );
      check(credit?.reserved === "0.00", "a hold is left");
      check(credit?.balance === "10.00", `balance ${credit?.balance}`);
      check((await callMovements(busy)).length === 0, "a movement was written");
    },
  );

  await scenario(
    `${CONCURRENT_CALLS} calls at once on one account: every one settled`,
    async ({ note, check }) => {
      const calls = Array.from({ length: CONCURRENT_CALLS }, (_, i) =>
        outboundCall("+4930901005", GB_MOBILE, { callId: `crowd-${i}-${Date.now()}@127.0.0.1` }),
      );
      const statuses = await Promise.all(calls.map((call) => call.answered()));
      const byes = await Promise.all(calls.map((call, i) => talk(call, 1 + (i % 3))));
      const movements = await eventually(async () => {
        const found = await callMovements(crowd);
        return found.length >= CONCURRENT_CALLS ? found : null;
      }, 20_000);
      const credit = await creditOf(crowd);
      const { movements: all } = await api("GET", `/v1/accounts/${crowd}/movements?limit=500`);
      const sumMicros = all.reduce((sum, m) => sum + Math.round(Number(m.amount) * 1e6), 0);
      const balanceMicros = Math.round(Number(credit.balance) * 1e6);
      note(
        `answers ${[...new Set(statuses)].join(",")} ×${statuses.length}, BYEs ${[...new Set(byes)].join(",")}; ${movements?.length} movements; balance ${credit.balance} = sum of movements ${(sumMicros / 1e6).toFixed(2)}`,
      );
      check(
        statuses.every((s) => s === 200),
        `answers ${statuses.join(",")}`,
      );
      check(movements?.length === CONCURRENT_CALLS, `${movements?.length} movements`);
      check(balanceMicros === sumMicros, "balance is not the sum of the movements");
      check(
        credit.balance === (80 - 0.6 * CONCURRENT_CALLS).toFixed(2),
        `balance ${credit.balance}`,
      );
      check(credit.reserved === "0.00", `reserved ${credit.reserved}`);
    },
  );

  await scenario(
    "inbound call forwarded (302) to an external number: the forward leg is charged",
    async ({ note, check }) => {
      const call = inboundCall(FR_CALLER, "+4930901007");
      plans.set(`subscriber:${call.callId}`, { ringMs: 100, status: 302, target: GB_MOBILE });
      const status = await call.answered();
      check(status === 200, `answered ${status}`);
      // The subscriber side answered 302; the trunk side got the forwarded INVITE and answered.
      check(
        trunk.dialogs.get(call.callId)?.answeredAt != null,
        "the forward never reached the trunk",
      );
      const bye = await talk(call, TALK_SECONDS);
      const movements = await eventually(async () => {
        const found = await callMovements(forwarding);
        return found.length > 0 ? found : null;
      });
      const legs = kamailio.answersTo(serviceCallId(call.callId), "authorize");
      note(
        `SIP ${describeCall(call)}, BYE ${bye}; authorize answers ${legs.join(", ")}; ${movements?.length ?? 0} movement ${movements?.[0]?.amount}`,
      );
      check(legs.length === 2 && legs.every((l) => l === "allowed"), `authorize ${legs}`);
      check(
        movements?.length === 1,
        `${movements?.length ?? 0} movements, not 1 (the forward leg)`,
      );
      check(movements?.[0]?.amount === "-0.60", `charged ${movements?.[0]?.amount}`);
      check((await creditOf(forwarding)).reserved === "0.00", "something is still reserved");
    },
  );

  await scenario(
    "the service stopped mid-call: new calls 503, the running call's end delivered later",
    async ({ note, check }) => {
      const running = outboundCall("+4930901006", GB_MOBILE);
      check((await running.answered()) === 200, "the running call was not answered");
      await service.stop();
      const refused = outboundCall("+4930901006", GB_MOBILE);
      const refusedStatus = await refused.answered();
      check(refusedStatus === 503, `a new call answered ${refusedStatus}, not 503`);
      await sleep(TALK_SECONDS * 1000);
      const bye = await running.hangUp();
      const downMs = Date.now();
      await service.start();
      const movements = await eventually(async () => {
        const found = await callMovements(restart);
        return found.length > 0 ? found : null;
      }, 60_000);
      const credit = await creditOf(restart);
      note(
        `new call ${describeCall(refused)}; running call BYE ${bye}; service back after ${((Date.now() - downMs) / 1000).toFixed(1)} s; ${movements?.length ?? 0} movement ${movements?.[0]?.amount}; reserved ${credit.reserved}`,
      );
      check(refused.reasonText === "credit_service_unavailable", `Reason ${refused.reasonText}`);
      check(movements?.length === 1, `${movements?.length ?? 0} movements, not 1`);
      check(movements?.[0]?.amount === "-0.60", `charged ${movements?.[0]?.amount}`);
      check(credit.reserved === "0.00", `reserved ${credit.reserved}`);
    },
  );
}

let exitCode = 1;
try {
  service.migrate();
  await service.start();
  await api("PUT", "/v1/rates/calls", { body: CALL_DECK, contentType: "text/csv" });
  await api("PUT", "/v1/rates/services", { body: SERVICE_RATES });
  kamailio.check();
  await kamailio.start();
  if (STRESS) await kamailio.starveTimers();
  await trunk.start();
  await subscribers.start();
  console.log(
    `service ${service.base}, Kamailio udp:127.0.0.1:${sipPort}${STRESS ? " (stress: one CPU, timers starved)" : ""}, trunk :${trunkPort}, subscribers :${subscribersPort} (logs: ${logs})`,
  );
  await runScenarios();
  const passed = results.filter((r) => r.ok).length;
  const failed = results.length - passed;
  console.log(
    `\n${passed} passed, ${failed} failed in ${((Date.now() - startedMs) / 1000).toFixed(0)} s`,
  );
  exitCode = failed === 0 ? 0 : 1;
} catch (error) {
  console.error(`switch e2e could not run: ${error?.stack ?? error}`);
} finally {
  await stopAll();
}
process.exit(exitCode);
