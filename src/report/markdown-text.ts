/**
 * Text made safe for GitHub-flavoured Markdown: table cells and inline code. Phase keys,
 * file paths and warnings are user-controlled, so they are escaped, never trusted.
 */

/** A table cell: pipes escaped, line breaks flattened. */
export function mdCell(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

/** Inline code that survives backticks in the text (a longer fence, padded). */
export function mdCode(text: string): string {
  const longest = Math.max(0, ...(text.match(/`+/g) ?? []).map((run) => run.length));
  const fence = '`'.repeat(longest + 1);
  const pad = text.startsWith('`') || text.endsWith('`') ? ' ' : '';
  return `${fence}${pad}${text.replace(/\r?\n/g, ' ')}${pad}${fence}`;
}

/** A table: header, alignment row (`right` columns get `--:`), body. Cells are escaped here. */
export function mdTable(head: readonly string[], rows: readonly (readonly string[])[], right: ReadonlySet<number>): string {
  const line = (cells: readonly string[]): string => `| ${cells.map(mdCell).join(' | ')} |`;
  const align = `| ${head.map((_, i) => (right.has(i) ? '--:' : ':--')).join(' | ')} |`;
  return [line(head), align, ...rows.map(line)].join('\n');
}

/** Running text: characters Markdown would take as markup are escaped. */
export function mdText(text: string): string {
  return text.replace(/([\\`*_[\]<>|#])/g, '\\$1');
}
