// The events page's hand-written JSON text is exactly the generic writer's
// text of the same event, awkward strings and large amounts included.
import { describe, expect, it } from 'vitest';
import { stringifyJson, parseJsonExact } from '../../src/domain/json.js';
import { decimalText, eventJson, eventText, reservationText, settledText } from '../../src/emulator/resource-json.js';
import { formatDecimal, nanos, ZERO } from '../../src/domain/money.js';
import { iso, type EventRow } from '../../src/emulator/schema.js';

const row = (over: Partial<EventRow>): EventRow => ({
  seq: 42,
  ts: Date.parse('2026-11-28T15:00:00.123Z'),
  team_id: 'search',
  user_id: 'user-1',
  provider: 'openai',
  model: 'gpt-4o-mini',
  input_tokens: 250,
  output_tokens: 0,
  cached: 0,
  cost: nanos(37_500n),
  currency: 'USD',
  request_id: 'req-1',
  verdict: 'allow',
  reason_code: 'all_policies_passed',
  event_type: 'decision',
  config_version: '0.2.0',
  spend_log_id: null,
  ...over,
});

describe('eventText', () => {
  it('writes what stringifyJson writes for eventJson', () => {
    const rows = [
      row({}),
      row({ cached: 1, cost: nanos(0n), user_id: null, request_id: null, spend_log_id: 'spl_x' }),
      row({ cost: nanos(20_000_000_000_123n), verdict: 'block', reason_code: 'say "hi"\n\u0000', model: '東京', provider: '=HYPERLINK("x")' }),
      row({ cost: nanos(20_000_000_000_123_000_000n), seq: 9_999_999_999 }),
    ];
    for (const r of rows) {
      for (const product of [false, true]) {
        const text = eventText(r, product);
        expect(text).toBe(stringifyJson(eventJson(r, product), { moneyDecimals: 0 }));
        expect(Object.hasOwn(parseJsonExact(text) as object, 'event_cost_attribution')).toBe(product);
      }
    }
  });
});

describe('decimalText', () => {
  it('writes plain-number nano-units exactly as formatDecimal writes bigints', () => {
    const samples = [0, 1, -1, 150, 37_500, 1_000_000_000, 999_999_999, 1_000_000_001, -2_500_000_000, 20_000_000_000_123, Number.MAX_SAFE_INTEGER, -Number.MAX_SAFE_INTEGER, 2_999_999_999_999_999];
    for (let i = 0; i < 2000; i++) samples.push(Math.floor((i * 7919 * 1e9 + i * 104729) % Number.MAX_SAFE_INTEGER), i * 999_999_999 - 1);
    for (const n of samples) expect(decimalText(n), String(n)).toBe(formatDecimal(nanos(BigInt(n)), 0));
    expect(decimalText(nanos(12_345n))).toBe('0.000012345');
  });
});

describe('the gateway answers as text', () => {
  it('writes what stringifyJson writes for a reservation and a settle', () => {
    for (const amount of [10_000_000n, 1n, 20_000_000_000_000_123_456n].map(nanos)) {
      const r = { id: 'res_0193a4b5c6d70000ab12', team_id: 'team-0001', amount, status: 'held', expires_at: Date.parse('2026-12-06T12:05:00Z'), created_at: 0, request_id: null };
      expect(reservationText(r)).toBe(
        stringifyJson({ reservation_id: r.id, team_id: r.team_id, amount: r.amount, status: r.status, expires_at: iso(r.expires_at) }, { moneyDecimals: 0 }),
      );
    }
    for (const [event, released] of [[row({}), nanos(6_400_000n)], [row({ cost: nanos(20_000_000_000_123n), user_id: null }), ZERO]] as const) {
      expect(settledText('res_x', event, released)).toBe(
        stringifyJson({ reservation_id: 'res_x', status: 'settled', event: eventJson(event), released }, { moneyDecimals: 0 }),
      );
    }
  });
});
