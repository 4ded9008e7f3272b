// The policy check itself: bytes in, findings with positions out. Pure — the
// caller reads files; this module decodes, parses the YAML (keeping source
// positions), checks the document against the catalogue and applies the rules
// a schema cannot express. It sits above src/domain (it uses the yaml parser
// library) and below the CLI.
import { isAlias, isMap, isScalar, isSeq, LineCounter, Parser, parseDocument, type Document, type Node } from 'yaml';
import { checkDocument } from '../domain/policy/document.js';
import { codeInfo } from '../domain/policy/codes.js';
import { isError, type Finding } from '../domain/policy/check.js';
import { pathText, type Diagnostic, type FileReport, type LintSummary, type Money, type Path } from '../domain/policy/diagnostic.js';
import { checkRules } from '../domain/policy/rules.js';

/** An alias expanded more often than this is treated as a resource-exhaustion attack. */
export const MAX_ALIAS_COUNT = 1000;

interface Position {
  line: number;
  column: number;
  length: number;
}

/** Locates the first invalid UTF-8 sequence; -1 when the bytes are valid. */
export function invalidUtf8Offset(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i]!;
    let need: number;
    let min: number;
    if (b < 0x80) {
      i++;
      continue;
    } else if (b >= 0xc2 && b <= 0xdf) {
      need = 1;
      min = 0x80;
    } else if (b >= 0xe0 && b <= 0xef) {
      need = 2;
      min = 0x800;
    } else if (b >= 0xf0 && b <= 0xf4) {
      need = 3;
      min = 0x10000;
    } else return i;
    let cp = b & (0x3f >> need);
    for (let k = 1; k <= need; k++) {
      const c = bytes[i + k];
      if (c === undefined || (c & 0xc0) !== 0x80) return i;
      cp = (cp << 6) | (c & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return i;
    i += need + 1;
  }
  return -1;
}

function lineColOfByte(bytes: Uint8Array, offset: number): { line: number; column: number } {
  let line = 1;
  let start = 0;
  for (let i = 0; i < offset; i++) {
    if (bytes[i] === 0x0a) {
      line++;
      start = i + 1;
    }
  }
  return { line, column: offset - start + 1 };
}

function diag(code: string, pos: Position, message: string, suggestion?: string, path = ''): Diagnostic {
  return { code, severity: codeInfo(code).severity, path, line: pos.line, column: pos.column, length: Math.max(1, pos.length), message, suggestion };
}

const START: Position = { line: 1, column: 1, length: 1 };

/** Findings reported per file; a machine-generated file can have hundreds of thousands. */
export const MAX_DIAGNOSTICS = 500;

function capped(diagnostics: Diagnostic[]): Diagnostic[] {
  if (diagnostics.length <= MAX_DIAGNOSTICS) return diagnostics;
  const kept = diagnostics.slice(0, MAX_DIAGNOSTICS);
  const last = kept[kept.length - 1]!;
  const more = diagnostics.length - MAX_DIAGNOSTICS;
  kept.push(diag('E110', { line: last.line, column: last.column, length: 1 }, `${more} more problem${more === 1 ? '' : 's'} not shown (at most ${MAX_DIAGNOSTICS} per file)`, 'fix these first and run again'));
  return kept;
}

type Reporter = (diagnostics: Diagnostic[], source?: string, summary?: LintSummary, validated?: FileReport['validated']) => FileReport;

export function validatePolicy(file: string, input: Uint8Array | string): FileReport {
  const report: Reporter = (diagnostics, source, summary, validated) => ({ file, source, unreadable: false, diagnostics: capped(diagnostics), summary, validated });
  let text: string;
  if (typeof input === 'string') text = input;
  else {
    const nul = input.subarray(0, 8192).indexOf(0);
    if (nul !== -1) {
      const at = lineColOfByte(input, nul);
      return report([diag('E103', { ...at, length: 1 }, `binary data (a NUL byte at offset ${nul}); a policy file is UTF-8 YAML or JSON text`, 'check that the right file was given')]);
    }
    const bad = invalidUtf8Offset(input);
    if (bad !== -1) {
      const at = lineColOfByte(input, bad);
      const hex = input[bad]!.toString(16).padStart(2, '0');
      return report([
        diag('E103', { ...at, length: 1 }, `invalid UTF-8 byte 0x${hex} at offset ${bad}`, 're-save the file as UTF-8 (e.g. iconv -f latin1 -t utf-8)'),
      ]);
    }
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(input);
  }
  if (text.startsWith('\uFEFF')) text = text.slice(1);
  if (text.trim() === '' || stripComments(text).trim() === '') {
    return report([diag('E104', START, 'the file is empty', 'start from `kt policy schema` or examples/policy-config.yaml')], text);
  }
  return validateText(text, report);
}

