// A small SIP user agent over UDP, enough to drive a stateful proxy between a caller and a
// callee with no media: INVITE → 100/180/200 → ACK → BYE, CANCEL, busy and late answers,
// and the RFC 3261 retransmission timers of UDP (A/B on the client, G/H on the server, the
// 2xx retransmitted until its ACK). One SipEndpoint is one socket and plays both roles.
import { randomBytes } from "node:crypto";
import dgram from "node:dgram";
import { EventEmitter } from "node:events";

/** RFC 3261 T1, and Timer B / F / H = 64·T1: how long a transaction keeps trying. */
export const T1_MS = 500;
const TRANSACTION_TIMEOUT_MS = 64 * T1_MS;
const T2_MS = 4000;

const token = (bytes = 8) => randomBytes(bytes).toString("hex");
const branch = () => `z9hG4bK${token()}`;

/** A SIP message: start line, headers (in order, names as sent), no body kept. */
export function parseMessage(text) {
  const [head] = text.split("\r\n\r\n");
  const lines = head.split("\r\n");
  const start = lines.shift();
  const headers = [];
  for (const line of lines) {
    if (/^[ \t]/.test(line) && headers.length > 0) headers.at(-1)[1] += ` ${line.trim()}`;
    else {
      const colon = line.indexOf(":");
      headers.push([line.slice(0, colon).trim(), line.slice(colon + 1).trim()]);
    }
  }
  const response = /^SIP\/2\.0 (\d{3}) (.*)$/.exec(start);
  const request = /^([A-Z]+) (\S+) SIP\/2\.0$/.exec(start);
  const short = { v: "via", f: "from", t: "to", i: "call-id", m: "contact", l: "content-length" };
  const all = (name) =>
    headers
      .filter(([n]) => {
        const lower = n.toLowerCase();
        return (short[lower] ?? lower) === name.toLowerCase();
      })
      .flatMap(([, v]) => (/^(via|record-route|route)$/i.test(name) ? splitList(v) : [v]));
  const cseq = (all("cseq")[0] ?? "").split(/\s+/);
  return {
    status: response ? Number(response[1]) : null,
    reason: response ? response[2] : null,
    method: request ? request[1] : cseq[1],
    uri: request ? request[2] : null,
    headers,
    all,
    get: (name) => all(name)[0],
    cseqNumber: Number(cseq[0]),
    callId: all("call-id")[0],
    branch: /branch=([^;\s,]+)/.exec(all("via")[0] ?? "")?.[1],
  };
}

/** Splits a comma-separated header value, keeping commas inside <…> and quotes. */
function splitList(value) {
  const parts = [];
  let depth = 0;
  let quoted = false;
  let current = "";
  for (const ch of value) {
    if (ch === '"') quoted = !quoted;
    if (!quoted && ch === "<") depth++;
    if (!quoted && ch === ">") depth--;
    if (ch === "," && depth === 0 && !quoted) {
      parts.push(current.trim());
      current = "";
    } else current += ch;
  }
  if (current.trim()) parts.push(current.trim());
  return parts;
}

const tagOf = (header) => /;tag=([^;>\s]+)/.exec(header ?? "")?.[1] ?? null;
const uriOf = (header) => /<([^>]+)>/.exec(header)?.[1] ?? header.split(";")[0];

function build(startLine, headers) {
  const lines = [startLine, ...headers.map(([n, v]) => `${n}: ${v}`), "Content-Length: 0", "", ""];
  return lines.join("\r\n");
}

/**
 * One UDP socket on 127.0.0.1. As a caller: `invite()` returns an OutgoingCall. As a callee:
 * `answerWith(fn)` decides per INVITE how to answer (ring for a while, then 200, 486 or 302,
 * or never), and every dialog's BYE is answered 200 and recorded.
 */
export class SipEndpoint extends EventEmitter {
  constructor(name, port) {
    super();
    this.name = name;
    this.port = port;
    this.host = "127.0.0.1";
    this.socket = dgram.createSocket("udp4");
    this.clientTransactions = new Map(); // branch:method → handler
    this.serverTransactions = new Map(); // branch:method → state
    this.dialogs = new Map(); // Call-ID → the callee's side of a call this endpoint answered
    this.calls = new Map(); // Call-ID → the caller's side of a call this endpoint placed
    this.answer = () => ({ ringMs: 0, status: 200 });
    this.log = [];
  }

