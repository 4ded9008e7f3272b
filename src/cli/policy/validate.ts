// `kt policy validate` / `kt policy lint`. Linter conventions for CI: text
// diagnostics go to stderr with stdout left empty; json, github and sarif are
// data and go to stdout. Exit 0 valid, 2 invalid, 1 a file could not be read.
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Context } from '../context.js';
import { ExitCode, KtError, UsageError } from '../../errors.js';
import { VERSION } from '../../version.js';
import { promoteWarnings, type FileReport } from '../../domain/policy/diagnostic.js';
import { validatePolicy } from '../../domain/policy/validate.js';
import { ansi, counts, renderGithub, renderJson, renderSarif, renderText, summaryLine, type PolicyFormat } from '../../domain/policy/render.js';
import { expandGlob, hasGlob, readPolicyFile, readPolicyStdin, type Loaded } from './inputs.js';

interface Options {
  file?: string[];
  format?: PolicyFormat;
  strict?: boolean;
}

export const DEFAULT_POLICY_FILE = 'policy-config.yaml';

export default async function validate(ctx: Context, opts: Options, args: string[]): Promise<void> {
  const cwd = process.cwd();
  const format: PolicyFormat = opts.format ?? 'text';
  let requested = [...args, ...(opts.file ?? [])];
  if (requested.length === 0) {
    if (!existsSync(path.join(cwd, DEFAULT_POLICY_FILE))) {
      throw new UsageError('no policy file given', `pass a file (kt policy validate ${DEFAULT_POLICY_FILE}), a glob, or - for stdin`);
    }
    requested = [DEFAULT_POLICY_FILE];
  }
  if (requested.filter((f) => f === '-').length > 1) throw new UsageError('stdin (-) can be given only once');

  const reports: FileReport[] = [];
  const seen = new Set<string>();
  for (const arg of requested) {
    let files: string[] = [arg];
    if (arg !== '-' && hasGlob(arg) && !existsSync(path.resolve(cwd, arg))) {
      files = await expandGlob(arg, cwd);
      if (files.length === 0) {
        reports.push(unreadable(arg, 'E001', 'no files match this pattern', 'check the pattern; quote it so the shell passes it to kt unchanged'));
        continue;
      }
    }
    for (const file of files) {
      const key = file === '-' ? '-' : path.resolve(cwd, file);
      if (seen.has(key)) continue;
      seen.add(key);
      reports.push(await check(ctx, file, cwd));
    }
  }
  const final = opts.strict === true ? reports.map(promoteWarnings) : reports;

  switch (format) {
    case 'json':
      ctx.io.stdout.write(renderJson(final));
      break;
    case 'github':
      ctx.io.stdout.write(renderGithub(final));
      break;
    case 'sarif':
      ctx.io.stdout.write(renderSarif(final, VERSION));
      break;
    default: {
      const paint = ctx.io.colorStderr ? ansi : undefined;
      for (const report of final) ctx.io.stderr.write(renderText(report, paint));
    }
  }

  const c = counts(final);
  const summary = summaryLine(final);
  if (c.unreadable > 0) throw new KtError(summary, ExitCode.failure);
  if (c.invalid > 0) throw new KtError(summary, ExitCode.usage);
  ctx.log.info(summary);
}

function unreadable(file: string, code: string, message: string, suggestion?: string): FileReport {
  return { file, source: undefined, unreadable: true, diagnostics: [{ code, severity: 'error', path: '', line: 1, column: 1, length: 1, message, suggestion }] };
}

async function check(ctx: Context, file: string, cwd: string): Promise<FileReport> {
  const shown = file === '-' ? '<stdin>' : file;
  try {
    const loaded: Loaded = file === '-' ? await readPolicyStdin(ctx.io.stdin) : await readPolicyFile(file, cwd);
    if ('report' in loaded) return loaded.report;
    return validatePolicy(loaded.file, loaded.bytes);
  } catch (error) {
    // Never crash on one file: report it and keep checking the others.
    const message = error instanceof Error ? error.message : String(error);
    ctx.log.debug(error instanceof Error && error.stack !== undefined ? error.stack : message);
    return unreadable(shown, 'E000', `internal error while checking this file: ${message}`, 'this is a bug in kt; run again with --debug for details');
  }
}
