// Tables are for people, so they buffer their rows. On a terminal: a box
// table with bold headers; otherwise plain columns separated by two spaces,
// no box characters and no colour, so `grep` and `awk` work on them.
import type { OutputContext } from './context.js';
import { displayWidth } from './chart.js';
import type { Column } from './rows.js';
import { stdoutStyle } from './style.js';

export interface TableInput {
  headers: string[] | undefined;
  rows: string[][];
  rightAligned: boolean[];
}

export function plainTable(input: TableInput): string {
  const all = input.headers === undefined ? input.rows : [input.headers, ...input.rows];
  // A loop, not Math.max(...rows): tables may hold more rows than the call stack has room for arguments.
  const widths = input.rightAligned.map(() => 0);
  for (const cells of all) {
    for (let i = 0; i < widths.length; i += 1) widths[i] = Math.max(widths[i] ?? 0, displayWidth(cells[i] ?? ''));
  }
  const lines = all.map((cells) =>
    cells
      .map((cell, i) => {
        const gap = ' '.repeat((widths[i] ?? 0) - displayWidth(cell));
        return input.rightAligned[i] === true ? gap + cell : cell + gap;
      })
      .join('  ')
      .trimEnd(),
  );
  return lines.length === 0 ? '' : `${lines.join('\n')}\n`;
}

export async function boxTable(ctx: Pick<OutputContext, 'io' | 'env'>, input: TableInput): Promise<string> {
  const { default: Table } = await import('cli-table3');
  const style = stdoutStyle(ctx);
  const table = new Table({
    ...(input.headers === undefined ? {} : { head: input.headers.map((h) => style.bold(h)) }),
    colAligns: input.rightAligned.map((right) => (right ? 'right' : 'left')),
    // compact: a rule under the header only, one line per data row.
    style: { head: [], border: [], compact: true },
  });
  for (const row of input.rows) table.push(row);
  return `${table.toString()}\n`;
}

export function isRightAligned<R>(column: Column<R>): boolean {
  return column.kind === 'money' || column.kind === 'int' || column.kind === 'percent' || column.kind === 'share';
}
