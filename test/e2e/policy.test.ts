import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runKt } from '../helpers/run-kt.js';
import { INVALID, WARNING } from '../fixtures/policy/corpus.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const FIX = 'test/fixtures/policy';
const kt = (args: string[], input?: string, cwd = ROOT) => runKt(args, { cwd, ...(input !== undefined ? { input } : {}) });

interface LintJson {
  valid: boolean;
  file: string;
  pack: { name: string; version: string } | null;
  chain: string[];
  policy_count: number;
  warnings: Array<{ code: string; path: string; line: number; column: number; message: string; suggestion: string | null }>;
  errors: Array<{ code: string; path: string; line: number; column: number; message: string; suggestion: string | null }>;
}

describe('kt policy lint --file F --json (the product command, built binary)', () => {
  it('a valid file: one object in the product shape, exit 0', async () => {
    const r = await kt(['policy', 'lint', '--file', 'examples/policy-config.yaml', '--json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({
      valid: true,
      file: 'examples/policy-config.yaml',
      pack: { name: 'cost-controls', version: '1.0.0' },
      chain: ['prompt-injection', 'pii-detector', 'audit-logger'],
      policy_count: 3,
      warnings: [],
      errors: [],
    });
  });

  // Every invalid fixture through the real binary: code, path, line and exit status.
  it.each(INVALID)('invalid/%s → %s at %s line %i, exit 2', async (file, code, pathText, line, column) => {
    const r = await kt(['policy', 'lint', '--file', `${FIX}/invalid/${file}`, '--json']);
    expect(r.code).toBe(2);
    const out = JSON.parse(r.stdout) as LintJson;
    expect(out.valid).toBe(false);
    expect(out.errors.map((e) => [e.code, e.path, e.line, e.column])).toEqual([[code, pathText, line, column]]);
    expect(typeof out.errors[0]?.message).toBe('string');
  });

  it.each(WARNING)('warning/%s → %s at %s line %i, still exit 0', async (file, code, pathText, line, column) => {
    const r = await kt(['policy', 'lint', '--file', `${FIX}/warning/${file}`, '--json']);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as LintJson;
    expect(out.valid).toBe(true);
    expect(out.warnings.map((e) => [e.code, e.path, e.line, e.column])).toEqual([[code, pathText, line, column]]);
  });

  it("the product's three codes keep the product's messages", async () => {
    const unknownKind = JSON.parse((await kt(['policy', 'lint', '--file', `${FIX}/invalid/unknown-kind-in-chain.yaml`, '--json'])).stdout) as LintJson;
    expect(unknownKind.errors[0]).toMatchObject({ message: "Unknown policy kind 'pii-detecter'", suggestion: "Did you mean 'pii-detector'?" });
    const unknownKey = JSON.parse((await kt(['policy', 'lint', '--file', `${FIX}/invalid/unknown-policy-key.yaml`, '--json'])).stdout) as LintJson;
    expect(unknownKey.errors[0]?.message).toBe("Unknown key 'mode' in policy.pii-detector");
    const noBlock = JSON.parse((await kt(['policy', 'lint', '--file', `${FIX}/invalid/chain-without-block.yaml`, '--json'])).stdout) as LintJson;
    expect(noBlock.errors[0]?.message).toBe("Policy 'audit-logger' is in chain but has no config block");
    expect(noBlock.pack).toEqual({ name: 'demo', version: '1.0.0' });
  });

  it('an unreadable file: one object, exit 1', async () => {
    const r = await kt(['policy', 'lint', '--file', 'nope.yaml', '--json']);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout)).toEqual({
      valid: false,
      file: 'nope.yaml',
      pack: null,
      chain: [],
      policy_count: 0,
      warnings: [],
      errors: [{ code: 'E101', path: '', message: 'no such file', suggestion: 'check the path; globs must be quoted so kt expands them', line: 1, column: 1 }],
    });
  });

  it('--json with several files is refused (exit 2) and points at --format json; nothing on stdout', async () => {
    const two = await kt(['policy', 'lint', '--file', `${FIX}/valid/shapes/seed-cache.yaml`, '--file', `${FIX}/valid/shapes/seed-model-allowlist.yaml`, '--json']);
    expect(two.code).toBe(2);
    expect(two.stdout).toBe('');
    expect(two.stderr).toBe('error: --json reports on exactly one file; 2 were given or matched\nhint: for several files use --format json (an array of the same objects, one per file)\n');
    const glob = await kt(['policy', 'lint', `${FIX}/valid/shapes/seed-*.yaml`, '--json']);
    expect(glob.code).toBe(2);
    expect(glob.stderr).toContain('error: --json reports on exactly one file; 5 were given or matched');
    const oneByGlob = await kt(['policy', 'lint', `${FIX}/valid/shapes/seed-cach?.yaml`, '--json']);
    expect(oneByGlob.code).toBe(0);
    expect((JSON.parse(oneByGlob.stdout) as LintJson).file).toBe(`${FIX}/valid/shapes/seed-cache.yaml`);
  });

  it('--json with --format is refused (exit 2)', async () => {
    const r = await kt(['policy', 'lint', '--file', 'examples/policy-config.yaml', '--json', '--format', 'sarif']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('error: --json conflicts with --format sarif');
  });
});

