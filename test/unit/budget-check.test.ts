// kt wallets check's rules (src/domain/budget-check.ts): exact percentages
// of what the wallet was given, caps, --min-balance, and a figure the server
// did not send never taken as zero: the threshold is "not checked".
import { describe, expect, it } from 'vitest';
import { moneyFromDecimal as $, subtractMoney } from '../../src/domain/money.js';
import { checkWallet, parsePercent, PercentError, type Thresholds, type WalletFigures } from '../../src/domain/budget-check.js';

const warn = parsePercent('80', '--warn-at');
const fail = parsePercent('100', '--fail-at');
const PERCENT: Thresholds = { percent: { warnAt: warn, failAt: fail }, minBalance: null };

/** A wallet of kt's contract: this period's allocation and spend. */
const period = (allocated: string, spent: string, soft: string | null = null, hard: string | null = null): WalletFigures => ({
  usage: { used: $(spent), base: $(allocated), of: 'allocation' },
  spent: $(spent),
  soft_cap: soft === null ? null : $(soft),
  hard_cap: hard === null ? null : $(hard),
  balance: subtractMoney($(allocated), $(spent)),
  currency: 'USD',
});

/** A wallet of the product's console: cumulative totals and a balance only. */
const pool = (total: string | null, balance: string | null): WalletFigures => ({
  usage: total === null || balance === null ? null : { used: subtractMoney($(total), $(balance)), base: $(total), of: 'total allocated' },
  spent: null,
  soft_cap: null,
  hard_cap: null,
  balance: balance === null ? null : $(balance),
  currency: 'USD',
});

describe('budget check', () => {
  it('levels are exact percentages of the allocation', () => {
    expect(checkWallet(period('100', '79.999999999'), PERCENT).level).toBe('ok');
    expect(checkWallet(period('100', '80'), PERCENT)).toEqual({ level: 'warn', reasons: ['at or past 80% of allocation'], notChecked: [], checked: true });
    expect(checkWallet(period('100', '100'), PERCENT).level).toBe('fail');
    expect(checkWallet(period('1000', '925'), { percent: { warnAt: parsePercent('92.5%', '--warn-at'), failAt: fail }, minBalance: null }).level).toBe('warn');
  });

  it('caps count: soft cap → warn, hard cap → fail', () => {
    expect(checkWallet(period('100', '50', '40'), PERCENT).reasons).toEqual(['at or past soft cap']);
    expect(checkWallet(period('100', '85', '40', '60'), PERCENT)).toMatchObject({ level: 'fail', reasons: ['at or past 80% of allocation', 'at or past hard cap'] });
  });

  it('spend with an allocation of zero is past every level; nothing of nothing cannot be measured', () => {
    expect(checkWallet(period('0', '5'), PERCENT)).toMatchObject({ level: 'fail', reasons: ['$5.00 used with no allocation'], checked: true });
    expect(checkWallet(period('0', '0'), PERCENT)).toMatchObject({ level: 'unknown', notChecked: ['percent'], checked: false });
  });

  it('with cumulative totals the level is the share of the pool used: (total allocated − balance) / total allocated', () => {
    // 10,000 allocated in total, 3 left: 99.97 % of the pool is used.
    expect(checkWallet(pool('10000', '3'), PERCENT)).toEqual({ level: 'warn', reasons: ['at or past 80% of total allocated'], notChecked: [], checked: true });
    expect(checkWallet(pool('10000', '0'), PERCENT).level).toBe('fail');
    expect(checkWallet(pool('10000', '2000.000000001'), PERCENT).level).toBe('ok');
  });

  it('a wallet with only a balance is not checked against percentages: level unknown, never ok', () => {
    expect(checkWallet(pool(null, '120'), PERCENT)).toEqual({ level: 'unknown', reasons: [], notChecked: ['percent'], checked: false });
  });

  it('--min-balance: below it is the fail level; a wallet without a balance is not checked', () => {
    const min: Thresholds = { percent: null, minBalance: $('100') };
    expect(checkWallet(pool(null, '99.999999999'), min)).toEqual({ level: 'fail', reasons: ['balance $99.999999999 below the minimum $100.00'], notChecked: [], checked: true });
    expect(checkWallet(pool(null, '100'), min)).toEqual({ level: 'ok', reasons: [], notChecked: [], checked: true });
    expect(checkWallet(pool(null, null), min)).toEqual({ level: 'unknown', reasons: [], notChecked: ['min-balance'], checked: false });
  });

  it('both kinds asked: a failure wins over a threshold that could not be checked', () => {
    const both: Thresholds = { percent: { warnAt: warn, failAt: fail }, minBalance: $('200') };
    expect(checkWallet(pool(null, '120'), both)).toMatchObject({ level: 'fail', notChecked: ['percent'], checked: true });
    expect(checkWallet(pool(null, '500'), both)).toMatchObject({ level: 'unknown', notChecked: ['percent'], checked: true });
  });

  it.each(['0', '-5', 'abc', '', '1e2'])('refuses --warn-at %j', (text) => {
    expect(() => parsePercent(text, '--warn-at')).toThrow(PercentError);
  });
});
