// Layers depend only downward and value imports never form a cycle
// (.dependency-cruiser.cjs holds the rules). The second test shows the rules
// bite: a throwaway tree with an upward import and a cycle must fail them.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = new URL('../..', import.meta.url).pathname;
const DEPCRUISE = join(ROOT, 'node_modules/dependency-cruiser/bin/dependency-cruise.mjs');

interface Violation {
  from: string;
  to: string;
  rule: { name: string };
  cycle?: Array<{ name: string }>;
}

function cruise(cwd: string): Violation[] {
  const result = spawnSync(process.execPath, [DEPCRUISE, 'src', '--config', join(ROOT, '.dependency-cruiser.cjs'), '--output-type', 'json'], {
    cwd,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  if (result.stdout === '') throw new Error(`dependency-cruiser failed: ${result.stderr}`);
  return (JSON.parse(result.stdout) as { summary: { violations: Violation[] } }).summary.violations;
}

describe('layering', () => {
  it('src/ has no upward import, no cross-layer import, no impure domain import and no value cycle', () => {
    const violations = cruise(ROOT).map((v) => `${v.rule.name}: ${v.from} → ${v.to}${v.cycle ? ` (cycle ${v.cycle.map((c) => c.name).join(' → ')})` : ''}`);
    expect(violations).toEqual([]);
  }, 60_000);

  it('the rules catch an upward import, a cycle and an impure domain module', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kt-layers-'));
    try {
      cpSync(join(ROOT, 'tsconfig.json'), join(dir, 'tsconfig.json'));
      for (const sub of ['cli', 'api', 'domain']) mkdirSync(join(dir, 'src', sub), { recursive: true });
      writeFileSync(join(dir, 'src/cli/main.ts'), "export const VERSION = '1';\n");
      writeFileSync(join(dir, 'src/api/client.ts'), "import { VERSION } from '../cli/main.js';\nexport const agent = VERSION;\n");
      writeFileSync(join(dir, 'src/domain/a.ts'), "import { b } from './b.js';\nexport const a = (): string => b;\n");
      writeFileSync(join(dir, 'src/domain/b.ts'), "import { readFileSync } from 'node:fs';\nexport const b = String(readFileSync);\nexport const later = async (): Promise<unknown> => import('./a.js');\n");
      const rules = new Set(cruise(dir).map((v) => `${v.rule.name} ${v.from}`));
      expect(rules).toContain('no-upward-import src/api/client.ts');
      expect(rules).toContain('domain-is-pure src/domain/b.ts');
      expect([...rules].some((r) => r.startsWith('no-value-cycles src/domain/'))).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