  start() {
    return new Promise((resolve, reject) => {
      this.socket.once("error", reject);
      this.socket.on("message", (buffer, rinfo) => this.#receive(buffer.toString(), rinfo));
      this.socket.bind(this.port, this.host, resolve);
    });
  }

  stop() {
    for (const tx of this.serverTransactions.values()) tx.stop?.();
    for (const tx of this.clientTransactions.values()) tx.stop?.();
    this.socket.close();
  }

  answerWith(decide) {
    this.answer = decide;
  }

  get contact() {
    return `<sip:${this.name}@${this.host}:${this.port}>`;
  }

  via(branchId) {
    return `SIP/2.0/UDP ${this.host}:${this.port};branch=${branchId};rport`;
  }

  send(text, port, host = "127.0.0.1") {
    this.socket.send(text, port, host);
  }

  #receive(text, rinfo) {
    let message;
    try {
      message = parseMessage(text);
    } catch {
      return;
    }
    message.source = rinfo;
    if (message.status !== null) {
      const tx = this.clientTransactions.get(`${message.branch}:${message.method}`);
      tx?.onResponse(message);
      return;
    }
    const key = `${message.branch}:${message.method === "ACK" ? "INVITE" : message.method}`;
    if (message.method === "ACK") {
      this.serverTransactions.get(key)?.onAck(message);
      this.dialogs.get(message.callId)?.onAck?.(message);
      return;
    }
    const existing = this.serverTransactions.get(key);
    if (existing) {
      existing.retransmitted(); // a retransmitted request: the last answer again
      return;
    }
    if (message.method === "INVITE") this.#incomingInvite(message);
    else if (message.method === "CANCEL") this.#incomingCancel(message);
    else if (message.method === "BYE") this.#incomingBye(message);
    else this.#respond(message, 405, "Method Not Allowed");
  }

  /** A response to `request`, copying what RFC 3261 §8.2.6 says to copy. */
  responseTo(request, status, reason, { toTag, extra = [] } = {}) {
    const headers = request.headers.filter(([n]) => /^(via|v|from|f|call-id|i|cseq)$/i.test(n));
    let to = request.get("to");
    if (toTag && !tagOf(to)) to = `${to};tag=${toTag}`;
    headers.splice(2, 0, ["To", to]);
    return build(`SIP/2.0 ${status} ${reason}`, [...headers, ...extra]);
  }

