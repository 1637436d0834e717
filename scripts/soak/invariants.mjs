// The soak's checks once traffic has stopped. For every account: nothing held, balance =
// the sum of its movements in the ledger (and each movement's balance-after follows from the
// one before), no interaction charged twice, and D1 holding the same movements once the
// outbox has drained. Across the run: every top-up settled, every export ready, every
// idempotent request answered one way (also when replayed now), no 5xx, no 429, no dropped
// connection.

import { formatMicros, OPERATOR, toMicros } from "./client.mjs";
import { HOT_OVERDRAFT_BOUND_MICROS } from "./traffic.mjs";

const SETTLE_TIMEOUT_MS = 60_000;
const POLL_MS = 250;
/** Remembered idempotent requests sent again at the end; each must get its first answer. */
export const REPLAY_SAMPLE = 300;

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function waitUntil(what, test, timeoutMs = SETTLE_TIMEOUT_MS) {
  const stopAt = Date.now() + timeoutMs;
  for (;;) {
    const outcome = await test();
    if (outcome.done) return outcome;
    if (Date.now() > stopAt)
      return { ...outcome, timedOut: `${what} did not settle within ${timeoutMs / 1000} s` };
    await sleep(POLL_MS);
  }
}

/** Every movement of the account as the ledger lists it, oldest first (operator reads are not rate limited). */
async function ledgerMovements(client, accountId) {
  const movements = [];
  let cursor = null;
  for (;;) {
    const query = cursor ? `?limit=500&cursor=${encodeURIComponent(cursor)}` : "?limit=500";
    const page = await client.request(
      "check: movements",
      "GET",
      `/v1/accounts/${accountId}/movements${query}`,
      { token: OPERATOR },
    );
    if (page.status !== 200)
      throw new Error(
        `movements of ${accountId} answered ${page.status}: ${JSON.stringify(page.body)}`,
      );
    movements.push(...page.body.movements);
    cursor = page.body.nextCursor;
    if (!cursor) return movements;
  }
}

export class Checks {
  results = [];

  pass(name, detail) {
    this.results.push({ name, ok: true, detail });
  }

  fail(name, detail) {
    this.results.push({ name, ok: false, detail });
  }

  check(name, ok, detail) {
    (ok ? this.pass : this.fail).call(this, name, detail);
  }

  get failed() {
    return this.results.filter((r) => !r.ok);
  }
}

/** Every kind of traffic the soak is meant to make, so a soak that made none of one cannot pass. */
const TRAFFIC_KINDS = [
  "call authorize",
  "call extend",
  "call end",
  "message",
  "ai usage",
  "top-up",
  "export",
  "adjustment",
  "credit read",
];