function stripComments(text: string): string {
  return text
    .split('\n')
    .filter((l) => !/^\s*#/.test(l) && l.trim() !== '---' && l.trim() !== '...')
    .join('\n');
}

/**
 * The fast CST pass finds syntax errors that would make building the document
 * slow and memory-hungry (machine garbage yields hundreds of thousands); with
 * that many, report the first ones from the CST and skip composing.
 */
function cstErrors(text: string, limit: number): Array<{ offset: number; message: string }> {
  const found: Array<{ offset: number; message: string }> = [];
  const stack: unknown[] = [];
  for (const token of new Parser().parse(text)) {
    stack.push(token);
    while (stack.length > 0) {
      const t = stack.pop();
      if (t === null || typeof t !== 'object') continue;
      const rec = t as { type?: unknown; offset?: unknown; message?: unknown };
      if (rec.type === 'error' && typeof rec.offset === 'number') {
        found.push({ offset: rec.offset, message: String(rec.message) });
        if (found.length > limit) return found;
      }
      for (const v of Object.values(t)) if (v !== null && typeof v === 'object') stack.push(v);
    }
  }
  return found;
}

const CST_ERROR_LIMIT = 100;

function validateText(text: string, report: Reporter): FileReport {
  const lines = new LineCounter();
  const early = cstErrors(text, CST_ERROR_LIMIT);
  if (early.length > CST_ERROR_LIMIT) {
    for (let i = 0; i < text.length; i = text.indexOf('\n', i) + 1 || text.length) lines.addNewLine(i);
    const shown = early.slice(0, CST_ERROR_LIMIT).sort((a, b) => a.offset - b.offset);
    const list = shown.map((e) => {
      const p = lines.linePos(e.offset);
      return diag('E105', { line: p.line, column: p.col, length: 1 }, `YAML syntax error: ${lowerFirst(e.message)}`);
    });
    const last = list[list.length - 1]!;
    list.push(diag('E110', { line: last.line, column: last.column, length: 1 }, `more than ${CST_ERROR_LIMIT} syntax errors; stopped here`, 'is this really a YAML policy file?'));
    return report(list, text);
  }
  let doc: Document.Parsed;
  try {
    doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true, strict: true, version: '1.2' });
  } catch (error) {
    if (!(error instanceof RangeError)) throw error;
    return report([diag('E105', START, 'YAML syntax error: the document nests too deeply to read', 'a policy file needs only a few levels of nesting')], text);
  }
  const at = (offset: number, end?: number): Position => {
    const p = lines.linePos(offset);
    const lineEnd = text.indexOf('\n', offset);
    const stop = Math.min(end ?? offset + 1, lineEnd === -1 ? text.length : lineEnd);
    return { line: p.line, column: p.col, length: Math.max(1, stop - offset) };
  };
  const syntax: Diagnostic[] = [];
  const sourceLines = doc.errors.length > 0 ? text.split('\n') : [];
  for (const error of doc.errors) {
    const offset = error.pos[0];
    const pos = at(offset, error.pos[1]);
    const lineText = sourceLines[pos.line - 1] ?? '';
    const tab = /^[ ]*\t/.exec(lineText);
    const message = error.message.split('\n')[0] ?? error.message;
    if (error.code === 'TAB_AS_INDENT' || (tab !== null && error.code !== 'DUPLICATE_KEY')) {
      const col = tab !== null ? tab[0].length : pos.column;
      syntax.push(diag('E106', { line: pos.line, column: col, length: 1 }, 'a tab is used for indentation; YAML indents with spaces only', 'replace the tab with spaces'));
    } else if (error.code === 'DUPLICATE_KEY') {
      const key = /^\s*"?([^:"\n]+)"?\s*:/.exec(text.slice(offset, offset + 1100))?.[1]?.trim();
      syntax.push(diag('E107', { ...pos, length: key?.length ?? 1 }, key !== undefined ? `duplicate key "${key}"` : 'duplicate key', 'remove one of the two entries; YAML keeps only one and the other would be silently lost'));
    } else {
      syntax.push(diag('E105', pos, `YAML syntax error: ${lowerFirst(message.replace(/ at line \d+, column \d+:?$/, ''))}`, helpForYaml(error.code)));
    }
  }
  if (syntax.length > 0) return report(dedupeByLine(syntax), text);

  const root = doc.contents;
  if (root === null || (isScalar(root) && root.value === null)) {
    return report([diag('E104', START, 'the file has no content (only comments or an empty document)', 'start from examples/policy-config.yaml')], text);
  }
  if (!isMap(root)) {
    const kind = isSeq(root) ? 'a list' : 'a scalar value';
    const range = root.range ?? [0, 1];
    return report([diag('E109', at(range[0], range[1]), `the top level is ${kind}; a policy file is a mapping of keys such as spend_controls, model_groups, cache`, 'write `key: value` pairs at the top level')], text);
  }

  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    if (/alias/i.test(message)) {
      const aliasAt = text.search(/\*[A-Za-z0-9_-]/);
      return report([diag('E108', aliasAt === -1 ? START : at(aliasAt), `aliases expand too many times (more than ${MAX_ALIAS_COUNT}); refusing a possible alias bomb`, 'write the values out, or use fewer nested aliases')], text);
    }
    return report([diag('E105', START, `cannot read the YAML document: ${message}`)], text);
  }

  const locate = (path: Path, atKey = false): Position => {
    const found = findNode(doc, path);
    const node = atKey ? (found.key ?? found.value) : (found.value ?? found.key);
    const range = node?.range ?? root.range ?? [0, 1];
    return at(range[0], range[1]);
  };

  const amounts = new Map<string, Money>();
  const sourceOf = (path: Path): string | undefined => {
    const found = findNode(doc, path);
    const node = found.complete ? found.value : undefined;
    return node !== undefined && isScalar(node) && typeof node.source === 'string' ? node.source : undefined;
  };
  const document = value as Record<string, unknown>;
  const checked = checkDocument(document, { sourceOf, amounts });
  const findings: Finding[] = [...checked.findings];
  // A value the schema already rejected (a cap of the wrong type) gets no second finding.
  const rejected = new Set(checked.findings.filter(isError).map((f) => pathText(f.path)));
  for (const finding of checkRules({ doc: document, amounts, sourceOf })) {
    if (!rejected.has(pathText(finding.path))) findings.push(finding);
  }
  const diagnostics = findings.map((f) => diag(f.code, locate(f.path, f.atKey), f.message, f.suggestion, pathText(f.path)));
  diagnostics.sort((a, b) => a.line - b.line || a.column - b.column || a.code.localeCompare(b.code));
  const valid = !findings.some(isError);
  return report(diagnostics, text, checked.summary, valid ? { shape: checked.summary.shape, value: document, amounts } : undefined);
}

