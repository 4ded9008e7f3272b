// Turns file reports into the four output formats. Pure: returns strings.
// Colour comes in as a style object built by the CLI (chalk, with kt's
// terminal rules applied); the domain never writes escape codes itself.
import { CODE_INFO } from './codes.js';
import type { Diagnostic, FileReport } from './diagnostic.js';

export type PolicyFormat = 'text' | 'json' | 'github' | 'sarif';

type Paint = (text: string) => string;

export interface PolicyStyle {
  red: Paint;
  yellow: Paint;
  green: Paint;
  bold: Paint;
  dim: Paint;
  cyan: Paint;
}

const same: Paint = (text) => text;
export const PLAIN_STYLE: PolicyStyle = { red: same, yellow: same, green: same, bold: same, dim: same, cyan: same };

/** Compiler-style text: location, code, message, the source line with a caret, and help. */
export function renderText(report: FileReport, style: PolicyStyle = PLAIN_STYLE): string {
  const lines = report.source?.split('\n');
  let out = '';
  for (const d of report.diagnostics) {
    const label = d.severity === 'error' ? style.red(`error[${d.code}]`) : style.yellow(`warning[${d.code}]`);
    const where = report.unreadable ? `${report.file}:` : `${report.file}:${d.line}:${d.column}:`;
    out += `${style.bold(where)} ${label}: ${style.bold(d.message)}\n`;
    const sourceLine = lines?.[d.line - 1];
    if (sourceLine !== undefined && !report.unreadable) {
      const gutter = String(d.line).length;
      const shown = sourceLine.replace(/\r$/, '').replace(/\t/g, ' ');
      const clipped = shown.length > 200 ? `${shown.slice(0, 200)}…` : shown;
      const caretCol = Math.min(d.column - 1, clipped.length);
      const width = Math.max(1, Math.min(d.length, clipped.length - caretCol));
      out += `${style.cyan(`${' '.repeat(gutter)} |`)}\n`;
      out += `${style.cyan(`${d.line} |`)} ${clipped}\n`;
      out += `${style.cyan(`${' '.repeat(gutter)} |`)} ${' '.repeat(caretCol)}${(d.severity === 'error' ? style.red : style.yellow)('^'.repeat(width))}\n`;
    }
    if (d.suggestion !== undefined) out += `${style.cyan('help:')} ${d.suggestion}\n`;
    out += '\n';
  }
  return out;
}

/** The product's report for a valid file: `OK <file> is valid`, then pack, chain and count. */
export function renderValid(report: FileReport, style: PolicyStyle = PLAIN_STYLE): string {
  const s = report.summary;
  if (s === undefined || isInvalid(report)) return '';
  let pack: string;
  if (s.pack !== null) pack = `${s.pack.name} (v${s.pack.version})`;
  else if (s.shape === 'single-policy') pack = `none (a single-policy document: ${s.chain[0] ?? '?'})`;
  else {
    const blocks = report.validated !== undefined ? Object.keys(report.validated.value) : [];
    pack = `none (cost-control blocks only${blocks.length > 0 ? `: ${blocks.join(', ')}` : ''})`;
  }
  return [
    `${style.green('OK')} ${style.bold(report.file)} is valid`,
    `${style.dim('Pack:')} ${pack}`,
    `${style.dim('Chain:')} ${s.chain.length > 0 ? s.chain.join(' -> ') : 'none'}`,
    `${style.dim('Policies validated:')} ${s.policyCount}`,
    '',
  ].join('\n');
}

function isInvalid(report: FileReport): boolean {
  return report.unreadable || report.diagnostics.some((d) => d.severity === 'error');
}

export function counts(reports: FileReport[]): { files: number; invalid: number; unreadable: number; errors: number; warnings: number } {
  let errors = 0;
  let warnings = 0;
  let invalid = 0;
  let unreadable = 0;
  for (const r of reports) {
    const e = r.diagnostics.filter((d) => d.severity === 'error').length;
    errors += e;
    warnings += r.diagnostics.length - e;
    if (r.unreadable) unreadable++;
    else if (e > 0) invalid++;
  }
  return { files: reports.length, invalid, unreadable, errors, warnings };
}

const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;

