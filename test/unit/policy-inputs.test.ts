import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { expandGlob, globToRegExp, hasGlob, ioFailure, MAX_POLICY_BYTES, readPolicyFile, readPolicyStdin } from '../../src/cli/policy/inputs.js';

function tree(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'kt-policy-'));
  mkdirSync(path.join(dir, 'teams/search'), { recursive: true });
  mkdirSync(path.join(dir, 'teams/support'), { recursive: true });
  for (const f of ['a.yaml', 'b.yml', 'teams/x.yaml', 'teams/search/p.yaml', 'teams/support/q.yaml', 'teams/support/notes.txt']) {
    writeFileSync(path.join(dir, f), 'cache: {enabled: true}\n');
  }
  return dir;
}

describe('globs', () => {
  it('translates *, ** and ?', () => {
    expect(globToRegExp('*.yaml').test('a.yaml')).toBe(true);
    expect(globToRegExp('*.yaml').test('d/a.yaml')).toBe(false);
    expect(globToRegExp('**/*.yaml').test('a.yaml')).toBe(true);
    expect(globToRegExp('**/*.yaml').test('d/e/a.yaml')).toBe(true);
    expect(globToRegExp('?.yaml').test('ab.yaml')).toBe(false);
    expect(globToRegExp('*.y[a]ml').test('p.yaml')).toBe(true);
    expect(hasGlob('policy-config.yaml')).toBe(false);
    expect(hasGlob('teams/**/*.yaml')).toBe(true);
  });

  it('expands relative to cwd, sorted, files only', async () => {
    const dir = tree();
    expect(await expandGlob('*.yaml', dir)).toEqual(['a.yaml']);
    expect(await expandGlob('*.y*ml', dir)).toEqual(['a.yaml', 'b.yml']);
    expect(await expandGlob('teams/**/*.yaml', dir)).toEqual(['teams/search/p.yaml', 'teams/support/q.yaml', 'teams/x.yaml']);
    expect(await expandGlob('teams/*/*.yaml', dir)).toEqual(['teams/search/p.yaml', 'teams/support/q.yaml']);
    expect(await expandGlob('nowhere/*.yaml', dir)).toEqual([]);
  });
});

describe('reading policy files', () => {
  it('reads a file', async () => {
    const dir = tree();
    const loaded = await readPolicyFile('a.yaml', dir);
    expect('bytes' in loaded && Buffer.from(loaded.bytes).toString()).toBe('cache: {enabled: true}\n');
  });

  it('reports a missing file and a directory as unreadable', async () => {
    const dir = tree();
    const gone = await readPolicyFile('nope.yaml', dir);
    expect('report' in gone && gone.report.unreadable && gone.report.diagnostics[0]?.message).toBe('no such file');
    const folder = await readPolicyFile('teams', dir);
    expect('report' in folder && folder.report.unreadable && folder.report.diagnostics[0]?.message).toBe('is a directory, not a file');
    expect('report' in folder && folder.report.diagnostics[0]?.suggestion).toBe('to check every YAML file in it: kt policy validate "teams/**/*.yaml"');
  });

  it('maps permission errors (root ignores file modes, so the mapping is checked directly)', () => {
    const denied = ioFailure('secret.yaml', Object.assign(new Error('EACCES: permission denied'), { code: 'EACCES' }));
    expect(denied.report.unreadable).toBe(true);
    expect(denied.report.diagnostics[0]?.message).toBe('permission denied');
    expect(ioFailure('x', Object.assign(new Error('boom'), { code: 'EIO' })).report.diagnostics[0]?.message).toBe('cannot read: boom');
  });

  it('refuses a 50 MB file from its size, without reading it', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'kt-policy-big-'));
    const file = path.join(dir, 'big.yaml');
    const handle = await open(file, 'w');
    const chunk = Buffer.alloc(1024 * 1024, 'a: 1\n');
    for (let i = 0; i < 50; i++) await handle.write(chunk);
    await handle.close();
    const loaded = await readPolicyFile(file, dir);
    expect('report' in loaded && loaded.report.unreadable).toBe(false);
    expect('report' in loaded && loaded.report.diagnostics[0]).toMatchObject({ code: 'E002', message: 'the file is too large (50.0 MB; the limit is 5 MB)' });
  });

  it('reads stdin and stops at the size limit', async () => {
    const small = await readPolicyStdin(Readable.from([Buffer.from('cache:\n'), Buffer.from('  enabled: true\n')]));
    expect('bytes' in small && Buffer.from(small.bytes).toString()).toBe('cache:\n  enabled: true\n');
    const chunks = Array.from({ length: 7 }, () => Buffer.alloc(1024 * 1024, 0x61));
    const big = await readPolicyStdin(Readable.from(chunks));
    expect(MAX_POLICY_BYTES).toBe(5 * 1024 * 1024);
    expect('report' in big && big.report.diagnostics[0]).toMatchObject({ code: 'E002', message: 'the file is too large (over 5 MB; the limit is 5 MB)' });
  });
});
