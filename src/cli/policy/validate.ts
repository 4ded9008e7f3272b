// `kt policy validate` / `kt policy lint`. Linter conventions for CI: text
// goes to stderr with stdout left empty; json, github and sarif are data and
// go to stdout. `--json` is the product's `kt policy lint --file F --json`:
// exactly one object for exactly one file. Exit 0 valid, 2 invalid, 1 a file
// could not be read.
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Context } from '../context.js';
import { ExitCode, KtError, UsageError } from '../../errors.js';
import { VERSION } from '../../version.js';
import { fileFinding, promoteWarnings, type FileReport } from '../../domain/policy/diagnostic.js';
import { validatePolicy } from '../../policy/validate.js';
import { counts, lintJson, renderGithub, renderJson, renderSarif, renderText, renderValid, summaryLine, type PolicyFormat, type PolicyStyle } from '../../domain/policy/render.js';
import { stderrStyle } from '../../output/style.js';
import { expandGlob, isGlobPattern, readPolicyFile, readPolicyStdin, type Loaded } from './inputs.js';

interface Options {
  file?: string[];
  format?: PolicyFormat;
  json?: boolean;
  strict?: boolean;
}

export const DEFAULT_POLICY_FILE = 'policy-config.yaml';

export function policyStyle(ctx: Pick<Context, 'io' | 'env'>): PolicyStyle {
  const chalk = stderrStyle(ctx);
  return {
    red: (s) => chalk.red(s),
    yellow: (s) => chalk.yellow(s),
    green: (s) => chalk.green(s),
    bold: (s) => chalk.bold(s),
    dim: (s) => chalk.dim(s),
    cyan: (s) => chalk.cyan(s),
  };
}

export default async function validate(ctx: Context, opts: Options, args: string[]): Promise<void> {
  const cwd = process.cwd();
  if (opts.json === true && opts.format !== undefined) {
    throw new UsageError(`--json conflicts with --format ${opts.format}`, '--json prints one object for one file; --format json prints an array with one object per file');
  }
  const format: PolicyFormat = opts.format ?? 'text';
  let requested = [...args, ...(opts.file ?? [])];
  if (requested.length === 0) {
    if (!existsSync(path.join(cwd, DEFAULT_POLICY_FILE))) {
      throw new UsageError('no policy file given', `pass a file (kt policy validate ${DEFAULT_POLICY_FILE}), a glob, or - for stdin`);
    }
    requested = [DEFAULT_POLICY_FILE];
  }
  if (requested.filter((f) => f === '-').length > 1) throw new UsageError('stdin (-) can be given only once');

  const inputs: Array<string | FileReport> = [];
  const seen = new Set<string>();
  for (const arg of requested) {
    let files: string[] = [arg];
    if (arg !== '-' && !existsSync(path.resolve(cwd, arg)) && (await isGlobPattern(arg))) {
      files = await expandGlob(arg, cwd);
      if (files.length === 0) {
        inputs.push(unreadable(arg, 'no files match this pattern', 'check the pattern; quote it so the shell passes it to kt unchanged'));
        continue;
      }
    }
    for (const file of files) {
      const key = file === '-' ? '-' : path.resolve(cwd, file);
      if (seen.has(key)) continue;
      seen.add(key);
      inputs.push(file);
    }
  }
  if (opts.json === true && inputs.length !== 1) {
    throw new UsageError(
      `--json reports on exactly one file; ${inputs.length} were given or matched`,
      'for several files use --format json (an array of the same objects, one per file)',
    );
  }

  const reports: FileReport[] = [];
  for (const input of inputs) reports.push(typeof input === 'string' ? await check(ctx, input, cwd) : input);
  const final = opts.strict === true ? reports.map(promoteWarnings) : reports;

  if (opts.json === true) ctx.io.stdout.write(`${JSON.stringify(lintJson(final[0]!), null, 2)}\n`);
  else if (format === 'json') ctx.io.stdout.write(renderJson(final));
  else if (format === 'github') ctx.io.stdout.write(renderGithub(final));
  else if (format === 'sarif') ctx.io.stdout.write(renderSarif(final, VERSION));
  else {
    const style = policyStyle(ctx);
    for (const report of final) {
      ctx.io.stderr.write(renderText(report, style));
      if (!ctx.globals.quiet) ctx.io.stderr.write(renderValid(report, style));
    }
  }

  const c = counts(final);
  const summary = summaryLine(final);
  if (c.unreadable > 0) throw new KtError(summary, ExitCode.failure);
  if (c.invalid > 0) throw new KtError(summary, ExitCode.usage);
  ctx.log.info(summary);
}

function unreadable(file: string, message: string, suggestion?: string, code = 'E101'): FileReport {
  return { file, source: undefined, unreadable: true, diagnostics: [fileFinding(code, message, suggestion)] };
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
    return unreadable(shown, `internal error while checking this file: ${message}`, 'this is a bug in kt; run again with --debug for details', 'E100');
  }
}
