import { describe, expect, it } from 'vitest';
import { stringifyJson } from '../../src/domain/json.js';
import { PassThrough } from 'node:stream';
import { parseAmountFlag, parseCurrency, parseIdempotencyKey, parsePeriod, parseRange, parseTeam, parseTypes } from '../../src/cli/wallets/options.js';
import { allocateBody } from '../../src/cli/wallets/allocate.js';
import { reclaimBody } from '../../src/cli/wallets/reclaim.js';
import { explainRefusal } from '../../src/cli/wallets/mutate.js';
import { confirmMutation, requireConfirmable } from '../../src/cli/confirm.js';
import { ApiError, ExitCode, KtError, UsageError } from '../../src/errors.js';
import { readWallet, type Wallet } from '../../src/api/wallets.js';
import { formatMoneyPair, nanos } from '../../src/domain/money.js';

function usage(fn: () => unknown): UsageError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(UsageError);
    return error as UsageError;
  }
  throw new Error('expected a UsageError');
}

describe('wallet flag parsing', () => {
  it.each([
    ['0', 'must be greater than zero'],
    ['-5', 'negative'],
    ['abc', 'not a number'],
    ['1.0000000001', 'more than 9 decimals'],
    ['$10', 'currency symbol'],
    ['10,000', 'thousands separators'],
  ])('refuses --amount %s naming the accepted form', (text, why) => {
    const error = usage(() => parseAmountFlag(text));
    expect(error.message).toContain(`invalid --amount "${text}"`);
    expect(error.message).toContain(why);
    expect(error.exitCode).toBe(ExitCode.usage);
  });

  it('parses amounts to exact nano-units', () => {
    expect(parseAmountFlag('10000')).toBe(10_000_000_000_000n);
    expect(parseAmountFlag('0.000000001')).toBe(1n);
    expect(parseAmountFlag('2500.5')).toBe(2_500_500_000_000n);
  });

  it('validates currency, period, team, idempotency key and types', () => {
    expect(parseCurrency('usd')).toBe('USD');
    expect(usage(() => parseCurrency('XYZ')).message).toMatch(/invalid --currency "XYZ": use one of USD, EUR/);
    expect(parsePeriod(undefined)).toBe('monthly');
    expect(usage(() => parsePeriod('weekly')).message).toBe('invalid --period "weekly": use one of monthly, quarterly, yearly');
    expect(parseTeam(' search ')).toBe('search');
    expect(usage(() => parseTeam('')).message).toBe('--team needs a team id');
    expect(usage(() => parseTeam('a b')).message).toContain('invalid --team "a b"');
    expect(usage(() => parseIdempotencyKey('has space')).message).toContain('invalid --idempotency-key');
    expect(parseTypes('settle,allocate,settle')).toEqual(['settle', 'allocate']);
    expect(usage(() => parseTypes('credt')).message).toBe(
      'invalid --type "credt": unknown type "credt"; valid types: credit, allocate, reclaim, reserve, settle, release, expire',
    );
    expect(usage(() => parseTypes('credt')).hint).toBe('did you mean "credit"?');
    expect(usage(() => parseTypes('settle,spend')).message).toBe(
      'invalid --type "settle,spend": unknown type "spend"; valid types: credit, allocate, reclaim, reserve, settle, release, expire',
    );
  });

  it('parses --since/--until against the given now and refuses an empty range', () => {
    const now = new Date('2026-11-28T12:00:00Z');
    expect(parseRange(undefined, undefined, now)).toEqual({ since: '2026-08-30T12:00:00.000Z', until: undefined });
    expect(parseRange('2026-11-01', '2026-11-02', now)).toEqual({ since: '2026-11-01T00:00:00.000Z', until: '2026-11-02T00:00:00.000Z' });
    expect(usage(() => parseRange('2026-11-02', '2026-11-01', now)).message).toContain('must be before --until');
    expect(usage(() => parseRange('yesterday', undefined, now)).message).toContain('invalid --since');
    expect(usage(() => parseRange('2027-01-01', undefined, now)).message).toContain('is in the future');
  });
});

