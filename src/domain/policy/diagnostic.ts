// What a policy check reports: one finding with a stable code, the document
// path it concerns and a 1-based position in the source.

export type Severity = 'error' | 'warning';

export interface Diagnostic {
  code: string;
  severity: Severity;
  /** Dotted document path such as `spend_controls[0].hard_cap`; '' for the whole file. */
  path: string;
  line: number;
  column: number;
  /** Characters to underline from `column` (at least 1). */
  length: number;
  message: string;
  /** The fix, when kt can name one. */
  suggestion: string | undefined;
}

export interface FileReport {
  file: string;
  /** The decoded source, for caret rendering; undefined when the file could not be read. */
  source: string | undefined;
  /** The file could not be read at all (missing, directory, permission): exit 1, not 2. */
  unreadable: boolean;
  diagnostics: Diagnostic[];
}

/** Every code kt emits, with a one-line title (used by SARIF rules and the docs). */
export const CODES: Readonly<Record<string, string>> = {
  E000: 'internal error',
  E001: 'file cannot be read',
  E002: 'file too large',
  E003: 'not UTF-8 text',
  E004: 'empty file',
  E005: 'YAML syntax error',
  E006: 'tab used for indentation',
  E007: 'duplicate key',
  E008: 'alias expansion refused',
  E009: 'top level is not a mapping',
  E010: 'unknown key',
  E011: 'wrong type',
  E012: 'value not allowed',
  E013: 'missing required key',
  E014: 'malformed value',
  E015: 'value out of range',
  E016: 'duplicate list item',
  E017: 'too many problems to list',
  E020: 'invalid amount',
  E021: 'soft_cap not below hard_cap',
  E022: 'duplicate spend control',
  E023: 'duplicate priority in model group',
  E024: 'cache ttl not positive',
  E025: 'duplicate provider target id',
  E026: 'policy kind in chain has no block',
  W001: 'model not in the price catalog',
  W002: 'policy block not in the chain',
  W003: 'literal API key in the file',
};

export function pathText(segments: ReadonlyArray<string | number>): string {
  let out = '';
  for (const seg of segments) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else if (/^[A-Za-z_][A-Za-z0-9_-]*$/.test(seg)) out += out === '' ? seg : `.${seg}`;
    else out += `[${JSON.stringify(seg)}]`;
  }
  return out;
}

export function hasErrors(report: FileReport): boolean {
  return report.diagnostics.some((d) => d.severity === 'error');
}

/** --strict: every warning counts as an error. */
export function promoteWarnings(report: FileReport): FileReport {
  return { ...report, diagnostics: report.diagnostics.map((d) => ({ ...d, severity: 'error' as const })) };
}
