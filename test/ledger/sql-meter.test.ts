import { describe, expect, it } from "vitest";
import { adjust, ledger, newAccount } from "../helpers";

describe("the ledger's SQL meter (a bench instrument)", () => {
  it("counts the rows a command writes and reads, and nothing while it is off", async () => {
    const account = await newAccount({ credit: "10.00" });
    const stub = ledger(account.id);

    await stub.startSqlMeter();
    expect((await adjust(account.id, "5.00", "meter-1")).status).toBe(201);
    const first = await stub.stopSqlMeter();
    // The movement and the idempotency record at least.
    expect(first.rowsWritten).toBeGreaterThanOrEqual(2);
    expect(first.rowsRead).toBeGreaterThan(0);
    expect(first.statements).toBeGreaterThan(0);
    expect(first.truncated).toBe(false);
    const movementInsert = first.byStatement.find((s) =>
      s.statement.startsWith("INSERT INTO movements"),
    );
    expect(movementInsert).toMatchObject({ runs: 1, rowsWritten: 1 });

    // A retry under the same key answers from its record and writes nothing.
    await stub.startSqlMeter();
    expect((await adjust(account.id, "5.00", "meter-1")).status).toBe(201);
    const replay = await stub.stopSqlMeter();
    expect(replay.rowsWritten).toBe(0);
    expect(replay.rowsRead).toBeGreaterThan(0);

    expect((await adjust(account.id, "1.00", "meter-2")).status).toBe(201);
    expect(await stub.stopSqlMeter()).toEqual({
      statements: 0,
      rowsRead: 0,
      rowsWritten: 0,
      truncated: false,
      d1RowsRead: 0,
      d1RowsWritten: 0,
      byStatement: [],
    });
  });
});
