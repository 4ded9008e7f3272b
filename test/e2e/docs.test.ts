// The generated docs are what kt produces now: the flag reference from the
// command definitions, the example outputs from the demo at its fixed clock
// (scripts/gen-docs.mjs). A stale page fails here, naming the file and line.
import { describe, expect, it } from 'vitest';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const SCRIPT = join(ROOT, 'scripts', 'gen-docs.mjs');

function run(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [SCRIPT, ...args], { maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === 'number' ? error.code : 1;
      resolve({ code, stdout, stderr });
    });
  });
}

describe('npm run docs', () => {
  it('the committed flag reference and example outputs are what kt produces (else run `npm run docs`)', async () => {
    const r = await run(['--check']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^docs are up to date \(\d+ files checked\)\n$/);
  }, 180_000);

  it('names every stale file and line: an edited reference page, an edited example, a group that is gone', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kt-docs-check-'));
    try {
      cpSync(join(ROOT, 'docs'), join(dir, 'docs'), { recursive: true });
      cpSync(join(ROOT, 'README.md'), join(dir, 'README.md'));
      const ref = join(dir, 'docs', 'reference', 'events.md');
      writeFileSync(ref, readFileSync(ref, 'utf8').replace('--since <when>', '--from <when>'));
      const savings = join(dir, 'docs', 'savings.md');
      const text = readFileSync(savings, 'utf8');
      expect(text).toContain('routing       potential');
      writeFileSync(savings, text.replace('routing       potential', 'routing       imagined '));
      writeFileSync(join(dir, 'docs', 'reference', 'budgets.md'), 'old\n');
      const r = await run(['--check', '--root', dir]);
      expect(r.code).toBe(1);
      expect(r.stdout).toBe('');
      expect(r.stderr).toMatch(/^the docs differ from what kt produces \(run `npm run docs`\):\n/);
      expect(r.stderr).toMatch(/ {2}docs\/reference\/events\.md: line \d+: has ".*--from <when>.*", kt gives ".*--since <when>.*"\n/);
      expect(r.stderr).toMatch(/ {2}docs\/savings\.md: line \d+: has "routing {7}imagined .*", kt gives "routing {7}potential .*"\n/);
      expect(r.stderr).toContain('  docs/reference/budgets.md: no such command group any more\n');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 180_000);

  it('refuses an unknown flag with exit 2', async () => {
    const r = await run(['--write-all']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('usage: node scripts/gen-docs.mjs [--check] [--root DIR]\n');
  });
});
