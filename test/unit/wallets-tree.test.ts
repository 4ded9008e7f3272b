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

describe('wallets as the product reports them', () => {
  const product = (raw: Record<string, unknown>): WalletRecord => walletRecord(readWallet(raw, 'test'));
  const ORG = product({ id: 'wal_7f3c', scope: 'organization', name: 'Acme', balance: 41_250.5, reserved: 0, total_allocated: 50_000, total_spent: 8_749.5, status: 'Healthy' });
  const SEARCH = product({ id: 'wal_s', scope: 'team', team_id: 'search', name: 'Search', balance: 3, reserved: 0, total_allocated: 10_000, total_spent: 9_997, status: 'Low' });
  const ADS = product({ id: 'wal_a', scope: 'team', team_id: 'ads', balance: 120 });
  const ADA = product({ id: 'wal_u', scope: 'user', user_id: 'usr_ada', name: 'ada@acme.example', balance: 12.5, total_allocated: 50 });

  it('hangs team and user wallets under the organization, and says what it does not know', () => {
    const lines = renderTree([ORG, SEARCH, ADS, ADA], { barWidth: 10 });
    expect(lines.map((l) => l.split('  spent')[0]?.trimEnd())).toEqual([
      'Acme ($50,000 allocated in total)',
      '├── Search ($10,000 allocated in total)',
      '├── ads (no allocation reported)',
      '└── ada@acme.example ($50 allocated in total)',
    ]);
    // The share of the pool used: (10,000 − 3) / 10,000.
    expect(lines[1]).toMatch(/spent \$9,997\.00 in total\s+available \$3\.00\s+██████████ 100\.0% {2}low$/);
    expect(lines[2]).toMatch(/spent —\s+available \$120\.00\s+no allocation reported$/);
    expect(lines[3]).toMatch(/spent —\s+available \$12\.50\s+████████░░ {2}75\.0%$/);
    expect(lines.join('\n')).not.toContain('$0/month');
  });

  it('utilization with only cumulative totals is (total allocated − balance) / total allocated', () => {
    expect(utilization(SEARCH)).toBeCloseTo(0.9997, 12);
    expect(SEARCH.usage?.basis).toBe('cumulative');
    expect(utilization(ADS)).toBeNull();
    expect(ADS.usage).toBeNull();
  });

  it('a bar at 0.0% is empty: a block appears only once the percentage shows one', () => {
    const tiny = wallet('t', 'T', null, 10_000, 4); // 0.04 %
    expect(renderBars([tiny], { barWidth: 10 })[0]).toMatch(/░{10}\s+0\.0%$/);
    const small = wallet('t', 'T', null, 10_000, 5); // 0.05 % shows as 0.1 %
    expect(renderBars([small], { barWidth: 10 })[0]).toMatch(/█░{9}\s+0\.1%$/);
  });
});
