import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runKt } from '../helpers/run-kt.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const FIX = 'test/fixtures/policy';
const kt = (args: string[], input?: string, cwd = ROOT) => runKt(args, { cwd, ...(input !== undefined ? { input } : {}) });

describe('kt policy validate (built binary)', () => {
  it('passes the shipped example with nothing on stdout', async () => {
    const r = await kt(['policy', 'validate', 'examples/policy-config.yaml', '--strict']);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe('1 file valid: 0 errors, 0 warnings\n');
  });

  it('prints compiler-style diagnostics on stderr and exits 2', async () => {
    const r = await kt(['policy', 'validate', `${FIX}/invalid/unknown-key.yaml`]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(
      [
        `${FIX}/invalid/unknown-key.yaml:5:5: error[E010]: unknown key "sof_cap" in spend_controls[0]`,
        '  |',
        '5 |     sof_cap: 80',
        '  |     ^^^^^^^',
        'help: did you mean "soft_cap"?',
        '',
        'error: 1 invalid of 1 file: 1 error, 0 warnings',
        '',
      ].join('\n'),
    );
  });

  it('lint is an alias and --file is accepted (repeatable)', async () => {
    const r = await kt(['policy', 'lint', '--file', `${FIX}/valid/minimal.yaml`, '--file', `${FIX}/valid/flow.json`]);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('2 files valid: 0 errors, 0 warnings\n');
  });

  it('reads stdin with -', async () => {
    const ok = await kt(['policy', 'validate', '-'], 'cache:\n  enabled: true\n');
    expect(ok.code).toBe(0);
    const bad = await kt(['policy', 'validate', '-'], 'cache:\n  ttl: 0\n');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('<stdin>:2:8: error[E024]: cache ttl must be greater than 0 seconds, got 0');
  });

  it('expands quoted globs itself, including **', async () => {
    const r = await kt(['policy', 'validate', '--format', 'json', `${FIX}/valid/*`]);
    expect(r.code).toBe(0);
    const files = (JSON.parse(r.stdout) as Array<{ file: string; valid: boolean }>).map((f) => f.file);
    expect(files).toEqual(['anchors.yaml', 'flow.json', 'minimal.yaml', 'spend-only.yaml'].map((f) => `${FIX}/valid/${f}`));
    const all = await kt(['policy', 'validate', '--format', 'json', 'test/fixtures/**/*.yaml']);
    expect(all.code).toBe(2);
    expect((JSON.parse(all.stdout) as unknown[]).length).toBe(37);
    const none = await kt(['policy', 'validate', `${FIX}/*.toml`]);
    expect(none.code).toBe(1);
    expect(none.stderr).toContain(`${FIX}/*.toml: error[E001]: no files match this pattern`);
  });

  it('--format json: per-file objects on stdout, summary on stderr', async () => {
    const r = await kt(['policy', 'validate', '--format', 'json', `${FIX}/invalid/bad-enum.yaml`, `${FIX}/warning/unknown-model.yaml`]);
    expect(r.code).toBe(2);
    const data = JSON.parse(r.stdout) as Array<{ valid: boolean; errors: Array<{ code: string; line: number; column: number }>; warnings: Array<{ code: string }> }>;
    expect(data.map((d) => d.valid)).toEqual([false, true]);
    expect(data[0]?.errors[0]).toMatchObject({ code: 'E012', line: 4, column: 13, suggestion: 'did you mean "monthly"?' });
    expect(data[1]?.warnings[0]).toMatchObject({ code: 'W001' });
    expect(r.stderr).toBe('error: 1 invalid of 2 files: 1 error, 1 warning\n');
  });

  it('--format github: workflow annotations', async () => {
    const r = await kt(['policy', 'validate', '--format', 'github', `${FIX}/invalid/ttl-zero.yaml`]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe(
      `::error file=${FIX}/invalid/ttl-zero.yaml,line=3,col=8,title=E024::cache ttl must be greater than 0 seconds, got 0 (use e.g. ttl: 3600 (one hour), or enabled: false to turn caching off)\n`,
    );
  });

  it('--format sarif: a 2.1.0 log', async () => {
    const r = await kt(['policy', 'validate', '--format', 'sarif', `${FIX}/invalid/tabs.yaml`]);
    expect(r.code).toBe(2);
    const log = JSON.parse(r.stdout) as { version: string; runs: Array<{ results: Array<{ ruleId: string; locations: unknown[] }> }> };
    expect(log.version).toBe('2.1.0');
    expect(log.runs[0]?.results.map((x) => x.ruleId)).toEqual(['E006']);
  });

  it('--strict turns warnings into errors', async () => {
    const file = `${FIX}/warning/literal-api-key.yaml`;
    expect((await kt(['policy', 'validate', file])).code).toBe(0);
    const strict = await kt(['policy', 'validate', '--strict', file]);
    expect(strict.code).toBe(2);
    expect(strict.stderr).toContain(`${file}:6:7: error[W003]: a literal api_key`);
  });

  it('exits 1 for a missing file or a directory, after checking the others', async () => {
    const r = await kt(['policy', 'validate', 'nope.yaml', FIX, `${FIX}/invalid/empty.yaml`]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('nope.yaml: error[E001]: no such file');
    expect(r.stderr).toContain(`${FIX}: error[E001]: is a directory, not a file`);
    expect(r.stderr).toContain(`${FIX}/invalid/empty.yaml:1:1: error[E004]: the file is empty`);
    expect(r.stderr).toMatch(/error: 1 invalid, 2 unreadable of 3 files: 3 errors, 0 warnings\n$/);
  });

  it('without files: uses ./policy-config.yaml, or is a usage error', async () => {
    const empty = mkdtempSync(path.join(tmpdir(), 'kt-policy-cwd-'));
    const none = await kt(['policy', 'validate'], undefined, empty);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('error: no policy file given');
    copyFileSync(path.join(ROOT, 'examples/policy-config.yaml'), path.join(empty, 'policy-config.yaml'));
    const found = await kt(['policy', 'validate'], undefined, empty);
    expect(found.code).toBe(0);
    expect(found.stderr).toBe('1 file valid: 0 errors, 0 warnings\n');
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
    expect(r.stderr).toContain(`${file}:1:1: error[E002]: the file is too large (50.0 MB; the limit is 5 MB)`);
  });

  it.each([
    ['invalid/binary.yaml', 'E003', 'binary data'],
    ['invalid/latin1.yaml', 'E003', 'invalid UTF-8 byte 0xe9 at offset 17'],
    ['invalid/alias-bomb.yaml', 'E008', 'refusing a possible alias bomb'],
    ['invalid/duplicate-key.yaml', 'E007', 'duplicate key "ttl"'],
    ['invalid/top-list.yaml', 'E009', 'the top level is a list'],
    ['invalid/top-scalar.yaml', 'E009', 'the top level is a scalar value'],
    ['invalid/syntax.yaml', 'E005', 'YAML syntax error'],
    ['invalid/huge-number.yaml', 'E020', 'is too large'],
    ['invalid/string-number.yaml', 'E011', 'must be a number, got the string "10000"'],
  ])('%s → %s, exit 2', async (file, code, message) => {
    const r = await kt(['policy', 'validate', `${FIX}/${file}`]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`error[${code}]: `);
    expect(r.stderr).toContain(message);
  });

  it('rejects an unknown --format with exit 2', async () => {
    const r = await kt(['policy', 'validate', '--format', 'xml', 'x.yaml']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("argument 'xml' is invalid");
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
    const disk = await kt(['policy', 'validate', '--format', 'json', 'p.yaml'], undefined, dir);
    const piped = await kt(['policy', 'validate', '--format', 'json', '-'], readFileSync(path.join(dir, 'p.yaml'), 'utf8'));
    const strip = (s: string) => (JSON.parse(s) as Array<{ errors: unknown }>)[0]?.errors;
    expect(strip(piped.stdout)).toEqual(strip(disk.stdout));
  });
});