function lowerFirst(s: string): string {
  return s.length > 0 ? s[0]!.toLowerCase() + s.slice(1) : s;
}

function helpForYaml(code: string): string | undefined {
  switch (code) {
    case 'MULTIPLE_DOCS':
      return 'a policy file holds one document; remove the extra `---`';
    case 'BAD_INDENT':
    case 'MISSING_CHAR':
    case 'UNEXPECTED_TOKEN':
      return 'check indentation and that each key is followed by `: `';
    case 'BAD_ALIAS':
      return 'define the anchor (&name) before using the alias (*name)';
    default:
      return undefined;
  }
}

function dedupeByLine(list: Diagnostic[]): Diagnostic[] {
  const seen = new Set<string>();
  return list.filter((d) => {
    const key = `${d.code}:${d.line}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

interface Found {
  key: Node | undefined;
  value: Node | undefined;
  /** Every segment of the path was found. */
  complete: boolean;
}

/** Walks the YAML node tree along a document path; stops at the deepest node that exists. */
function findNode(doc: Document, path: Path): Found {
  const resolve = (node: Node | undefined): Node | undefined => (node !== undefined && isAlias(node) ? (node.resolve(doc) ?? undefined) : node);
  let value: Node | undefined = resolve(doc.contents ?? undefined);
  let key: Node | undefined;
  for (const seg of path) {
    if (value !== undefined && isMap(value)) {
      const pair = value.items.find((p) => isScalar(p.key) && String(p.key.value) === String(seg));
      if (pair === undefined) return { key, value, complete: false };
      key = pair.key as Node;
      value = resolve((pair.value ?? undefined) as Node | undefined);
      if (value === undefined || value.range === undefined || value.range === null) value = key;
    } else if (value !== undefined && isSeq(value) && typeof seg === 'number') {
      const item = resolve(value.items[seg] as Node | undefined);
      if (item === undefined) return { key, value, complete: false };
      key = item;
      value = item;
    } else return { key, value, complete: false };
  }
  return { key, value, complete: true };
}
