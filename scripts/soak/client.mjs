// The soak's HTTP client: every request is timed and counted by kind and status, and
// answers to idempotent requests are remembered so that a retry answered differently is
// caught (the "no idempotency key answered two ways" invariant).

export const OPERATOR = "dev-operator-token";
export const SWITCH = "dev-switch-token";

/** Decimal money on the wire ("-0.02", "5.00", "0.0123") to integer micros; null if not money. */
export function toMicros(text) {
  const match = /^(-?)(\d+)(?:\.(\d{1,6}))?$/.exec(String(text));
  if (!match) return null;
  const [, sign, units, fraction = ""] = match;
  const micros = Number(units) * 1_000_000 + Number(fraction.padEnd(6, "0"));
  return sign === "-" ? -micros : micros;
}

export function formatMicros(micros) {
  const sign = micros < 0 ? "-" : "";
  const abs = Math.abs(micros);
  return `${sign}${Math.floor(abs / 1_000_000)}.${String(abs % 1_000_000)
    .padStart(6, "0")
    .replace(/0{1,4}$/, "")}`;
}

/** JSON with keys sorted, so two equal answers compare equal whatever their key order. */
export function canonical(value) {
  if (Array.isArray(value)) return `[${value.map(canonical).join(",")}]`;
  if (value && typeof value === "object") {
    return `{${Object.keys(value)
      .sort()
      .map((key) => `${JSON.stringify(key)}:${canonical(value[key])}`)
      .join(",")}}`;
  }
  return JSON.stringify(value);
}

/** Counts per request kind: statuses, error codes, latencies. */
export class Stats {
  kinds = new Map();
  networkErrors = [];
  serverErrors = [];

  #kind(kind) {
    let entry = this.kinds.get(kind);
    if (!entry) {
      entry = { count: 0, statuses: new Map(), codes: new Map(), latenciesMs: [] };
      this.kinds.set(kind, entry);
    }
    return entry;
  }

  record(kind, status, code, ms, what) {
    const entry = this.#kind(kind);
    entry.count += 1;
    entry.statuses.set(status, (entry.statuses.get(status) ?? 0) + 1);
    if (code) entry.codes.set(`${status} ${code}`, (entry.codes.get(`${status} ${code}`) ?? 0) + 1);
    entry.latenciesMs.push(ms);
    if (status >= 500 && this.serverErrors.length < 20)
      this.serverErrors.push({ kind, status, what, code });
  }

  networkError(kind, error, what) {
    this.#kind(kind).count += 1;
    this.#kind(kind).statuses.set("network", (this.#kind(kind).statuses.get("network") ?? 0) + 1);
    if (this.networkErrors.length < 20)
      this.networkErrors.push({ kind, what, error: String(error) });
  }

  total() {
    let count = 0;
    for (const entry of this.kinds.values()) count += entry.count;
    return count;
  }

  countWhere(test) {
    let count = 0;
    for (const entry of this.kinds.values())
      for (const [status, n] of entry.statuses) if (test(status)) count += n;
    return count;
  }
}

export class Client {
  constructor(baseUrl, stats) {
    this.baseUrl = baseUrl;
    this.stats = stats;
  }

  /** One request; never throws: a network failure is counted and answered with status 0. */
  async request(
    kind,
    method,
    path,
    { token = OPERATOR, body, rawBody, contentType, headers = {} } = {},
  ) {
    const init = { method, headers: { ...headers } };
    if (token) init.headers.Authorization = `Bearer ${token}`;
    if (body !== undefined || rawBody !== undefined) {
      init.body = rawBody ?? JSON.stringify(body);
      init.headers["Content-Type"] = contentType ?? "application/json";
    }
    const startMs = performance.now();
    try {
      const response = await fetch(`${this.baseUrl}${path}`, init);
      const text = await response.text();
      const ms = performance.now() - startMs;
      let parsed = text;
      try {
        parsed = text ? JSON.parse(text) : null;
      } catch {
        // not JSON
      }
      this.stats.record(kind, response.status, parsed?.error?.code, ms, `${method} ${path}`);
      return { status: response.status, body: parsed, ms };
    } catch (error) {
      this.stats.networkError(kind, error, `${method} ${path}`);
      return { status: 0, body: null, ms: performance.now() - startMs };
    }
  }
}

/**
 * Remembers the first successful answer to each idempotent request (by its key) and the
 * request itself, so it can be replayed at the end. `project` keeps the part of an answer
 * that must never change (a top-up's status may move on; its id and amount may not).
 */
export class AnswerBook {
  entries = new Map();
  violations = [];
  checks = 0;

  async send(client, kind, key, request, project = (body) => body) {
    const answer = await client.request(kind, request.method, request.path, request);
    if (answer.status >= 200 && answer.status < 300)
      this.note(key, request, project, answer.body, kind);
    return answer;
  }

  note(key, request, project, body, kind) {
    const seen = canonical(project(body));
    const prior = this.entries.get(key);
    if (!prior) {
      this.entries.set(key, { request, project, seen, kind });
      return;
    }
    this.checks += 1;
    if (prior.seen !== seen && this.violations.length < 20)
      this.violations.push({ key, first: prior.seen, later: seen });
  }

  /** Sends up to `limit` remembered requests again; every answer must match the first. */
  async replay(client, limit, random) {
    const keys = [...this.entries.keys()];
    for (let i = keys.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [keys[i], keys[j]] = [keys[j], keys[i]];
    }
    let replayed = 0;
    for (const key of keys.slice(0, limit)) {
      const { request, project, kind } = this.entries.get(key);
      const answer = await client.request(`replay ${kind}`, request.method, request.path, request);
      replayed += 1;
      if (answer.status < 200 || answer.status >= 300) {
        if (this.violations.length < 20)
          this.violations.push({
            key,
            first: this.entries.get(key).seen,
            later: `status ${answer.status} ${JSON.stringify(answer.body)}`,
          });
        continue;
      }
      this.note(key, request, project, answer.body, kind);
    }
    return replayed;
  }
}