export function summaryLine(reports: FileReport[]): string {
  const c = counts(reports);
  const parts: string[] = [];
  if (c.invalid > 0) parts.push(`${c.invalid} invalid`);
  if (c.unreadable > 0) parts.push(`${c.unreadable} unreadable`);
  const head = parts.length === 0 ? `${plural(c.files, 'file')} valid` : `${parts.join(', ')} of ${plural(c.files, 'file')}`;
  return `${head}: ${plural(c.errors, 'error')}, ${plural(c.warnings, 'warning')}`;
}

function jsonFinding(d: Diagnostic): Record<string, unknown> {
  return { code: d.code, path: d.path, message: d.message, suggestion: d.suggestion ?? null, line: d.line, column: d.column };
}

/**
 * One file in the product's `kt policy lint --json` shape (valid, file, pack,
 * chain, policy_count, warnings, errors), with kt's line and column on each
 * finding. `errors` is present (empty) on a valid file too.
 */
export function lintJson(report: FileReport): Record<string, unknown> {
  const s = report.summary;
  return {
    valid: !isInvalid(report),
    file: report.file,
    pack: s?.pack ?? null,
    chain: s?.chain ?? [],
    policy_count: s?.policyCount ?? 0,
    warnings: report.diagnostics.filter((d) => d.severity === 'warning').map(jsonFinding),
    errors: report.diagnostics.filter((d) => d.severity === 'error').map(jsonFinding),
  };
}

/** `--format json`: an array of lintJson objects, one per file. */
export function renderJson(reports: FileReport[]): string {
  return `${JSON.stringify(reports.map(lintJson), null, 2)}\n`;
}

// GitHub workflow commands: data escapes %, CR, LF; properties also ':' and ','.
const escData = (s: string): string => s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
const escProp = (s: string): string => escData(s).replace(/:/g, '%3A').replace(/,/g, '%2C');

export function renderGithub(reports: FileReport[]): string {
  let out = '';
  for (const r of reports) {
    for (const d of r.diagnostics) {
      const text = d.suggestion !== undefined ? `${d.message} (${d.suggestion})` : d.message;
      out += `::${d.severity === 'error' ? 'error' : 'warning'} file=${escProp(r.file)},line=${d.line},col=${d.column},title=${escProp(d.code)}::${escData(text)}\n`;
    }
  }
  return out;
}

export function renderSarif(reports: FileReport[], version: string): string {
  const used = [...new Set(reports.flatMap((r) => r.diagnostics.map((d) => d.code)))].sort();
  const log = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'kt policy validate',
            version,
            informationUri: 'https://keeptrusts.com',
            rules: used.map((id) => {
              const info = CODE_INFO.get(id);
              return {
                id,
                ...(info !== undefined ? { name: info.name } : {}),
                shortDescription: { text: info?.title ?? id },
                defaultConfiguration: { level: info?.severity ?? 'error' },
              };
            }),
          },
        },
        results: reports.flatMap((r) =>
          r.diagnostics.map((d) => ({
            ruleId: d.code,
            ruleIndex: used.indexOf(d.code),
            level: d.severity === 'error' ? 'error' : 'warning',
            message: { text: d.suggestion !== undefined ? `${d.message}. Help: ${d.suggestion}` : d.message },
            locations: [
              {
                physicalLocation: {
                  artifactLocation: { uri: toUri(r.file) },
                  region: { startLine: d.line, startColumn: d.column, endColumn: d.column + d.length },
                },
              },
            ],
          })),
        ),
      },
    ],
  };
  return `${JSON.stringify(log, null, 2)}\n`;
}

/**
 * A relative path stays a relative reference (GitHub resolves it against the
 * checkout); an absolute one becomes a file: URI, since a relative reference
 * that starts with a slash is invalid SARIF (SARIF1004).
 */
export function toUri(file: string): string {
  const slashed = file.replace(/\\/g, '/');
  const encode = (p: string): string => p.split('/').map((s) => encodeURIComponent(s)).join('/');
  const drive = /^([A-Za-z]):\//.exec(slashed);
  if (drive !== null) return `file:///${drive[1]}:/${encode(slashed.slice(3))}`;
  if (slashed.startsWith('/')) return `file://${encode(slashed)}`;
  return encode(slashed);
}
