import { TABLE_COLUMNS, type Row, type TableName, type Value } from './tables';

const COPY_SPECIAL = /[\\\t\n\r]/;

function copyValue(value: Value): string {
  if (value === null) return '\\N';
  if (typeof value === 'string') {
    return COPY_SPECIAL.test(value)
      ? value
          .replace(/\\/g, '\\\\')
          .replace(/\t/g, '\\t')
          .replace(/\n/g, '\\n')
          .replace(/\r/g, '\\r')
      : value;
  }
  if (typeof value === 'boolean') return value ? 't' : 'f';
  return String(value);
}

/** Rows in PostgreSQL's COPY text format (tab-separated, `\N` for null), one line each. */
export function copyText(rows: readonly Row[]): string {
  let out = '';
  for (const row of rows) {
    let line = copyValue(row[0]);
    for (let i = 1; i < row.length; i++) line += '\t' + copyValue(row[i]);
    out += line + '\n';
  }
  return out;
}

/** The COPY statement matching copyText rows of a table, reading from `source`. */
export function copyStatement(table: TableName, source = 'STDIN'): string {
  return `COPY ${table} (${TABLE_COLUMNS[table].join(', ')}) FROM ${source}`;
}
