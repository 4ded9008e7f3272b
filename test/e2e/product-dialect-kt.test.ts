// kt's own commands against `kt emulator --dialect product` (real HTTP, real
// SQLite): no cursor, newest first, no aggregates, the ledger only at
// /v1/wallets/{id}/transactions, whoami as user/organization/role/scope. The
// same commands against kt's dialect must give the same rows.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../helpers/emulator.js';
import { runKt } from '../helpers/run-kt.js';
import { parseAmount } from '../../src/domain/money.js';

const NOW = '2026-11-28T15:00:00.000Z';
// A year of history: enough requests for a few an hour on the last day.
const SEED = ['--seed', 'demo', '--seed-events', '6000'];

function csvRows(text: string): string[][] {
  return text
    .trimEnd()
    .split(/\r?\n/)
    .filter((l) => l !== '')
    .map((l) => l.split(','));
}

describe('kt against kt emulator --dialect product', () => {
  let product: Emulator;
  let kt: Emulator;
  beforeAll(async () => {
    [product, kt] = await Promise.all([startEmulator(SEED, { now: NOW, dialect: 'product' }), startEmulator(SEED, { now: NOW })]);
  });
  afterAll(async () => {
    await Promise.all([product.stop(), kt.stop()]);
  });

  it('exports the same events, with exact costs, as from the kt dialect', async () => {
    const args = ['events', 'list', '--since', '30d', '--format', 'csv', '--fields', 'id,team,cost,verdict', '--no-header'];
    const [a, b] = await Promise.all([runKt(args, { env: product.env }), runKt(args, { env: kt.env })]);
    expect(a.stderr).toBe('');
    expect(a.code).toBe(0);
    expect(b.code).toBe(0);
    const sorted = (text: string): string[][] => csvRows(text).sort((x, y) => ((x[0] ?? '') < (y[0] ?? '') ? -1 : 1));
    const rows = sorted(a.stdout);
    expect(rows.length).toBeGreaterThan(100);
    expect(rows).toEqual(sorted(b.stdout));
    const total = rows.reduce((sum, r) => sum + parseAmount(r[2] as string, { allowZero: true }), 0n);
    expect(total).toBeGreaterThan(0n);
  });

  it('sums daily buckets itself, to the same totals the kt dialect computes on the server', async () => {
    const args = ['events', 'list', '--since', '30d', '--aggregate', 'daily', '--group-by', 'team', '--format', 'csv', '--no-header'];
    const [a, b] = await Promise.all([runKt(args, { env: product.env }), runKt(args, { env: kt.env })]);
    expect(a.code).toBe(0);
    expect(a.stderr).toMatch(/the control plane has no spend aggregates; kt summed [\d,]+ events itself/);
    expect(b.stderr).toBe('');
    const key = (r: string[]): string => `${r[0] ?? ''}/${r[1] ?? ''}`;
    const sorted = (text: string): string[][] => csvRows(text).sort((x, y) => (key(x) < key(y) ? -1 : 1));
    expect(sorted(a.stdout)).toEqual(sorted(b.stdout));
  });

  it('tails the newest events and exports with the decision fields', async () => {
    const tail = await runKt(['events', 'tail', '--limit', '5', '--json'], { env: product.env });
    expect(tail.code).toBe(0);
    const events = JSON.parse(tail.stdout) as Array<{ timestamp: string; verdict: string; event_type: string }>;
    expect(events).toHaveLength(5);
    expect(events.map((e) => e.timestamp)).toEqual([...events.map((e) => e.timestamp)].sort());
    expect(events.every((e) => e.event_type === 'decision' && ['allow', 'block', 'redact', 'escalate'].includes(e.verdict))).toBe(true);
    const blocked = await runKt(['events', 'export', '--since', '7d', '--verdict', 'block', '--format', 'csv', '--fields', 'verdict,cost', '--no-header'], { env: product.env });
    expect(blocked.code).toBe(0);
    const rows = csvRows(blocked.stdout);
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.every((r) => r[0] === 'block' && parseAmount(r[1] as string, { allowZero: true }) === 0n)).toBe(true);
  });

  it('reads the ledger at /v1/wallets/{id}/transactions and whoami as the product shows it', async () => {
    const txns = await runKt(['wallets', 'transactions', '--team', 'search', '--type', 'allocate', '--since', '365d', '--json'], { env: product.env });
    expect(txns.stderr).toBe('');
    expect(txns.code).toBe(0);
    expect((JSON.parse(txns.stdout) as Array<{ type: string }>).length).toBeGreaterThan(0);
    const who = await runKt(['auth', 'whoami', '--json'], { env: product.env });
    expect(who.code).toBe(0);
    const doc = JSON.parse(who.stdout) as { user: string | null; organization: string | null; role: string | null; scope: string[] };
    expect(doc.organization).not.toBeNull();
    expect(doc.role).not.toBeNull();
    expect(doc.scope.length).toBeGreaterThan(0);
  });
});