describe('kt policy validate (built binary)', () => {
  it("a valid file: the product's OK block on stderr, nothing on stdout", async () => {
    const r = await kt(['policy', 'lint', '--file', 'examples/policy-config.yaml', '--strict']);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(
      [
        'OK examples/policy-config.yaml is valid',
        'Pack: cost-controls (v1.0.0)',
        'Chain: prompt-injection -> pii-detector -> audit-logger',
        'Policies validated: 3',
        '1 file valid: 0 errors, 0 warnings',
        '',
      ].join('\n'),
    );
    const quiet = await kt(['policy', 'lint', '--file', 'examples/policy-config.yaml', '-q']);
    expect(quiet.stderr).toBe('');
  });

  it('prints compiler-style diagnostics on stderr and exits 2', async () => {
    const r = await kt(['policy', 'validate', `${FIX}/invalid/unknown-policy-key.yaml`]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(
      [
        `${FIX}/invalid/unknown-policy-key.yaml:10:5: error[E002]: Unknown key 'mode' in policy.pii-detector`,
        '   |',
        '10 |     mode: strict',
        '   |     ^^^^',
        'help: valid keys: action, healthcare_mode, pci_mode, redaction, detect_patterns, categories',
        '',
        'error: 1 invalid of 1 file: 1 error, 0 warnings',
        '',
      ].join('\n'),
    );
  });

  it('lint is an alias and --file is accepted (repeatable)', async () => {
    const r = await kt(['policy', 'lint', '--file', `${FIX}/valid/shapes/seed-cache.yaml`, '--file', `${FIX}/valid/shapes/json-config.json`, '-q']);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
  });

  it('reads stdin with -', async () => {
    const ok = await kt(['policy', 'validate', '-'], 'cache:\n  enabled: true\n');
    expect(ok.code).toBe(0);
    expect(ok.stderr).toContain('OK <stdin> is valid');
    const bad = await kt(['policy', 'validate', '-'], 'cache:\n  ttl: 0\n');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('<stdin>:2:8: error[E206]: cache.ttl must be at least 1, got 0');
  });

  it('expands quoted globs itself: **, brace sets, and never node_modules', async () => {
    const r = await kt(['policy', 'validate', '--format', 'json', `${FIX}/valid/shapes/seed-*.yaml`]);
    expect(r.code).toBe(0);
    const files = (JSON.parse(r.stdout) as LintJson[]).map((f) => f.file);
    expect(files).toEqual(['cache', 'cost-controls', 'model-allowlist', 'model-groups', 'spend-controls'].map((f) => `${FIX}/valid/shapes/seed-${f}.yaml`));
    const all = await kt(['policy', 'validate', '--format', 'json', `${FIX}/valid/**/*.{yaml,json}`]);
    expect(all.code).toBe(0);
    expect((JSON.parse(all.stdout) as LintJson[]).every((f) => f.valid && f.warnings.length === 0)).toBe(true);
    const none = await kt(['policy', 'validate', `${FIX}/*.toml`]);
    expect(none.code).toBe(1);
    expect(none.stderr).toContain(`${FIX}/*.toml: error[E101]: no files match this pattern`);
    const dir = mkdtempSync(path.join(tmpdir(), 'kt-policy-glob-'));
    mkdirSync(path.join(dir, 'node_modules/dep'), { recursive: true });
    writeFileSync(path.join(dir, 'node_modules/dep/policy.yaml'), 'not: [valid\n');
    writeFileSync(path.join(dir, 'p.yaml'), 'cache: {enabled: true}\n');
    const skipped = await kt(['policy', 'validate', '--format', 'json', '**/*.yaml'], undefined, dir);
    expect(skipped.code).toBe(0);
    expect((JSON.parse(skipped.stdout) as LintJson[]).map((f) => f.file)).toEqual(['p.yaml']);
  });

  it('--format json: the same per-file objects, summary on stderr', async () => {
    const r = await kt(['policy', 'validate', '--format', 'json', `${FIX}/invalid/policy-bad-enum.yaml`, `${FIX}/warning/unknown-model.yaml`]);
    expect(r.code).toBe(2);
    const data = JSON.parse(r.stdout) as LintJson[];
    expect(data.map((d) => d.valid)).toEqual([false, true]);
    expect(data[0]?.errors[0]).toMatchObject({ code: 'E203', path: 'policy.pii-detector.action', line: 9, column: 13, suggestion: 'did you mean "redact"?' });
    expect(data[0]?.pack).toEqual({ name: 'demo', version: '1.0.0' });
    expect(data[1]?.warnings[0]).toMatchObject({ code: 'W001' });
    expect(r.stderr).toBe('error: 1 invalid of 2 files: 1 error, 1 warning\n');
  });

  it('--format github: workflow annotations', async () => {
    const r = await kt(['policy', 'validate', '--format', 'github', `${FIX}/invalid/ttl-zero.yaml`]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe(
      `::error file=${FIX}/invalid/ttl-zero.yaml,line=3,col=8,title=E206::cache.ttl must be at least 1, got 0 (use e.g. ttl: 3600 (one hour), or enabled: false to turn caching off)\n`,
    );
  });

  it('--format sarif: relative paths stay relative, absolute paths become file: URIs', async () => {
    const rel = await kt(['policy', 'validate', '--format', 'sarif', `${FIX}/invalid/tabs.yaml`]);
    expect(rel.code).toBe(2);
    type Log = { version: string; runs: Array<{ results: Array<{ ruleId: string; locations: Array<{ physicalLocation: { artifactLocation: { uri: string; uriBaseId?: string } } }> }> }> };
    const relLog = JSON.parse(rel.stdout) as Log;
    expect(relLog.version).toBe('2.1.0');
    expect(relLog.runs[0]?.results.map((x) => x.ruleId)).toEqual(['E106']);
    expect(relLog.runs[0]?.results[0]?.locations[0]?.physicalLocation.artifactLocation).toEqual({ uri: `${FIX}/invalid/tabs.yaml` });
    const absolute = path.join(ROOT, FIX, 'invalid/tabs.yaml');
    const abs = await kt(['policy', 'validate', '--format', 'sarif', absolute]);
    const absLog = JSON.parse(abs.stdout) as Log;
    expect(absLog.runs[0]?.results[0]?.locations[0]?.physicalLocation.artifactLocation).toEqual({ uri: new URL(`file://${absolute}`).href });
  });

  it('--strict turns warnings into errors', async () => {
    const file = `${FIX}/warning/literal-api-key.yaml`;
    expect((await kt(['policy', 'validate', file])).code).toBe(0);
    const strict = await kt(['policy', 'validate', '--strict', file]);
    expect(strict.code).toBe(2);
    expect(strict.stderr).toContain(`${file}:14:7: error[W003]: a literal api_key`);
  });

  it('exits 1 for a missing file or a directory, after checking the others', async () => {
    const r = await kt(['policy', 'validate', 'nope.yaml', FIX, `${FIX}/invalid/empty.yaml`]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('nope.yaml: error[E101]: no such file');
    expect(r.stderr).toContain(`${FIX}: error[E101]: is a directory, not a file`);
    expect(r.stderr).toContain(`${FIX}/invalid/empty.yaml:1:1: error[E104]: the file is empty`);
    expect(r.stderr).toMatch(/error: 1 invalid, 2 unreadable of 3 files: 3 errors, 0 warnings\n$/);
  });

  it('without files: uses ./policy-config.yaml, or is a usage error', async () => {
    const empty = mkdtempSync(path.join(tmpdir(), 'kt-policy-cwd-'));
    const none = await kt(['policy', 'validate'], undefined, empty);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('error: no policy file given');
    copyFileSync(path.join(ROOT, 'examples/policy-config.yaml'), path.join(empty, 'policy-config.yaml'));
    const found = await kt(['policy', 'validate', '-q'], undefined, empty);
    expect(found.code).toBe(0);
    expect(found.stderr).toBe('');
  });

  it('refuses a 50 MB file with exit 2', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'kt-policy-big-'));
    const file = path.join(dir, 'big.yaml');
    const handle = await open(file, 'w');
    const chunk = Buffer.alloc(1024 * 1024, 'k: v\n');
    for (let i = 0; i < 50; i++) await handle.write(chunk);
    await handle.close();
    const r = await kt(['policy', 'validate', file]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${file}:1:1: error[E102]: the file is too large (50.0 MB; the limit is 5 MB)`);
  });

  it('rejects an unknown --format with exit 2', async () => {
    const r = await kt(['policy', 'validate', '--format', 'xml', 'x.yaml']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("argument 'xml' is invalid");
  });
});

describe('kt policy codes', () => {
  it('prints the code table as data (table and --json)', async () => {
    const json = await kt(['policy', 'codes', '--json']);
    expect(json.code).toBe(0);
    const rows = JSON.parse(json.stdout) as Array<{ code: string; severity: string; name: string; title: string }>;
    expect(rows.slice(0, 3).map((c) => c.code)).toEqual(['E001', 'E002', 'E003']);
    expect(rows.find((c) => c.code === 'W001')).toEqual({ code: 'W001', severity: 'warning', name: 'ModelNotPriced', title: "model not in kt's price catalogue" });
    const csv = await kt(['policy', 'codes', '--format', 'csv', '--fields', 'code,severity']);
    expect(csv.stdout.split('\r\n').slice(0, 2)).toEqual(['code,severity', 'E001,error']);
    const bad = await kt(['policy', 'codes', '--fields', 'kode']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('unknown field "kode"');
  });
});

describe('kt policy schema', () => {
  it('prints the shipped JSON Schema (draft 2020-12)', async () => {
    const r = await kt(['policy', 'schema']);
    expect(r.code).toBe(0);
    const printed = JSON.parse(r.stdout) as { $schema: string };
    expect(printed).toEqual(JSON.parse(readFileSync(path.join(ROOT, 'schema/policy.schema.json'), 'utf8')));
    expect(printed.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
  });

  it('a file written from stdin validates the same as from disk', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'kt-policy-'));
    writeFileSync(path.join(dir, 'p.yaml'), readFileSync(path.join(ROOT, `${FIX}/invalid/bad-enum.yaml`)));
    const disk = await kt(['policy', 'validate', '--json', 'p.yaml'], undefined, dir);
    const piped = await kt(['policy', 'validate', '--json', '-'], readFileSync(path.join(dir, 'p.yaml'), 'utf8'));
    const strip = (s: string) => (JSON.parse(s) as LintJson).errors;
    expect(strip(piped.stdout)).toEqual(strip(disk.stdout));
  });
});
