/**
 * CSV for people who open it in a spreadsheet: RFC 4180 (CRLF line ends; a field quoted when it
 * holds a comma, a quote or a line break, quotes doubled), and no cell a spreadsheet would run.
 *
 * Findings carry text that others control (account names, AWS error messages, resource names): a
 * cell starting with = + - @ (or a tab or carriage return, which some spreadsheets skip before
 * reading a formula) is prefixed with ' so it is shown as text, never evaluated. Numbers are
 * written as they are: a number cannot be a formula.
 */

export type CsvValue = string | number | boolean | null | undefined;

const FORMULA_START = /^[=+\-@\t\r]/;
const NEEDS_QUOTES = /[",\r\n]/;

export function csvCell(value: CsvValue): string {
  if (value === null || value === undefined) return '';
  let text = String(value);
  if (typeof value === 'string' && FORMULA_START.test(text)) text = `'${text}`;
  return NEEDS_QUOTES.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** One record, CRLF-terminated. */
export function csvRow(cells: readonly CsvValue[]): string {
  return `${cells.map(csvCell).join(',')}\r\n`;
}

/** A header row, then one row per record. */
export function toCsv(header: readonly string[], rows: readonly (readonly CsvValue[])[]): string {
  return [header, ...rows].map(csvRow).join('');
}
