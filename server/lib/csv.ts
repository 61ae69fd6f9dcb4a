import { Readable } from 'node:stream';
import { stringify } from 'csv-stringify';

/**
 * A cell a spreadsheet would read as a formula (= + - @, TAB, CR, NUL first) gets a leading
 * `'` (ASVS 1.2.10, CWE-1236).
 */
export function neutraliseCell(value: string): string {
  return /^[=+\-@\t\r\0]/.test(value) ? `'${value}` : value;
}

type CsvCell = string | number | boolean | null | undefined;

export interface CsvColumn<T> {
  header: string;
  value: (row: T) => CsvCell;
}

/** The fields of `T` that go into a cell as they are. */
type CellField<T> = { [K in keyof T]-?: T[K] extends CsvCell ? K : never }[keyof T];

/** Columns that each show one field of the row as it is, from `[header, field]` pairs. */
export function fieldColumns<T>(
  ...fields: Array<[header: string, field: CellField<T>]>
): CsvColumn<T>[] {
  return fields.map(([header, field]) => ({ header, value: (row) => row[field] as CsvCell }));
}

/**
 * RFC 4180 (CRLF, quotes doubled), UTF-8 with a BOM so Excel reads it as UTF-8; streamed
 * from `rows` (an array, or a query read as it goes so a long export never sits in memory).
 */
export function csvStream<T>(
  rows: AsyncIterable<T> | Iterable<T>,
  columns: CsvColumn<T>[],
): Readable {
  const stringifier = stringify({
    bom: true,
    record_delimiter: 'windows',
    quoted_string: false,
  });
  async function* records() {
    yield columns.map((column) => neutraliseCell(column.header));
    for await (const row of rows) {
      yield columns.map((column) => {
        const value = column.value(row);
        if (value === null || value === undefined) return '';
        if (typeof value === 'boolean') return value ? 'Yes' : 'No';
        return neutraliseCell(String(value));
      });
    }
  }
  const source = Readable.from(records());
  source.on('error', (error) => stringifier.destroy(error));
  return source.pipe(stringifier);
}
