/**
 * A small RFC 4180 CSV parser (no CSV package is among the project's dependencies, and the
 * format is small enough to parse exactly): fields separated by a delimiter, records by CRLF or
 * LF; a field in double quotes may contain delimiters, newlines and "" for a quote. A final
 * newline does not start an empty record. Rows whose field count differs from the first row's are
 * an error naming the line.
 */
import { RnnlensError } from '../core/errors.js';

export interface CsvTable {
  header: string[];
  rows: string[][];
  /** 1-based line on which each row starts (for error messages) */
  lines: number[];
}

export interface CsvOptions {
  delimiter?: string;
  /** the first record is the header (default true); otherwise columns are named 0, 1, ... */
  header?: boolean;
  /** file name for error messages */
  source?: string;
}

/** Parses CSV text into records of strings. */
export function parseCsv(text: string, opts: CsvOptions = {}): CsvTable {
  const delim = opts.delimiter ?? ',';
  const src = opts.source ?? 'CSV';
  if (delim.length !== 1 || delim === '"' || delim === '\n' || delim === '\r') {
    throw new RnnlensError(
      `parseCsv: argument 'delimiter' expected one character other than quote or newline, received ${JSON.stringify(delim)}`,
    );
  }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1); // byte order mark
  const records: string[][] = [];
  const lines: number[] = [];
  let line = 1;
  let i = 0;
  const n = text.length;
  while (i < n) {
    const startLine = line;
    const rec: string[] = [];
    for (;;) {
      let field = '';
      if (text[i] === '"') {
        const quoteLine = line;
        i++;
        for (;;) {
          if (i >= n)
            throw new RnnlensError(`${src}: line ${quoteLine}: quoted field is never closed`);
          const c = text[i]!;
          if (c === '"') {
            if (text[i + 1] === '"') {
              field += '"';
              i += 2;
              continue;
            }
            i++;
            break;
          }
          if (c === '\n') line++;
          field += c;
          i++;
        }
        const next = text[i];
        if (i < n && next !== delim && next !== '\n' && next !== '\r') {
          throw new RnnlensError(
            `${src}: line ${line}: unexpected character ${JSON.stringify(next)} after a closing quote (a quote inside a quoted field must be doubled)`,
          );
        }
      } else {
        const start = i;
        while (i < n && text[i] !== delim && text[i] !== '\n' && text[i] !== '\r') {
          if (text[i] === '"')
            throw new RnnlensError(
              `${src}: line ${line}: a quote inside an unquoted field (quote the whole field and double the quote)`,
            );
          i++;
        }
        field = text.slice(start, i);
      }
      rec.push(field);
      if (i < n && text[i] === delim) {
        i++;
        continue;
      }
      // end of record: CRLF, LF, lone CR or end of text
      if (text[i] === '\r') i++;
      if (text[i] === '\n') i++;
      line++;
      break;
    }
    records.push(rec);
    lines.push(startLine);
  }
  // Blank lines (a single empty field) between records are not data.
  const keep = records.map((r) => !(r.length === 1 && r[0] === ''));
  const recs = records.filter((_, k) => keep[k]);
  const recLines = lines.filter((_, k) => keep[k]);
  if (recs.length === 0) throw new RnnlensError(`${src}: no CSV records (the file is empty)`);
  const useHeader = opts.header ?? true;
  const width = recs[0]!.length;
  for (let k = 1; k < recs.length; k++) {
    if (recs[k]!.length !== width) {
      throw new RnnlensError(
        `${src}: line ${recLines[k]}: expected ${width} fields like the first row, found ${recs[k]!.length}`,
      );
    }
  }
  const header = useHeader ? recs[0]! : Array.from({ length: width }, (_, k) => String(k));
  return {
    header,
    rows: useHeader ? recs.slice(1) : recs,
    lines: useHeader ? recLines.slice(1) : recLines,
  };
}

/** Index of a column given by name or 0-based index; a clear error listing the columns otherwise. */
export function columnIndex(table: CsvTable, column: string | number, source = 'CSV'): number {
  const k = typeof column === 'number' ? column : table.header.indexOf(column);
  if (!(Number.isInteger(k) && k >= 0 && k < table.header.length)) {
    throw new RnnlensError(
      `${source}: column ${JSON.stringify(column)} not found; columns are [${table.header.map((h) => JSON.stringify(h)).join(', ')}]`,
    );
  }
  return k;
}
