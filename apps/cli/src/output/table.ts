/** A plain-text table for terminals: one header row, columns padded to their widest cell. */

export interface Column<T> {
  header: string;
  value(row: T): string;
  /** Longer cells are cut with an ellipsis (the full text is in the json and csv formats). */
  maxWidth?: number;
}

function fit(text: string, maxWidth: number | undefined): string {
  const oneLine = text.replace(/\s*[\r\n]+\s*/g, ' ');
  if (maxWidth === undefined || oneLine.length <= maxWidth) return oneLine;
  return `${oneLine.slice(0, Math.max(0, maxWidth - 1))}…`;
}

export function formatTable<T>(columns: readonly Column<T>[], rows: readonly T[]): string {
  const cells = rows.map((row) => columns.map((column) => fit(column.value(row), column.maxWidth)));
  const widths = columns.map((column, i) =>
    Math.max(column.header.length, ...cells.map((row) => row[i]?.length ?? 0)),
  );
  const line = (row: readonly string[]) =>
    row
      .map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  return [line(columns.map((column) => column.header)), ...cells.map(line)].join('\n');
}
