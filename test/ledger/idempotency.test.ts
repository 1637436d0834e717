import { describe, expect, it } from "vitest";
import { type Answered, type IdempotencyRule, once } from "../../src/ledger/idempotency";
import { ok, refuse, type LedgerResult } from "../../src/ledger/types";

const conflict = { reason: "id_reused", what: "message", id: "m-1" } as const;
const keepRefusals: IdempotencyRule = { conflict, storeRefusals: true };
const dropRefusals: IdempotencyRule = { conflict, storeRefusals: false };
const refused = refuse<number>({ reason: "credit_exhausted", availableMicros: 0 });

/** Runs the rule once and says what it answered, whether the command ran, and what it kept. */
function run(
  prior: Answered<number> | null,
  request: string,
  rule: IdempotencyRule,
  result: LedgerResult<number>,
) {
  let ran = false;
  const kept: Array<LedgerResult<number>> = [];
  const answer = once(
    prior,
    request,
    rule,
    () => {
      ran = true;
      return result;
    },
    (r) => kept.push(r),
  );
  return { answer, ran, kept };
}

describe("once: the ledger's one idempotency rule", () => {
  it.each([
    [
      "a new request runs and its answer is kept",
      null,
      "a",
      keepRefusals,
      ok(7),
      ok(7),
      true,
      [ok(7)],
    ],
    [
      "the same request again gets the kept answer, without running",
      { request: "a", result: ok(7) },
      "a",
      keepRefusals,
      ok(8),
      ok(7),
      false,
      [],
    ],
    [
      "another request under the id is the rule's conflict refusal",
      { request: "a", result: ok(7) },
      "b",
      dropRefusals,
      ok(8),
      refuse({ reason: "id_reused", what: "message", id: "m-1" }),
      false,
      [],
    ],
    [
      "a refusal is kept when the rule keeps refusals",
      null,
      "a",
      keepRefusals,
      refused,
      refused,
      true,
      [refused],
    ],
    [
      "a refusal is not kept when the rule does not",
      null,
      "a",
      dropRefusals,
      refused,
      refused,
      true,
      [],
    ],
  ] as const)("%s", (_name, prior, request, rule, result, answer, ran, kept) => {
    expect(run(prior, request, rule, result)).toEqual({ answer, ran, kept });
  });

  it("a kept refusal is answered again to the same request", () => {
    expect(run({ request: "a", result: refused }, "a", keepRefusals, ok(1)).answer).toEqual(
      refused,
    );
  });
});
