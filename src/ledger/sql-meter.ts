/**
 * Counts the rows the ledger's statements read and write, as Cloudflare bills Durable Object
 * SQLite (every row and index entry written, every row scanned). A bench instrument: off
 * unless started, and no route starts it; the bench's probe Worker does, through RPC.
 */
export interface SqlRowCounts {
  statements: number;
  rowsRead: number;
  rowsWritten: number;
  /** True when more statements ran than the meter keeps; the counts are then a floor. */
  truncated: boolean;
  /** Rows the ledger's outbox copies made D1 read and write, as D1 reports them. */
  d1RowsRead: number;
  d1RowsWritten: number;
  /** The same counts per statement text (its first 80 characters), most rows written first. */
  byStatement: Array<{ statement: string; runs: number; rowsRead: number; rowsWritten: number }>;
}

/** Cursors kept while metering: a run of a few thousand calls stays far below this. */
export const METERED_STATEMENTS_MAX = 200_000;

type AnyCursor = SqlStorageCursor<Record<string, SqlStorageValue>>;

export class SqlMeter {
  /** Null while off. A SELECT's rowsRead grows as it is iterated, so cursors are summed late. */
  #cursors: Array<{ statement: string; cursor: AnyCursor }> | null = null;
  #truncated = false;
  #d1 = { rowsRead: 0, rowsWritten: 0 };

  /** The same SQL handle, with every statement counted while the meter runs. */
  wrap(sql: SqlStorage): SqlStorage {
    return {
      exec: <T extends Record<string, SqlStorageValue>>(query: string, ...bindings: unknown[]) => {
        const cursor = sql.exec<T>(query, ...bindings);
        const cursors = this.#cursors;
        if (cursors !== null) {
          if (cursors.length < METERED_STATEMENTS_MAX)
            cursors.push({ statement: query, cursor: cursor as AnyCursor });
          else this.#truncated = true;
        }
        return cursor;
      },
      get databaseSize() {
        return sql.databaseSize;
      },
      Cursor: sql.Cursor,
      Statement: sql.Statement,
    };
  }

  /** Starts counting from zero. */
  start(): void {
    this.#cursors = [];
    this.#truncated = false;
    this.#d1 = { rowsRead: 0, rowsWritten: 0 };
  }

  /** Adds what one copy to D1 cost, while the meter runs. */
  countD1(rows: { rowsRead: number; rowsWritten: number }): void {
    if (this.#cursors === null) return;
    this.#d1 = {
      rowsRead: this.#d1.rowsRead + rows.rowsRead,
      rowsWritten: this.#d1.rowsWritten + rows.rowsWritten,
    };
  }

  /** What ran since start(), then off. */
  stop(): SqlRowCounts {
    const cursors = this.#cursors ?? [];
    const d1 = this.#d1;
    this.#cursors = null;
    this.#d1 = { rowsRead: 0, rowsWritten: 0 };
    let rowsRead = 0;
    let rowsWritten = 0;
    const byStatement = new Map<string, SqlRowCounts["byStatement"][number]>();
    for (const { statement, cursor } of cursors) {
      rowsRead += cursor.rowsRead;
      rowsWritten += cursor.rowsWritten;
      const text = statement.replace(/\s+/g, " ").trim().slice(0, 80);
      const entry = byStatement.get(text) ?? {
        statement: text,
        runs: 0,
        rowsRead: 0,
        rowsWritten: 0,
      };
      entry.runs += 1;
      entry.rowsRead += cursor.rowsRead;
      entry.rowsWritten += cursor.rowsWritten;
      byStatement.set(text, entry);
    }
    return {
      statements: cursors.length,
      rowsRead,
      rowsWritten,
      truncated: this.#truncated,
      d1RowsRead: d1.rowsRead,
      d1RowsWritten: d1.rowsWritten,
      byStatement: [...byStatement.values()].sort((a, b) => b.rowsWritten - a.rowsWritten),
    };
  }
}
