// Turns file reports into the four output formats. Pure: returns strings.
import { CODES, type Diagnostic, type FileReport } from './diagnostic.js';

export type PolicyFormat = 'text' | 'json' | 'github' | 'sarif';

interface Paint {
  red: (s: string) => string;
  yellow: (s: string) => string;
  blue: (s: string) => string;
  bold: (s: string) => string;
}

const plain: Paint = { red: (s) => s, yellow: (s) => s, blue: (s) => s, bold: (s) => s };
export const ansi: Paint = {
  red: (s) => `\u001b[31m${s}\u001b[39m`,
  yellow: (s) => `\u001b[33m${s}\u001b[39m`,
  blue: (s) => `\u001b[34m${s}\u001b[39m`,
  bold: (s) => `\u001b[1m${s}\u001b[22m`,
};

/** Compiler-style text: location, code, message, the source line with a caret, and help. */
export function renderText(report: FileReport, paint: Paint = plain): string {
  const lines = report.source?.split('\n');
  let out = '';
  for (const d of report.diagnostics) {
    const label = d.severity === 'error' ? paint.red(`error[${d.code}]`) : paint.yellow(`warning[${d.code}]`);
    const where = report.unreadable ? `${report.file}:` : `${report.file}:${d.line}:${d.column}:`;
    out += `${paint.bold(where)} ${label}: ${paint.bold(d.message)}\n`;
    const sourceLine = lines?.[d.line - 1];
    if (sourceLine !== undefined && !report.unreadable) {
      const gutter = String(d.line).length;
      const shown = sourceLine.replace(/\r$/, '').replace(/\t/g, ' ');
      const clipped = shown.length > 200 ? `${shown.slice(0, 200)}…` : shown;
      const caretCol = Math.min(d.column - 1, clipped.length);
      const width = Math.max(1, Math.min(d.length, clipped.length - caretCol));
      out += `${paint.blue(`${' '.repeat(gutter)} |`)}\n`;
      out += `${paint.blue(`${d.line} |`)} ${clipped}\n`;
      out += `${paint.blue(`${' '.repeat(gutter)} |`)} ${' '.repeat(caretCol)}${(d.severity === 'error' ? paint.red : paint.yellow)('^'.repeat(width))}\n`;
    }
    if (d.suggestion !== undefined) out += `${paint.blue('help:')} ${d.suggestion}\n`;
    out += '\n';
  }
  return out;
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

function jsonDiag(d: Diagnostic): Record<string, unknown> {
  return { code: d.code, path: d.path, line: d.line, column: d.column, message: d.message, suggestion: d.suggestion ?? null };
}

export function renderJson(reports: FileReport[]): string {
  const data = reports.map((r) => ({
    valid: !r.unreadable && r.diagnostics.every((d) => d.severity !== 'error'),
    file: r.file,
    errors: r.diagnostics.filter((d) => d.severity === 'error').map(jsonDiag),
    warnings: r.diagnostics.filter((d) => d.severity === 'warning').map(jsonDiag),
  }));
  return `${JSON.stringify(data, null, 2)}\n`;
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
            rules: used.map((id) => ({ id, shortDescription: { text: CODES[id] ?? id } })),
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

function toUri(file: string): string {
  return file
    .replace(/\\/g, '/')
    .split('/')
    .map((s) => encodeURIComponent(s))
    .join('/');
}