describe('request bodies', () => {
  it("allocate sends the product document's body verbatim", () => {
    const { body } = allocateBody({ team: 'search', amount: '10000' });
    expect(stringifyJson(body, { moneyDecimals: 0 })).toBe('{"team_id":"search","amount":10000,"currency":"USD","period":"monthly"}');
  });

  it('allocate adds parent_id and caps only when given, as exact JSON numbers', () => {
    const { body } = allocateBody({ team: 'ml', amount: '7000.123456789', parent: 'engineering', period: 'quarterly', softCap: '5000', currency: 'EUR' });
    expect(stringifyJson(body, { moneyDecimals: 0 })).toBe(
      '{"team_id":"ml","amount":7000.123456789,"currency":"EUR","period":"quarterly","parent_id":"engineering","soft_cap":5000}',
    );
  });

  it('allocate refuses a soft cap above the hard cap before anything is sent (exit 2)', () => {
    const error = usage(() => allocateBody({ team: 'search', amount: '100', softCap: '9000', hardCap: '8000' }));
    expect(error.message).toBe('--soft-cap $9,000.00 is above --hard-cap $8,000.00: the soft cap warns before the hard cap blocks');
  });

  it('reclaim takes exactly one of --amount and --all', () => {
    expect(reclaimBody({ team: 'search', all: true }).body).toEqual({ team_id: 'search', all: true });
    expect(reclaimBody({ team: 'search', amount: '12.5' }).body).toEqual({ team_id: 'search', amount: 12_500_000_000n });
    expect(usage(() => reclaimBody({ team: 'search' })).message).toBe('kt wallets reclaim needs --amount N or --all');
    expect(usage(() => reclaimBody({ team: 'search', all: true, amount: '1' })).message).toBe('pass either --amount or --all, not both');
  });
});

