/** Number formats and tables shared by the benchmark's reports. */

export const mib = (kb: number) => (kb / 1024).toFixed(1);
export const ms = (value: number | undefined, digits = 1) =>
  value === undefined ? 'n/a' : value.toFixed(digits);
export const pct = (share: number) => `${(share * 100).toFixed(0)}%`;
export const ratio = (a: number, b: number) => `${(a / b).toFixed(2)}×`;

/** An aligned plain-text table: first column left, the others right, indented by two spaces. */
export function textTable(rows: string[][]): string {
  const widths = rows[0]?.map((_, col) => Math.max(...rows.map((r) => (r[col] ?? '').length))) ?? [];
  return rows
    .map((r) =>
      r
        .map((cell, col) => (col === 0 ? cell.padEnd(widths[col] ?? 0) : cell.padStart(widths[col] ?? 0)))
        .join('   ')
        .trimEnd(),
    )
    .map((line) => `  ${line}`)
    .join('\n');
}

/** A table already laid out the way the project's formatter (Biome) lays Markdown tables out. */
export function markdownTable(rows: string[][]): string {
  const widths = rows[0]?.map((_, col) => Math.max(3, ...rows.map((r) => (r[col] ?? '').length))) ?? [];
  const pad = (cell: string, col: number) =>
    col === 0 ? cell.padEnd(widths[col] ?? 0) : cell.padStart(widths[col] ?? 0);
  const line = (cells: string[]) => `| ${cells.map(pad).join(' | ')} |`;
  const [head = [], ...body] = rows;
  const rule = `| ${widths.map((w, col) => (col === 0 ? '-'.repeat(w) : `${'-'.repeat(w - 1)}:`)).join(' | ')} |`;
  return [line(head), rule, ...body.map(line)].join('\n');
}

/** A report section of a title, a load line, tables and warnings: for the console or for Markdown. */
export interface Section {
  readonly title: string;
  readonly load: string;
  readonly tables: readonly string[][][];
  readonly warnings: readonly string[];
}

export function sectionConsole(s: Section): string {
  return [
    s.title,
    `load: ${s.load}`,
    '',
    ...s.tables.flatMap((table) => [textTable(table), '']),
    ...(s.warnings.length > 0 ? [...s.warnings, ''] : []),
  ].join('\n');
}

export function sectionMarkdown(s: Section): string {
  return [
    `# ${s.title}`,
    '',
    `- Load: ${s.load}`,
    '',
    ...s.tables.flatMap((table) => [markdownTable(table), '']),
    ...(s.warnings.length > 0 ? [...s.warnings.map((line) => `> ${line}`), ''] : []),
  ].join('\n');
}
