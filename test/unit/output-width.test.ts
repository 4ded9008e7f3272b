// Plain tables, box tables, charts and the wallet tree measure text the same
// way (string-width), so CJK and emoji team names never push a column out.
import { describe, expect, it } from 'vitest';
import stringWidth from 'string-width';
import { barChart, displayWidth } from '../../src/output/chart.js';
import { boxTable, plainTable } from '../../src/output/table.js';
import { renderTree } from '../../src/cli/wallets/tree.js';
import { walletRecord } from '../../src/cli/wallets/records.js';
import { readWallet } from '../../src/api/wallets.js';
import { testContext } from '../helpers/context.js';

const NAMES = ['search', '検索チーム', '🚀 launch', '👩‍💻 dev-ex', '⚙️ ops', 'café'];

/** Display column at which `needle` starts in `line`. */
function columnOf(line: string, needle: string): number {
  return stringWidth(line.slice(0, line.indexOf(needle)));
}

describe('display width', () => {
  it('counts wide characters and emoji as two columns, combining marks as none', () => {
    expect(NAMES.map(displayWidth)).toEqual([6, 10, 9, 9, 6, 4]);
    expect(displayWidth('e\u0301')).toBe(1);
  });

  it('lines up the columns of a plain table', () => {
    const rows = NAMES.map((name, i) => [name, `$${(i + 1) * 1000}.00`, 'tail']);
    const lines = plainTable({ headers: ['TEAM', 'SPENT', 'NOTE'], rows, rightAligned: [false, true, false] }).trimEnd().split('\n');
    const [header, ...data] = lines;
    expect(new Set(data.map((l) => columnOf(l, 'tail')))).toEqual(new Set([columnOf(header!, 'NOTE')]));
  });

  it('gives every line of a box table the same width', async () => {
    const rows = NAMES.map((name, i) => [name, `$${(i + 1) * 1000}.00`]);
    const text = await boxTable(testContext().ctx, { headers: ['TEAM', 'SPENT'], rows, rightAligned: [false, true] });
    const widths = text.trimEnd().split('\n').map((l) => stringWidth(l));
    expect(new Set(widths).size).toBe(1);
  });

  it('starts every bar of a chart in the same column', () => {
    const lines = barChart(
      NAMES.map((label, i) => ({ label, value: i + 1 })),
      { width: 60 },
    );
    const starts = lines.map((l) => columnOf(l, [...l].find((ch) => '█▏▎▍▌▋▊▉'.includes(ch)) ?? '█'));
    expect(new Set(starts).size).toBe(1);
  });

  it('lines up spent and available in the wallet tree', () => {
    const wallets = NAMES.map((name, i) =>
      walletRecord(readWallet({
        id: `wal_${i}`,
        team_id: i === 0 ? 'org' : `t${i}`,
        name,
        parent_id: i === 0 ? null : 'org',
        currency: 'USD',
        period: 'monthly',
        allocated: 1000,
        spent: 100 * i,
        reserved: 0,
        available: 1000 - 100 * i,
        soft_cap: null,
        hard_cap: null,
        status: 'healthy',
        period_start: '2026-11-01T00:00:00.000Z',
        period_end: '2026-12-01T00:00:00.000Z',
      }, 'test')),
    );
    const lines = renderTree(wallets, { barWidth: 10 });
    expect(new Set(lines.map((l) => columnOf(l, 'available'))).size).toBe(1);
    expect(new Set(lines.map((l) => stringWidth(l))).size).toBe(1);
  });
});
