// `kt policy codes`: every code `kt policy validate` reports, as data.
import type { Context } from '../context.js';
import { readOutputOptions, type RawOutputOptions } from '../flags.js';
import { selectColumns, writeRows, type Column } from '../../output/index.js';
import { POLICY_CODES, type CodeInfo } from '../../domain/policy/codes.js';

export const CODE_COLUMNS: ReadonlyArray<Column<CodeInfo>> = [
  { name: 'code', kind: 'text', get: (c) => c.code },
  { name: 'severity', kind: 'text', get: (c) => c.severity },
  { name: 'name', kind: 'text', get: (c) => c.name },
  { name: 'title', kind: 'text', get: (c) => c.title },
];

export default async function codes(ctx: Context, opts: RawOutputOptions): Promise<void> {
  const output = readOutputOptions(ctx, opts);
  const columns = selectColumns(CODE_COLUMNS, output.fields, ['code', 'severity', 'name', 'title']);
  await writeRows(ctx, POLICY_CODES, columns, { format: output.format, header: output.header, output: output.output });
}