export async function checkInvariants({
  client,
  historyDbs,
  accounts,
  traffic,
  book,
  random,
  stats,
  loops,
  flushOutbox,
}) {
  const checks = new Checks();
  const missing = TRAFFIC_KINDS.filter((kind) => !(stats.kinds.get(kind)?.statuses.size > 0));
  checks.check(
    "traffic of every kind was made",
    missing.length === 0,
    missing.length ? `none of: ${missing.join(", ")}` : TRAFFIC_KINDS.join(", "),
  );
  checks.check(
    "the hot account ran out and was refused",
    traffic.refusals > 0,
    `${traffic.refusals} authorizations refused or charges answered 402`,
  );

  // Payments the sandbox confirms through its webhook: every one must reach an end state.
  const topUps = await waitUntil("top-ups", async () => {
    const pending = [];
    const failed = [];
    for (const topUp of traffic.topUps) {
      const answer = await client.request(
        "check: top-up",
        "GET",
        `/v1/accounts/${topUp.accountId}/top-ups/${topUp.id}`,
        { token: OPERATOR },
      );
      if (answer.body?.status === "pending") pending.push(topUp.id);
      if (answer.body?.status === "failed") failed.push(topUp.id);
    }
    return { done: pending.length === 0, pending, failed };
  });
  checks.check(
    "every top-up settled, none failed",
    !topUps.timedOut && topUps.failed.length === 0,
    `${traffic.topUps.length} top-ups${topUps.timedOut ? `; ${topUps.timedOut}: ${topUps.pending.slice(0, 5).join(", ")}` : ""}${topUps.failed.length ? `; failed: ${topUps.failed.join(", ")}` : ""}`,
  );

  const exportsDone = await waitUntil("exports", async () => {
    const states = new Map();
    for (const job of traffic.exports) {
      const answer = await client.request(
        "check: export",
        "GET",
        `/v1/accounts/${job.accountId}/exports/${job.id}`,
        { token: OPERATOR },
      );
      states.set(job.id, answer.body?.status ?? `status ${answer.status}`);
    }
    const notReady = [...states].filter(([, status]) => status !== "ready");
    return { done: notReady.every(([, status]) => status !== "processing"), notReady };
  });
  checks.check(
    "every export ready",
    !exportsDone.timedOut && exportsDone.notReady.length === 0,
    `${traffic.exports.length} exports${
      exportsDone.notReady.length
        ? `; not ready: ${exportsDone.notReady
            .slice(0, 5)
            .map(([id, s]) => `${id}=${s}`)
            .join(", ")}`
        : ""
    }`,
  );

  // The ledger of each account, as its Durable Object holds it.
  const ledgers = new Map();
  const holding = [];
  const unbalanced = [];
  const broken = [];
  const doubled = [];
  for (const account of accounts) {
    const credit = await client.request(
      "check: credit",
      "GET",
      `/v1/accounts/${account.id}/credit`,
      { token: OPERATOR },
    );
    const movements = await ledgerMovements(client, account.id);
    const balance = toMicros(credit.body.balance);
    const sum = movements.reduce((total, m) => total + toMicros(m.amount), 0);
    if (credit.body.reserved !== "0.00")
      holding.push(`${account.id} holds ${credit.body.reserved}`);
    if (sum !== balance)
      unbalanced.push(
        `${account.id}: balance ${credit.body.balance}, movements sum to ${formatMicros(sum)}`,
      );
    let running = 0;
    const seen = new Set();
    for (const m of movements) {
      running += toMicros(m.amount);
      if (toMicros(m.balanceAfter) !== running && broken.length < 5)
        broken.push(
          `${account.id} ${m.id}: balance after ${m.balanceAfter}, running sum ${formatMicros(running)}`,
        );
      const interaction = `${m.description} ${m.interactionId} ${m.details?.leg ?? ""}`;
      if (m.description !== "adjustment" && seen.has(interaction) && doubled.length < 5)
        doubled.push(`${account.id}: ${interaction}`);
      seen.add(interaction);
    }
    ledgers.set(account.id, { balance, movements });
  }
  const movementCount = [...ledgers.values()].reduce((n, l) => n + l.movements.length, 0);
  const hot = ledgers.get(accounts[0].id);
  const lowest = Math.min(0, ...hot.movements.map((m) => toMicros(m.balanceAfter)));
  checks.check(
    "the hot account's overdraft stayed bounded",
    lowest >= -HOT_OVERDRAFT_BOUND_MICROS,
    `lowest balance ${formatMicros(lowest)}, bound -${formatMicros(HOT_OVERDRAFT_BOUND_MICROS)} (one block + one charge, README) with ${loops} loops`,
  );
  checks.check(
    "no reservation left after every leg ended",
    holding.length === 0,
    holding.length ? holding.slice(0, 5).join("; ") : `${accounts.length} accounts, reserved 0.00`,
  );
  checks.check(
    "balance = sum of movements in every ledger",
    unbalanced.length === 0,
    unbalanced.length ? unbalanced.slice(0, 5).join("; ") : `${movementCount} movements`,
  );
  checks.check(
    "each movement's balance-after follows from the one before",
    broken.length === 0,
    broken.join("; ") || "all chained",
  );
  checks.check(
    "no interaction charged twice",
    doubled.length === 0,
    doubled.join("; ") || "each call leg, message, usage and payment once",
  );

  // D1's copy, once every ledger's outbox has drained: the alarm copies within half a
  // minute of a movement; each ledger is asked to copy now, as an export would.
  for (const account of accounts) await flushOutbox(account.id);
  const copied = await waitUntil("the outbox", async () => {
    const rows = [];
    for (const db of historyDbs)
      rows.push(
        ...(
          await db
            .prepare(
              "SELECT account_id, id, amount_micros FROM movements WHERE account_id LIKE 'soak-%'",
            )
            .all()
        ).results,
      );
    const byAccount = new Map();
    for (const row of rows) {
      const entry = byAccount.get(row.account_id) ?? { ids: new Set(), sum: 0 };
      entry.ids.add(row.id);
      entry.sum += row.amount_micros;
      byAccount.set(row.account_id, entry);
    }
    const differing = [];
    for (const [accountId, ledger] of ledgers) {
      const d1 = byAccount.get(accountId) ?? { ids: new Set(), sum: 0 };
      const missing = ledger.movements.filter((m) => !d1.ids.has(m.id)).length;
      if (missing > 0 || d1.ids.size !== ledger.movements.length || d1.sum !== ledger.balance) {
        differing.push(
          `${accountId}: D1 has ${d1.ids.size} rows summing ${formatMicros(d1.sum)}, ledger ${ledger.movements.length} summing ${formatMicros(ledger.balance)}`,
        );
      }
    }
    return { done: differing.length === 0, differing, rows: rows.length };
  });
  checks.check(
    "D1 holds the same movements as every ledger after the outbox drains",
    !copied.timedOut,
    copied.timedOut
      ? `${copied.timedOut}: ${copied.differing.slice(0, 3).join("; ")}`
      : `${copied.rows} rows`,
  );

  const replayed = await book.replay(client, REPLAY_SAMPLE, random);
  checks.check(
    "no idempotency key answered two ways",
    book.violations.length === 0,
    book.violations.length
      ? book.violations
          .slice(0, 3)
          .map((v) => `${v.key}: ${v.first.slice(0, 160)} then ${String(v.later).slice(0, 160)}`)
          .join("; ")
      : `${book.checks} repeated answers compared (${replayed} replayed after the run)`,
  );

  const serverErrors = stats.countWhere((status) => typeof status === "number" && status >= 500);
  checks.check(
    "no 5xx",
    serverErrors === 0,
    serverErrors ? `${serverErrors}: ${JSON.stringify(stats.serverErrors.slice(0, 3))}` : "none",
  );
  const limited = stats.countWhere((status) => status === 429);
  checks.check(
    "no 429 (the soak stays under the production limits)",
    limited === 0,
    limited ? `${limited} requests limited` : "none",
  );
  const dropped = stats.countWhere((status) => status === "network");
  checks.check(
    "no dropped connection",
    dropped === 0,
    dropped ? `${dropped}: ${JSON.stringify(stats.networkErrors.slice(0, 3))}` : "none",
  );
  return checks;
}
