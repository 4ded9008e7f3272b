import { describe, expect, it } from 'vitest';
import { runKt } from '../helpers/run-kt.js';

describe('kt entry point', () => {
  it('prints the version from package.json', async () => {
    const { createRequire } = await import('node:module');
    const pkg = createRequire(import.meta.url)('../../package.json') as { version: string };
    const r = await runKt(['--version']);
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toBe(pkg.version);
  });

  it('documents exit codes', async () => {
    const r = await runKt(['help', 'exit-codes']);
    expect(r.code).toBe(0);
    for (const code of ['0', '1', '2', '4', '5', '130']) expect(r.stdout).toMatch(new RegExp(`^  ${code} `, 'm'));
  });

  it('rejects an unknown command with exit 2', async () => {
    const r = await runKt(['walets']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("unknown command 'walets'");
    expect(r.stdout).toBe('');
  });

  it('suggests the right flag for a typo', async () => {
    const r = await runKt(['--retrie', '3', 'help']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('Did you mean --retries?');
  });

  it('rejects an unknown help topic with exit 2', async () => {
    const r = await runKt(['help', 'nonsense']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('unknown help topic "nonsense"');
  });

  it('refuses a KT_NOW that is not an ISO instant, with exit 2 and nothing on stdout', async () => {
    const r = await runKt(['policy', 'schema'], { env: { KT_NOW: 'yesterday' } });
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('invalid KT_NOW "yesterday": use an ISO-8601 instant such as 2026-11-15T12:00:00Z');
  });
});
