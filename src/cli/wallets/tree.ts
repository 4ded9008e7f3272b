// The wallet hierarchy drawn the way the product document draws it:
//   Organization ($50,000/month)
//   ├── Engineering ($25,000)
//   │   ├── Search ($10,000)
// with spent / available and a utilization bar per line. Pure: the caller
// passes the colour function and prints the lines.
import { formatMoney, type Money } from '../../domain/money.js';
import { periodUnit } from '../../domain/periods.js';
import { teamForest } from '../../domain/teams.js';
import { displayWidth, utilizationBar, type UtilizationLevel } from '../../output/chart.js';
import { capThresholds, utilization, type WalletRecord } from './records.js';

export interface WalletLineOptions {
  /** Width of the bar in cells. */
  barWidth: number;
  /** Colours a bar by level; identity when colour is off. */
  color?: (bar: string, level: UtilizationLevel) => string;
}

/** `$25,000` for whole amounts, `$1,234.56` otherwise. */
function shortMoney(amount: Money, currency: string): string {
  return formatMoney(amount, currency).replace(/\.00$/, '');
}

function label(w: WalletRecord, root: boolean): string {
  const amount = shortMoney(w.allocated, w.raw.currency);
  const unit = periodUnit(w.raw.period);
  return `${w.raw.name} (${root ? `${amount}/${unit}` : amount})`;
}

/** Wallets → forest, keeping the API's order among siblings. */
export function buildForest(wallets: readonly WalletRecord[]): Array<{ wallet: WalletRecord; depthPrefix: string; branch: string }> {
  const { roots, children } = teamForest(wallets, (w) => w.raw.team_id, (w) => w.raw.parent_id);
  const out: Array<{ wallet: WalletRecord; depthPrefix: string; branch: string }> = [];
  const visit = (w: WalletRecord, prefix: string, branch: string, childPrefix: string, seen: Set<string>): void => {
    if (seen.has(w.raw.team_id)) return; // a cycle in bad data must not loop forever
    seen.add(w.raw.team_id);
    out.push({ wallet: w, depthPrefix: prefix, branch });
    const kids = children.get(w.raw.team_id) ?? [];
    kids.forEach((kid, i) => {
      const last = i === kids.length - 1;
      visit(kid, childPrefix, last ? '└── ' : '├── ', childPrefix + (last ? '    ' : '│   '), seen);
    });
  };
  const seen = new Set<string>();
  for (const root of roots) visit(root, '', '', '', seen);
  return out;
}

/** One line per wallet: tree label, spent, available, bar and percentage, status when not healthy. */
export function renderTree(wallets: readonly WalletRecord[], options: WalletLineOptions): string[] {
  const nodes = buildForest(wallets);
  return renderLines(
    nodes.map((n) => ({ left: `${n.depthPrefix}${n.branch}${label(n.wallet, n.branch === '')}`, wallet: n.wallet })),
    options,
  );
}

/** Flat bars, one per wallet, labelled by team: the footer of the balance table on a terminal. */
export function renderBars(wallets: readonly WalletRecord[], options: WalletLineOptions): string[] {
  return renderLines(
    wallets.map((w) => ({ left: w.raw.team_id, wallet: w })),
    options,
  );
}

function renderLines(items: ReadonlyArray<{ left: string; wallet: WalletRecord }>, options: WalletLineOptions): string[] {
  if (items.length === 0) return [];
  const color = options.color ?? ((bar: string): string => bar);
  const spent = items.map((i) => `spent ${formatMoney(i.wallet.spent, i.wallet.raw.currency)}`);
  const available = items.map((i) => `available ${formatMoney(i.wallet.available, i.wallet.raw.currency)}`);
  const leftWidth = Math.max(...items.map((i) => displayWidth(i.left)));
  const spentWidth = Math.max(...spent.map((s) => displayWidth(s)));
  const availableWidth = Math.max(...available.map((s) => displayWidth(s)));
  return items.map((item, i) => {
    const w = item.wallet;
    const fraction = utilization(w) ?? 0;
    const { bar, level } = utilizationBar(fraction, options.barWidth, capThresholds(w));
    const shownLevel: UtilizationLevel = w.raw.status === 'blocked' ? 'hard' : level;
    const percent = Number.isFinite(fraction) ? `${(fraction * 100).toFixed(1)}%` : '∞';
    const status = w.raw.status === 'healthy' ? '' : `  ${w.raw.status}`;
    const pad = (text: string, width: number): string => text + ' '.repeat(Math.max(0, width - displayWidth(text)));
    const spentText = spent[i] ?? '';
    const availableText = available[i] ?? '';
    return `${pad(item.left, leftWidth)}  ${' '.repeat(spentWidth - displayWidth(spentText))}${spentText}  ${pad(availableText, availableWidth)}  ${color(bar, shownLevel)} ${percent.padStart(6)}${status}`;
  });
}
