/** A rejected row of an uploaded deck; the HTTP layer returns the list as a 400's details. */
export interface DeckError {
  /** 1-based line number in the uploaded text. */
  line: number;
  field: string;
  message: string;
}

export type DeckParseResult<T> =
  | { ok: true; deck: T }
  | { ok: false; errors: DeckError[]; errorCount: number };

/** Errors reported per upload; more are counted, not listed, so a wrong file gives a short answer. */
export const DECK_ERRORS_REPORTED_MAX = 50;

export interface CsvRow {
  line: number;
  fields: string[];
}

/**
 * Splits deck text into rows of trimmed fields. Quoted fields ("Korea, Republic of") are
 * supported within a line; a deck never needs a line break inside a field. Blank lines are
 * skipped, a UTF-8 BOM (spreadsheet exports add one) is ignored.
 */
export function csvRows(text: string): Array<CsvRow | { line: number; error: string }> {
  const rows: Array<CsvRow | { line: number; error: string }> = [];
  const lines = text.replace(/^\uFEFF/, "").split(/\r?\n/);
  for (let index = 0; index < lines.length; index++) {
    const raw = lines[index]!;
    if (raw.trim() === "") continue;
    const fields = splitLine(raw);
    rows.push(
      fields === undefined
        ? { line: index + 1, error: "unterminated quoted field" }
        : { line: index + 1, fields },
    );
  }
  return rows;
}

function splitLine(line: string): string[] | undefined {
  if (!line.includes('"')) return line.split(",").map((field) => field.trim());
  const fields: string[] = [];
  let field = "";
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const char = line[i]!;
    if (quoted) {
      if (char === '"' && line[i + 1] === '"') {
        field += '"';
        i++;
      } else if (char === '"') {
        quoted = false;
      } else {
        field += char;
      }
    } else if (char === '"' && field.trim() === "") {
      field = "";
      quoted = true;
    } else if (char === ",") {
      fields.push(field.trim());
      field = "";
    } else {
      field += char;
    }
  }
  if (quoted) return undefined;
  fields.push(field.trim());
  return fields;
}

/** Collects errors, keeping the first DECK_ERRORS_REPORTED_MAX and counting the rest. */
export class DeckErrors {
  readonly list: DeckError[] = [];
  count = 0;

  add(line: number, field: string, message: string): void {
    this.count++;
    if (this.list.length < DECK_ERRORS_REPORTED_MAX) this.list.push({ line, field, message });
  }

  failure(): { ok: false; errors: DeckError[]; errorCount: number } {
    return { ok: false, errors: this.list, errorCount: this.count };
  }
}

/** Parses a whole number of seconds as written in a deck: digits only, within 1..max. */
export function parseIncrementSeconds(text: string, max: number): number | undefined {
  if (!/^\d{1,6}$/.test(text)) return undefined;
  const seconds = Number(text);
  return seconds >= 1 && seconds <= max ? seconds : undefined;
}

/**
 * The data rows of a deck file: an oversized file is refused before any row is checked,
 * unreadable lines are reported, and a header line (first field `headerField`) is skipped.
 * Returns null when the file is refused as a whole.
 */
export function deckDataRows(
  text: string,
  errors: DeckErrors,
  deck: { rowsMax: number; what: string; headerField: string },
): CsvRow[] | null {
  const rows = csvRows(text);
  // One spare row for the header.
  if (rows.length > deck.rowsMax + 1) {
    errors.add(
      1,
      "file",
      `the deck has ${rows.length} lines, at most ${deck.rowsMax} ${deck.what}`,
    );
    return null;
  }
  const data: CsvRow[] = [];
  let first = true;
  for (const row of rows) {
    if ("error" in row) {
      errors.add(row.line, "line", row.error);
      continue;
    }
    // Only the first readable line may be the header.
    if (!(first && row.fields[0]?.toLowerCase() === deck.headerField)) data.push(row);
    first = false;
  }
  return data;
}
