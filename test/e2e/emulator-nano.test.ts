// Money exact to the nano-unit through the emulator: 1,000 imported requests
// of $20,000.000000123 add up to exactly $20,000,000.000123 (2 × 10^16
// nano-units, past 2^53) in the aggregate endpoint, in the wallets' spend and
// through `kt events list --format csv`; a write with non-zero digits past 9
// decimals is refused, never rounded.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { moneyFromDecimal } from '../../src/domain/money.js';
import { startEmulator, type Emulator } from '../helpers/emulator.js';
import { call } from '../helpers/emulator-api.js';
import { runKt } from '../helpers/run-kt.js';

const NOW = '2026-11-28T15:00:00.000Z';
const COST = '20000.000000123';
const TOTAL = '20000000.000123';

describe('nano-unit money in the emulator', () => {
  let emu: Emulator;
  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kt-nano-'));
    const file = join(dir, 'events.ndjson');
    const lines: string[] = [];
    for (let i = 0; i < 1000; i += 1) {
      const ts = new Date(Date.parse('2026-11-02T00:00:00Z') + i * 60_000).toISOString();
      // Written by hand: the cost's digits exactly as a server would send them.
      lines.push(`{"timestamp":"${ts}","team_id":"bigspender","provider":"openai","model":"gpt-4o","input_tokens":1,"output_tokens":1,"cached":false,"cost":${COST}}`);
    }
    writeFileSync(file, `${lines.join('\n')}\n`);
    emu = await startEmulator(['--import', file], { now: NOW });
  });
  afterAll(async () => {
    expect(await emu.stop()).toBe(0);
  });

  it('sums 1,000 × $20,000.000000123 exactly in the aggregate endpoint and the wallet chain', async () => {
    const res = await fetch(`${emu.url}/v1/events?aggregate=monthly&group_by=team`, { headers: { Authorization: `Bearer ${emu.adminToken}` } });
    const text = await res.text();
    expect(res.status).toBe(200);
    expect(text).toContain(`"team_id":"bigspender","requests":1000,"input_tokens":1000,"output_tokens":1000,"cost":${TOTAL}}`);
    const balance = await fetch(`${emu.url}/v1/wallets/balance?team_id=bigspender`, { headers: { Authorization: `Bearer ${emu.adminToken}` } });
    const body = await balance.text();
    // The team's and the organization's spend: both past 2^53 nano-units, both exact.
    expect(body.match(new RegExp(`"spent":${TOTAL.replace('.', '\\.')}[,}]`, 'g'))).toHaveLength(2);
    const one = await call(emu, 'GET', '/v1/events?limit=1');
    expect(one.body.data[0].cost).toBe(Number(COST));
    // kt's dialect carries the cost once; event_cost_attribution is the product dialect's.
    expect(one.body.data[0].event_cost_attribution).toBeUndefined();
  });

  it('exports the same exact amounts through kt events list --format csv', async () => {
    const r = await runKt(['events', 'list', '--since', '2026-11-01', '--format', 'csv', '--fields', 'team,cost'], { env: emu.env });
    expect(r.code, r.stderr).toBe(0);
    const rows: string[][] = parse(r.stdout);
    expect(rows[0]).toEqual(['team', 'cost']);
    expect(rows).toHaveLength(1001);
    let sum = 0n;
    for (const row of rows.slice(1)) {
      expect(row[1]).toBe(COST);
      sum += moneyFromDecimal(row[1] ?? '');
    }
    expect(sum).toBe(moneyFromDecimal(TOTAL));
  });

  it('stores a write amount exactly as sent, in any JSON form, with trailing zeros past 9 decimals', async () => {
    const cases: Array<[string, string]> = [
      ['1.0000000010', '1.000000001'], // ten decimals, the tenth a zero: exact
      ['3.75e-5', '0.0000375'], // an exponent, as a float-writing client sends it
      ['2.500000000000000000000', '2.5'],
    ];
    await call(emu, 'POST', '/v1/wallets/allocate', { team_id: 'org', amount: 100, currency: 'USD', period: 'monthly' });
    let team = 0;
    for (const [amount, expected] of cases) {
      team += 1;
      // Raw text: JSON.stringify would round the digits through a double first.
      const res = await call(emu, 'POST', '/v1/wallets/allocate', undefined, { raw: `{"team_id":"x${team}","amount":${amount},"currency":"USD","period":"monthly"}` });
      expect(res.status, amount).toBe(200);
      expect(res.body.wallet.allocated, amount).toBe(Number(expected));
    }
  });

  it('refuses, with 400 and the error envelope, every money field of every write past 9 decimals', async () => {
    // A fresh emulator: one wallet and one live reservation to settle.
    const emu = await startEmulator([], { now: NOW });
    onTestFinished(async () => void (await emu.stop()));
    await call(emu, 'POST', '/v1/wallets/allocate', { team_id: 'org', amount: 100, currency: 'USD', period: 'monthly' });
    await call(emu, 'POST', '/v1/wallets/allocate', { team_id: 'exact', amount: 10, currency: 'USD', period: 'monthly' });
    const reservation = await call(emu, 'POST', '/v1/gateway/wallets/reserve', { team_id: 'exact', estimated_cost: 1, request_id: 'req_exact' }, { token: emu.gatewayToken });
    expect(reservation.status).toBe(201);
    const id: string = reservation.body.reservation_id;
    const event = '"provider":"openai","model":"gpt-4o","input_tokens":10,"output_tokens":5';
    const writes: Array<[string, string, string, string]> = [
      ['/v1/wallets/allocate', 'amount', '{"team_id":"exact","amount":1.1234567891,"currency":"USD","period":"monthly"}', 'admin'],
      ['/v1/wallets/allocate', 'soft_cap', '{"team_id":"exact","amount":10,"currency":"USD","period":"monthly","soft_cap":8.0000000001}', 'admin'],
      ['/v1/wallets/allocate', 'hard_cap', '{"team_id":"exact","amount":10,"currency":"USD","period":"monthly","hard_cap":9.99999999999}', 'admin'],
      ['/v1/wallets/credit', 'amount', '{"team_id":"exact","amount":0.30000000000000004}', 'admin'],
      ['/v1/wallets/reclaim', 'amount', '{"team_id":"exact","amount":1e-10}', 'admin'],
      ['/v1/gateway/wallets/reserve', 'estimated_cost', '{"team_id":"exact","estimated_cost":0.0000000001,"request_id":"r2"}', 'gateway'],
      ['/v1/gateway/wallets/settle', 'actual_cost', `{"reservation_id":"${id}","actual_cost":0.0016150000000000001,${event}}`, 'gateway'],
      ['/v1/events', 'cost', `{"team_id":"exact",${event},"cost":0.12345678912}`, 'gateway'],
      ['/v1/events', 'cost', `{"team_id":"exact",${event},"event_cost_attribution":{"total_cost_usd":3.75e-10}}`, 'gateway'],
    ];
    for (const [path, field, raw, who] of writes) {
      const res = await call(emu, 'POST', path, undefined, { raw, token: who === 'gateway' ? emu.gatewayToken : emu.adminToken });
      expect(res.status, `${path} ${field}`).toBe(400);
      expect(res.body.error.code, path).toBe('invalid_request');
      expect(res.body.error.message, path).toMatch(new RegExp(`${field}.*more than 9 decimals; amounts are exact to 0\\.000000001`));
      expect(typeof res.body.error.request_id).toBe('string');
    }
    // Nothing moved: the wallet is as allocated, the reservation still held.
    const balance = await call(emu, 'GET', '/v1/wallets/balance?team_id=exact');
    expect(balance.body.wallet).toMatchObject({ allocated: 10, spent: 0, reserved: 1, soft_cap: null, hard_cap: null });
  });
});
