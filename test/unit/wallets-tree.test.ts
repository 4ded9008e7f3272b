import { describe, expect, it } from 'vitest';
import { renderBars, renderTree } from '../../src/cli/wallets/tree.js';
import { capThresholds, utilization, walletRecord, type WalletRecord } from '../../src/cli/wallets/records.js';
import { readWallet } from '../../src/api/wallets.js';

function wallet(team: string, name: string, parent: string | null, allocated: number, spent = 0, extra: Record<string, unknown> = {}): WalletRecord {
  // As the API sends it: amounts are JSON numbers, read exactly by the API layer.
  return walletRecord(readWallet({
    id: `wal_${team}`,
    team_id: team,
    name,
    parent_id: parent,
    currency: 'USD',
    period: 'monthly',
    allocated,
    spent,
    reserved: 0,
    available: allocated - spent,
    soft_cap: null,
    hard_cap: null,
    status: 'healthy',
    period_start: '2026-11-01T00:00:00.000Z',
    period_end: '2026-12-01T00:00:00.000Z',
    ...extra,
  }, 'test'));
}

const HIERARCHY = [
  wallet('org', 'Organization Wallet', null, 50000),
  wallet('engineering', 'Engineering', 'org', 25000),
  wallet('ml', 'ML Team', 'engineering', 7000),
  wallet('platform', 'Platform Team', 'engineering', 8000),
  wallet('search', 'Search Team', 'engineering', 10000, 5000),
  wallet('operations', 'Operations', 'org', 10000),
  wallet('devops', 'DevOps', 'operations', 5000),
  wallet('security', 'Security', 'operations', 5000),
  wallet('product', 'Product', 'org', 15000),
  wallet('analytics', 'Analytics', 'product', 7000),
  wallet('customer-support', 'Customer Support', 'product', 8000),
];

describe('wallet tree', () => {
  it("draws the product document's hierarchy with branches", () => {
    const lines = renderTree(HIERARCHY, { barWidth: 10 });
    const labels = lines.map((l) => l.split('  spent')[0]?.trimEnd());
    expect(labels).toEqual([
      'Organization Wallet ($50,000/month)',
      '├── Engineering ($25,000)',
      '│   ├── ML Team ($7,000)',
      '│   ├── Platform Team ($8,000)',
      '│   └── Search Team ($10,000)',
      '├── Operations ($10,000)',
      '│   ├── DevOps ($5,000)',
      '│   └── Security ($5,000)',
      '└── Product ($15,000)',
      '    ├── Analytics ($7,000)',
      '    └── Customer Support ($8,000)',
    ]);
    const search = lines[4] ?? '';
    expect(search).toContain('spent $5,000.00');
    expect(search).toContain('available $5,000.00');
    expect(search).toContain('█████░░░░░  50.0%');
  });

  it('colours by level: soft cap and hard cap thresholds come from the caps', () => {
    const capped = wallet('search', 'Search', null, 10000, 8500, { soft_cap: 8000, hard_cap: 10000, status: 'low' });
    expect(capThresholds(capped)).toEqual({ soft: 0.8, hard: 1 });
    const levels: string[] = [];
    renderBars([capped, wallet('a', 'A', null, 100, 10), wallet('b', 'B', null, 100, 100, { status: 'depleted' })], {
      barWidth: 10,
      color: (bar, level) => {
        levels.push(level);
        return bar;
      },
    });
    expect(levels).toEqual(['soft', 'ok', 'hard']);
  });

  it('a blocked wallet is red whatever its utilization', () => {
    const levels: string[] = [];
    renderBars([wallet('x', 'X', null, 100, 10, { status: 'blocked' })], { barWidth: 10, color: (bar, level) => (levels.push(level), bar) });
    expect(levels).toEqual(['hard']);
  });

  it('utilization counts reserved funds and handles an empty allocation', () => {
    expect(utilization(wallet('x', 'X', null, 100, 25, { reserved: 25 }))).toBe(0.5);
    expect(utilization(wallet('x', 'X', null, 0, 0))).toBeNull();
  });
});