  #respond(request, status, reason, options) {
    const text = this.responseTo(request, status, reason, options);
    this.send(text, request.source.port, request.source.address);
    return text;
  }

  #incomingInvite(invite) {
    const key = `${invite.branch}:INVITE`;
    const toTag = token(4);
    const recordRoute = invite.all("record-route").map((rr) => ["Record-Route", rr]);
    const tx = { last: null, final: false, acked: false, timers: [] };
    const stop = () => {
      for (const t of tx.timers) clearTimeout(t);
      tx.timers = [];
    };
    tx.stop = stop;
    const sendAnswer = (status, reason, extra = []) => {
      tx.last = this.#respond(invite, status, reason, { toTag, extra });
    };
    tx.retransmitted = () => {
      if (tx.last) this.send(tx.last, invite.source.port, invite.source.address);
    };
    const finalAnswer = (status, reason, extra = []) => {
      if (tx.final) return;
      tx.final = true;
      stop();
      sendAnswer(status, reason, extra);
      this.emit("answered", { callId: invite.callId, status });
      // Timer G: a final answer is sent again until the ACK comes (at most 64·T1).
      let wait = T1_MS;
      const again = () => {
        if (tx.acked) return;
        tx.retransmitted();
        wait = Math.min(wait * 2, T2_MS);
        tx.timers.push(setTimeout(again, wait));
      };
      tx.timers.push(setTimeout(again, wait));
      tx.timers.push(setTimeout(() => this.serverTransactions.delete(key), TRANSACTION_TIMEOUT_MS));
    };
    tx.onAck = () => {
      tx.acked = true;
      stop();
    };
    tx.cancel = () => finalAnswer(487, "Request Terminated");
    this.serverTransactions.set(key, tx);
    const dialog = {
      callId: invite.callId,
      toTag,
      invitedAt: Date.now(),
      answeredAt: null,
      byeReceivedAt: null,
      onAck: () => tx.onAck(),
    };
    this.dialogs.set(invite.callId, dialog);
    this.emit("invite", invite);

    const plan = this.answer(invite);
    sendAnswer(180, "Ringing", recordRoute);
    if (plan.status === null) return; // rings until cancelled or timed out
    tx.timers.push(
      setTimeout(() => {
        if (plan.status === 200) {
          dialog.answeredAt = Date.now();
          finalAnswer(200, "OK", [...recordRoute, ["Contact", this.contact]]);
        } else if (plan.status === 302) {
          finalAnswer(302, "Moved Temporarily", [["Contact", `<sip:${plan.target}@127.0.0.1>`]]);
        } else finalAnswer(plan.status, plan.reason ?? "Busy Here");
      }, plan.ringMs ?? 0),
    );
  }

  #incomingCancel(cancel) {
    this.#respond(cancel, 200, "OK");
    const invite = this.serverTransactions.get(`${cancel.branch}:INVITE`);
    if (invite && !invite.final) invite.cancel();
    const dialog = this.dialogs.get(cancel.callId);
    if (dialog) dialog.cancelledAt = Date.now();
  }

  #incomingBye(bye) {
    const key = `${bye.branch}:BYE`;
    const last = this.#respond(bye, 200, "OK");
    // Timer J: a retransmitted BYE gets the same 200.
    const tx = { retransmitted: () => this.send(last, bye.source.port, bye.source.address) };
    this.serverTransactions.set(key, tx);
    setTimeout(() => this.serverTransactions.delete(key), TRANSACTION_TIMEOUT_MS);
    // A forwarded call passes this endpoint twice (caller and callee): the To tag tells which.
    const callee = this.dialogs.get(bye.callId);
    const dialog =
      callee && tagOf(bye.get("to")) === callee.toTag ? callee : this.calls.get(bye.callId);
    if (dialog && dialog.byeReceivedAt === null) {
      dialog.byeReceivedAt = Date.now();
      dialog.onBye?.();
    }
    this.emit("bye", bye);
  }

  /** A client transaction: the request sent again on Timer A/E until an answer, up to 64·T1. */
  request(text, branchId, method, proxyPort, onResponse) {
    const key = `${branchId}:${method}`;
    let wait = T1_MS;
    let timer = null;
    let answered = false;
    const giveUp = setTimeout(() => {
      clearTimeout(timer);
      this.clientTransactions.delete(key);
      onResponse({ status: 408, reason: "Request Timeout (no answer)", timedOut: true });
    }, TRANSACTION_TIMEOUT_MS);
    const again = () => {
      this.send(text, proxyPort);
      wait = method === "INVITE" ? wait * 2 : Math.min(wait * 2, T2_MS);
      timer = setTimeout(again, wait);
    };
    const stop = () => {
      clearTimeout(timer);
      clearTimeout(giveUp);
    };
    this.clientTransactions.set(key, {
      stop,
      onResponse: (response) => {
        if (!answered) clearTimeout(timer); // any answer stops the retransmissions
        answered = true;
        if (response.status >= 200) {
          clearTimeout(giveUp);
          // Kept a while to absorb retransmitted finals (each is ACKed again).
          setTimeout(() => this.clientTransactions.delete(key), TRANSACTION_TIMEOUT_MS);
        }
        onResponse(response);
      },
    });
    again();
  }

  /** Calls `to` from `from` through the proxy at 127.0.0.1:proxyPort. */
  invite({ from, to, proxyPort, callId = `${token(10)}@${this.host}`, extraHeaders = [] }) {
    return new OutgoingCall(this, { from, to, proxyPort, callId, extraHeaders });
  }
}

