// The wallet hierarchy drawn the way the product document draws it:
//   Organization ($50,000/month)
//   ├── Engineering ($25,000)
//   │   ├── Search ($10,000)
// with spent / available and a utilization bar per line. Pure: the caller
// passes the colour function and prints the lines.
import { formatMoney, type Money } from '../../domain/money.js';
import { periodUnit } from '../../domain/periods.js';
import { teamForest } from '../../domain/teams.js';
import { parentKey, walletKey } from '../../api/wallets.js';
import { displayWidth, utilizationBar, type UtilizationLevel } from '../../output/chart.js';
import { capThresholds, currencyOf, utilization, type WalletRecord } from './records.js';

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

/** What the wallet was given, as far as the server said: `$10,000/month`, `$10,000 allocated in total`, or that it did not say. */
function label(w: WalletRecord, root: boolean): string {
  const c = currencyOf(w);
  let given: string;
  if (w.raw.allocated !== null) {
    const amount = shortMoney(w.raw.allocated, c);
    given = root && w.raw.period !== null ? `${amount}/${periodUnit(w.raw.period)}` : amount;
  } else if (w.raw.total_allocated !== null) {
    given = `${shortMoney(w.raw.total_allocated, c)} allocated in total`;
  } else {
    given = 'no allocation reported';
  }
  return `${w.label} (${given})`;
}

/** Wallets → forest, keeping the API's order among siblings. */
export function buildForest(wallets: readonly WalletRecord[]): Array<{ wallet: WalletRecord; depthPrefix: string; branch: string }> {
  const hasOrganization = wallets.some((w) => w.raw.scope === 'organization');
  const key = (w: WalletRecord): string => walletKey(w.raw);
  const { roots, children } = teamForest(wallets, key, (w) => parentKey(w.raw, hasOrganization));
  const out: Array<{ wallet: WalletRecord; depthPrefix: string; branch: string }> = [];
  const visit = (w: WalletRecord, prefix: string, branch: string, childPrefix: string, seen: Set<string>): void => {
    if (seen.has(key(w))) return; // a cycle in bad data must not loop forever
    seen.add(key(w));
    out.push({ wallet: w, depthPrefix: prefix, branch });
    const kids = children.get(key(w)) ?? [];
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
    wallets.map((w) => ({ left: w.raw.team_id ?? w.label, wallet: w })),
    options,
  );
}

function spentText(w: WalletRecord): string {
  if (w.raw.spent !== null) return `spent ${formatMoney(w.raw.spent, currencyOf(w))}`;
  if (w.raw.total_spent !== null) return `spent ${formatMoney(w.raw.total_spent, currencyOf(w))} in total`;
  return 'spent —';
}

function renderLines(items: ReadonlyArray<{ left: string; wallet: WalletRecord }>, options: WalletLineOptions): string[] {
  if (items.length === 0) return [];
  const color = options.color ?? ((bar: string): string => bar);
  const spent = items.map((i) => spentText(i.wallet));
  const available = items.map((i) => `available ${i.wallet.raw.available === null ? '—' : formatMoney(i.wallet.raw.available, currencyOf(i.wallet))}`);
  const leftWidth = Math.max(...items.map((i) => displayWidth(i.left)));
  const spentWidth = Math.max(...spent.map((s) => displayWidth(s)));
  const availableWidth = Math.max(...available.map((s) => displayWidth(s)));
  return items.map((item, i) => {
    const w = item.wallet;
    const fraction = utilization(w);
    let gauge: string;
    if (fraction === null) {
      gauge = 'no allocation reported';
    } else {
      // The bar shows what the percentage shows: 0.0% (under 0.05 %) is an empty bar, not one block.
      const shown = Number.isFinite(fraction) ? Math.round(fraction * 1000) / 1000 : fraction;
      const { bar, level } = utilizationBar(shown, options.barWidth, capThresholds(w));
      const shownLevel: UtilizationLevel = w.raw.status === 'blocked' ? 'hard' : level;
      const percent = Number.isFinite(fraction) ? `${(shown * 100).toFixed(1)}%` : '∞';
      gauge = `${color(bar, shownLevel)} ${percent.padStart(6)}`;
    }
    const status = w.raw.status === null || w.raw.status === 'healthy' ? '' : `  ${w.raw.status}`;
    const pad = (text: string, width: number): string => text + ' '.repeat(Math.max(0, width - displayWidth(text)));
    const spentLine = spent[i] ?? '';
    const availableLine = available[i] ?? '';
    return `${pad(item.left, leftWidth)}  ${' '.repeat(spentWidth - displayWidth(spentLine))}${spentLine}  ${pad(availableLine, availableWidth)}  ${gauge}${status}`;
  });
}
