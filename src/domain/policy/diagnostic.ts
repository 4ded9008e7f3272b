// What a policy check reports: findings with a stable code, the document
// path they concern and a 1-based position in the source, plus what the
// file turned out to be (pack, chain) for the product-shaped summary.
import type { parseAmount } from '../money.js';
import { codeInfo, type Severity } from './codes.js';

export type { Severity } from './codes.js';

/** An amount as the money module represents it (exact integer units). */
export type Money = ReturnType<typeof parseAmount>;

export type Path = Array<string | number>;

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

export type DocumentShape = 'config' | 'single-policy' | 'cost-controls';

/** What `kt policy lint` says about a file besides its findings (the product's JSON fields). */
export interface LintSummary {
  shape: DocumentShape;
  pack: { name: string; version: string } | null;
  chain: string[];
  /** Policy blocks checked: `policy.<kind>` blocks of a config, 1 for a single-policy document. */
  policyCount: number;
}

/** A document that passed every check: what the typed readers start from. */
export interface ValidatedPolicy {
  readonly shape: DocumentShape;
  readonly value: Readonly<Record<string, unknown>>;
  /** Every amount, parsed from its source text by the money module, keyed by path text. */
  readonly amounts: ReadonlyMap<string, Money>;
}

export interface FileReport {
  file: string;
  /** The decoded source, for caret rendering; undefined when the file could not be read. */
  source: string | undefined;
  /** The file could not be read at all (missing, directory, permission): exit 1, not 2. */
  unreadable: boolean;
  diagnostics: Diagnostic[];
  /** Undefined when the file is not a YAML mapping at all. */
  summary?: LintSummary | undefined;
  /** Set only when there is no error. */
  validated?: ValidatedPolicy | undefined;
}

export function pathText(segments: Readonly<Path>): string {
  let out = '';
  for (const seg of segments) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else if (/^[A-Za-z_][A-Za-z0-9_-]*$/.test(seg)) out += out === '' ? seg : `.${seg}`;
    else out += `[${JSON.stringify(seg)}]`;
  }
  return out;
}

/** A finding at the start of the file: for problems with the file as a whole. */
export function fileFinding(code: string, message: string, suggestion?: string, line = 1, column = 1): Diagnostic {
  return { code, severity: codeInfo(code).severity, path: '', line, column, length: 1, message, suggestion };
}

export function hasErrors(report: FileReport): boolean {
  return report.diagnostics.some((d) => d.severity === 'error');
}

/** --strict: every warning counts as an error. */
export function promoteWarnings(report: FileReport): FileReport {
  const promoted = { ...report, diagnostics: report.diagnostics.map((d) => ({ ...d, severity: 'error' as const })) };
  if (report.diagnostics.length > 0) promoted.validated = undefined;
  return promoted;
}