describe('ledger refusals', () => {
  const wallet = (team: string, parent: string | null): Wallet => readWallet({ team_id: team, parent_id: parent, allocated: 1, spent: 0, reserved: 0 }, 'test');
  const ORG_TREE = [wallet('org', null), wallet('engineering', 'org'), wallet('product', 'org'), wallet('search', 'engineering')];
  const ctx = (team: string, wallets: Wallet[] = ORG_TREE, keyGiven = false) => ({ key: 'k1', keyGiven, team, wallets });

  it('puts the requested and unallocated amounts in the message as money, exit 5', () => {
    const error = new ApiError({
      status: 402,
      code: 'insufficient_parent_funds',
      message: 'not enough',
      details: { requested: 30000, parent_unallocated: 25000.5, parent_id: 'org' },
    });
    const explained = explainRefusal(error, ctx('engineering')) as ApiError;
    expect(explained.exitCode).toBe(ExitCode.refused);
    expect(explained.message).toBe('refused by the ledger: requested $30,000.00 but org has only $25,000.50 unallocated');
    // org has other teams to reclaim from; the hint names one, and a real command (no placeholder, no possessive).
    expect(explained.hint).toBe(
      'raise the allocation of org first (kt wallets allocate --team org --amount N), or reclaim unused funds from another team under org (kt wallets reclaim --team product --amount N)',
    );
  });

  it('hints only at raising the parent when it has no other team', () => {
    const error = new ApiError({ status: 402, code: 'insufficient_parent_funds', message: 'x', details: { requested: 5, parent_unallocated: 1, parent_id: 'engineering' } });
    expect((explainRefusal(error, ctx('search')) as ApiError).hint).toBe('raise the allocation of engineering first (kt wallets allocate --team engineering --amount N)');
  });

  it('words a lowered allocation the ledger refuses in money, with the team and a real command', () => {
    const error = new ApiError({
      status: 402,
      code: 'insufficient_funds',
      message: 'cannot lower "search" by 9998.8765433: only 9998.37303885 is neither spent, reserved nor allocated to its teams',
      details: { team_id: 'search', requested: '9998.8765433', returnable: '9998.37303885', currency: 'USD' },
    });
    const explained = explainRefusal(error, ctx('search')) as ApiError;
    expect(explained.message).toBe('refused by the ledger: cannot lower the allocation of search by $9,998.88: only $9,998.37 is neither spent, reserved nor allocated to its teams');
    expect(explained.hint).toBe('kt wallets balance --team search shows what is spent, reserved and available');
  });

  it('shows every decimal when cents would make two amounts look equal', () => {
    expect(formatMoneyPair(nanos(10_004_000_000n), nanos(10_001_000_000n))).toEqual(['$10.004', '$10.001']);
    expect(formatMoneyPair(nanos(99_999_999_999n), nanos(100_000_000_000n))).toEqual(['$99.999999999', '$100.00']);
    expect(formatMoneyPair(nanos(1_250_000_000n), nanos(3_000_000_000n), 'EUR')).toEqual(['€1.25', '€3.00']);
  });

  it('a 404 for the parent names the parent, with a did-you-mean', () => {
    const error = new ApiError({ status: 404, code: 'team_not_found', message: 'no wallet for team "enginering"', details: { team_id: 'enginering' } });
    const explained = explainRefusal(error, ctx('research2')) as KtError;
    expect(explained.exitCode).toBe(ExitCode.failure);
    expect(explained.message).toBe('unknown parent team "enginering": the control plane has no wallet for it; did you mean "engineering"?');
  });

  it('keeps a currency mismatch at exit 5 and an idempotency conflict at exit 1', () => {
    const mismatch = explainRefusal(new ApiError({ status: 409, code: 'currency_mismatch', message: 'EUR vs USD' }), ctx('search')) as ApiError;
    expect(mismatch.exitCode).toBe(ExitCode.refused);
    expect(mismatch.message).toBe('refused by the ledger: EUR vs USD');
    const conflict = explainRefusal(new ApiError({ status: 409, code: 'idempotency_conflict', message: 'x' }), { ...ctx('search', ORG_TREE, true), key: 'k9' }) as ApiError;
    expect(conflict.exitCode).toBe(ExitCode.failure);
    expect(conflict.message).toContain('idempotency key "k9" was already used');
  });
});

describe('confirmation', () => {
  function io(canPrompt: boolean, answer?: string) {
    const stdin = new PassThrough();
    const stderr = new PassThrough();
    let text = '';
    stderr.on('data', (c: Buffer) => (text += c.toString()));
    if (answer !== undefined) stdin.end(answer);
    return { ctx: { io: { canPrompt, stdin, stderr } as never, signal: new AbortController().signal }, text: () => text };
  }

  it('requires --yes when nobody can answer (exit 2)', async () => {
    const { ctx } = io(false);
    expect(() => requireConfirmable(ctx, undefined)).toThrow('refusing to change the ledger without confirmation: pass --yes');
    await expect(confirmMutation(ctx, 'Allocate?', undefined)).rejects.toMatchObject({ exitCode: ExitCode.usage });
    await expect(confirmMutation(ctx, 'Allocate?', true)).resolves.toBeUndefined();
  });

  it('asks on stderr and proceeds on y', async () => {
    const { ctx, text } = io(true, 'y\n');
    await confirmMutation(ctx, 'Allocate $10,000.00 to search (monthly)?', undefined);
    expect(text()).toBe('Allocate $10,000.00 to search (monthly)? [y/N] ');
  });

  it.each(['n\n', '\n', ''])('cancels on %j with exit 130, the code kt help exit-codes lists for it', async (answer) => {
    const { ctx } = io(true, answer);
    await expect(confirmMutation(ctx, 'Allocate?', undefined)).rejects.toMatchObject({
      exitCode: ExitCode.interrupted,
      message: 'cancelled: nothing was sent, the ledger is unchanged',
    });
  });
});