/** One call from the caller's side, with what it saw and when. */
export class OutgoingCall {
  constructor(endpoint, { from, to, proxyPort, callId, extraHeaders }) {
    this.endpoint = endpoint;
    this.proxyPort = proxyPort;
    this.callId = callId;
    this.fromTag = token(4);
    this.from = `<sip:${from}@127.0.0.1>;tag=${this.fromTag}`;
    this.toUri = `sip:${to}@127.0.0.1:${proxyPort}`;
    this.to = `<sip:${to}@127.0.0.1>`;
    this.cseq = 1;
    this.inviteBranch = branch();
    this.responses = [];
    this.final = null;
    this.answeredAt = null;
    this.byeReceivedAt = null;
    this.routeSet = [];
    this.remoteTarget = null;
    const { promise, resolve } = Promise.withResolvers();
    this.finalAnswer = promise;
    const bye = Promise.withResolvers();
    this.byeReceived = bye.promise;
    endpoint.calls.set(callId, {
      byeReceivedAt: null,
      onBye: () => {
        this.byeReceivedAt = Date.now();
        bye.resolve();
      },
    });
    this.inviteText = build(`INVITE ${this.toUri} SIP/2.0`, [
      ["Via", endpoint.via(this.inviteBranch)],
      ["Max-Forwards", "70"],
      ["From", this.from],
      ["To", this.to],
      ["Call-ID", callId],
      ["CSeq", `${this.cseq} INVITE`],
      ["Contact", endpoint.contact],
      ...extraHeaders,
    ]);
    endpoint.request(this.inviteText, this.inviteBranch, "INVITE", proxyPort, (response) => {
      if (response.timedOut) {
        this.final ??= response;
        resolve(response);
        return;
      }
      if (this.responses.at(-1) !== response.status || response.status < 200)
        this.responses.push(response.status);
      if (response.status < 200) return;
      if (response.status < 300) {
        if (!this.final) {
          this.final = response;
          this.answeredAt = Date.now();
          this.toHeader = response.get("to");
          this.remoteTarget = uriOf(response.get("contact"));
          this.routeSet = response.all("record-route").reverse();
        }
        this.#ackAnswer();
      } else {
        this.final ??= response;
        this.#ackRefusal(response);
      }
      resolve(this.final);
    });
  }

  /** The final status and the Reason header's text, e.g. 402 "credit_exhausted". */
  get reasonText() {
    return /text="([^"]*)"/.exec(this.final?.get?.("reason") ?? "")?.[1] ?? null;
  }

  #ackRefusal(response) {
    // The ACK of a non-2xx answer is hop-by-hop and part of the INVITE transaction.
    const text = build(`ACK ${this.toUri} SIP/2.0`, [
      ["Via", this.endpoint.via(this.inviteBranch)],
      ["Max-Forwards", "70"],
      ["From", this.from],
      ["To", response.get("to")],
      ["Call-ID", this.callId],
      ["CSeq", `${this.cseq} ACK`],
    ]);
    this.endpoint.send(text, this.proxyPort);
  }

  #inDialog(method, cseq, branchId) {
    return build(`${method} ${this.remoteTarget} SIP/2.0`, [
      ["Via", this.endpoint.via(branchId)],
      ["Max-Forwards", "70"],
      ...this.routeSet.map((r) => ["Route", r]),
      ["From", this.from],
      ["To", this.toHeader],
      ["Call-ID", this.callId],
      ["CSeq", `${cseq} ${method}`],
    ]);
  }

  #ackAnswer() {
    // The ACK of a 2xx is its own transaction, sent again for every retransmitted 200.
    this.ackBranch ??= branch();
    this.endpoint.send(this.#inDialog("ACK", this.cseq, this.ackBranch), this.proxyPort);
  }

  /** Hangs up an answered call: BYE, resolved with the status of its answer. */
  hangUp() {
    this.cseq += 1;
    const branchId = branch();
    const text = this.#inDialog("BYE", this.cseq, branchId);
    return new Promise((resolve) => {
      this.endpoint.request(text, branchId, "BYE", this.proxyPort, (response) => {
        if (response.status >= 200 || response.timedOut) resolve(response.status);
      });
    });
  }

  /** Cancels a call still ringing; resolved with the CANCEL's own answer. */
  cancel() {
    const text = build(`CANCEL ${this.toUri} SIP/2.0`, [
      ["Via", this.endpoint.via(this.inviteBranch)],
      ["Max-Forwards", "70"],
      ["From", this.from],
      ["To", this.to],
      ["Call-ID", this.callId],
      ["CSeq", `${this.cseq} CANCEL`],
    ]);
    return new Promise((resolve) => {
      this.endpoint.request(text, this.inviteBranch, "CANCEL", this.proxyPort, (response) => {
        if (response.status >= 200 || response.timedOut) resolve(response.status);
      });
    });
  }

  /** Resolves when the call is answered (or settles with its refusal). */
  async answered() {
    const final = await this.finalAnswer;
    return final.status;
  }
}
