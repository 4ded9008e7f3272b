// Money exact to the nano-unit through the emulator: 1,000 imported requests
// of $20,000.000000123 add up to exactly $20,000,000.000123 (2 × 10^16
// nano-units, past 2^53) in the aggregate endpoint, in the wallets' spend and
// through `kt events list --format csv`; request amounts past 9 decimals are
// rounded half to even.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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

  it('rounds a request amount past 9 decimals half to even, once', async () => {
    const cases: Array<[string, string]> = [
      ['1.0000000005', '1'], // exactly half a nano-unit: to the even neighbour (…000)
      ['1.0000000015', '1.000000002'], // half: to the even neighbour (…002)
      ['1.00000000051', '1.000000001'], // above half: up
      ['3.75e-5', '0.0000375'], // an exponent, as a float-writing server sends it
    ];
    let team = 0;
    for (const [amount, expected] of cases) {
      team += 1;
      // Raw text: JSON.stringify would round the digits through a double first.
      const body = `{"team_id":"r${team}","amount":${amount},"currency":"USD","period":"monthly"}`;
      await call(emu, 'POST', '/v1/wallets/allocate', { team_id: 'org', amount: 100, currency: 'USD', period: 'monthly' });
      const res = await fetch(`${emu.url}/v1/wallets/allocate`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${emu.adminToken}`, 'Content-Type': 'application/json' },
        body,
      });
      const text = await res.text();
      expect(res.status, text).toBe(200);
      expect(text, amount).toContain(`"allocated":${expected},`);
    }
  });
});
