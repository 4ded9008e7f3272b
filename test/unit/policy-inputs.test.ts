import { mkdtempSync, mkdirSync, readdir, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { expandGlob, ioFailure, isGlobPattern, MAX_POLICY_BYTES, readPolicyFile, readPolicyStdin } from '../../src/cli/policy/inputs.js';

function tree(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'kt-policy-'));
  for (const d of ['teams/search', 'teams/support', 'node_modules/pkg', '.git/refs', '.hidden']) mkdirSync(path.join(dir, d), { recursive: true });
  const files = [
    'a.yaml',
    'b.yml',
    'c.json',
    'pa.yaml',
    'px.yaml',
    '.secret.yaml',
    '.hidden/h.yaml',
    'teams/x.yaml',
    'teams/search/p.yaml',
    'teams/support/q.yaml',
    'teams/support/notes.txt',
    'node_modules/pkg/policy.yaml',
    '.git/refs/policy.yaml',
  ];
  for (const f of files) writeFileSync(path.join(dir, f), 'cache: {enabled: true}\n');
  return dir;
}

describe('globs (tinyglobby)', () => {
  it('expands relative to cwd, sorted, files only', async () => {
    const dir = tree();
    expect(await expandGlob('*.yaml', dir)).toEqual(['a.yaml', 'pa.yaml', 'px.yaml']);
    expect(await expandGlob('teams/**/*.yaml', dir)).toEqual(['teams/search/p.yaml', 'teams/support/q.yaml', 'teams/x.yaml']);
    expect(await expandGlob('teams/*/*.yaml', dir)).toEqual(['teams/search/p.yaml', 'teams/support/q.yaml']);
    expect(await expandGlob('teams/*', dir)).toEqual(['teams/x.yaml']);
    expect(await expandGlob('nowhere/*.yaml', dir)).toEqual([]);
  });

  it('expands brace sets', async () => {
    const dir = tree();
    expect(await expandGlob('*.{yml,json}', dir)).toEqual(['b.yml', 'c.json']);
    expect(await expandGlob('teams/{search,support}/*.yaml', dir)).toEqual(['teams/search/p.yaml', 'teams/support/q.yaml']);
  });

  it('honours negated classes', async () => {
    const dir = tree();
    expect(await expandGlob('p[!x].yaml', dir)).toEqual(['pa.yaml']);
    expect(await expandGlob('p[ax].yaml', dir)).toEqual(['pa.yaml', 'px.yaml']);
  });

  it('leaves dotfiles and dot-directories out of * and **', async () => {
    const dir = tree();
    expect(await expandGlob('*', dir)).not.toContain('.secret.yaml');
    expect(await expandGlob('**/*.yaml', dir)).toEqual(['a.yaml', 'pa.yaml', 'px.yaml', 'teams/search/p.yaml', 'teams/support/q.yaml', 'teams/x.yaml']);
  });

  it('never walks node_modules or .git, even when the pattern names them', async () => {
    const dir = tree();
    const walked: string[] = [];
    const spy = {
      readdir: ((p: string, options: unknown, callback: unknown) => {
        walked.push(String(p));
        return (readdir as (...args: unknown[]) => void)(p, options, callback);
      }) as typeof readdir,
    };
    expect(await expandGlob('**/*.yaml', dir, spy)).not.toContain('node_modules/pkg/policy.yaml');
    expect(walked.length).toBeGreaterThan(0);
    expect(walked.filter((p) => /node_modules|\.git/.test(p))).toEqual([]);
    expect(await expandGlob('node_modules/**/*.yaml', dir)).toEqual([]);
    expect(await expandGlob('.git/**/*.yaml', dir)).toEqual([]);
  });

  it('keeps the form of the pattern: ./-prefixed and absolute', async () => {
    const dir = tree();
    expect(await expandGlob('./teams/*.yaml', dir)).toEqual(['./teams/x.yaml']);
    expect(await expandGlob(`${dir}/teams/*.yaml`, tmpdir())).toEqual([path.join(dir, 'teams/x.yaml')]);
  });

  it('tells patterns from plain paths', async () => {
    expect(await isGlobPattern('policy-config.yaml')).toBe(false);
    expect(await isGlobPattern('teams/**/*.yaml')).toBe(true);
    expect(await isGlobPattern('{a,b}.yaml')).toBe(true);
    expect(await isGlobPattern('p[!x].yaml')).toBe(true);
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
    expect('report' in loaded && loaded.report.diagnostics[0]).toMatchObject({ code: 'E102', message: 'the file is too large (50.0 MB; the limit is 5 MB)' });
  });

  it('reads stdin and stops at the size limit', async () => {
    const small = await readPolicyStdin(Readable.from([Buffer.from('cache:\n'), Buffer.from('  enabled: true\n')]));
    expect('bytes' in small && Buffer.from(small.bytes).toString()).toBe('cache:\n  enabled: true\n');
    const chunks = Array.from({ length: 7 }, () => Buffer.alloc(1024 * 1024, 0x61));
    const big = await readPolicyStdin(Readable.from(chunks));
    expect(MAX_POLICY_BYTES).toBe(5 * 1024 * 1024);
    expect('report' in big && big.report.diagnostics[0]).toMatchObject({ code: 'E102', message: 'the file is too large (over 5 MB; the limit is 5 MB)' });
  });
});
