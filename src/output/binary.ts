// Parquet is binary: written to a terminal it would garble the screen and
// help no one. A file (-o) or a pipe is fine.
import { UsageError } from '../errors.js';
import type { OutputContext } from './context.js';

/** Refuses Parquet on a terminal's stdout (exit 2). */
export function checkBinaryTarget(ctx: Pick<OutputContext, 'io'>, format: string, output: string | undefined): void {
  if (format === 'parquet' && output === undefined && ctx.io.isStdoutTTY) {
    throw new UsageError('refusing to write Parquet (binary data) to a terminal', 'pass -o FILE.parquet, or redirect stdout to a file or a program');
  }
}
