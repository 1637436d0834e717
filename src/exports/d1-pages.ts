import {
  EXPORT_MOVEMENT_COLUMNS,
  type ExportMovementRow,
  exportMovementFromRow,
} from "../history/movement-row";
import { EXPORT_PAGE_ROWS } from "./limits";
import type { ExportMovement } from "./types";

export interface MovementPagesQuery {
  accountId: string;
  /** Inclusive bounds, as the export window gives them. */
  fromMs: number;
  toMs: number;
  /** Optional pin to the ledger as it stood at the request: rows with a later seq are left out. */
  throughSeq?: number;
  pageRows?: number;
}

// Keyset, not OFFSET: each page is an index seek on (account_id, at_ms, id) to where the
// last one stopped, so page 1 000 reads what page 1 reads (D1 bills rows read). The cursor
// must be the only lower bound: given the window's start too, SQLite seeks to that start
// and filters its way to the cursor, reading every earlier page again. The first cursor is
// (fromMs, ''), which sorts before every real id at fromMs, so the start stays inclusive.
// Six bound parameters, well under D1's 100.
export const MOVEMENT_PAGE_SQL = `SELECT ${EXPORT_MOVEMENT_COLUMNS.join(", ")}
FROM movements
WHERE account_id = ?1 AND (at_ms, id) > (?2, ?3) AND at_ms <= ?4 AND (?5 IS NULL OR seq <= ?5)
ORDER BY at_ms, id
LIMIT ?6`;

/** The account's movements in the period, oldest first, one page per iteration. */
export async function* movementPagesFromD1(
  db: D1Database,
  query: MovementPagesQuery,
): AsyncGenerator<ExportMovement[], void, undefined> {
  const pageRows = query.pageRows ?? EXPORT_PAGE_ROWS;
  if (!Number.isSafeInteger(pageRows) || pageRows < 1)
    throw new RangeError(`bad page size: ${pageRows}`);
  const statement = db.prepare(MOVEMENT_PAGE_SQL);
  let cursorAtMs = query.fromMs;
  let cursorId = "";
  for (;;) {
    const { results } = await statement
      .bind(query.accountId, cursorAtMs, cursorId, query.toMs, query.throughSeq ?? null, pageRows)
      .all<ExportMovementRow>();
    if (results.length === 0) return;
    const page = results.map(exportMovementFromRow);
    yield page;
    if (results.length < pageRows) return;
    const last = page[page.length - 1]!;
    cursorAtMs = last.atMs;
    cursorId = last.id;
  }
}
