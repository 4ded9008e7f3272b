#!/usr/bin/env node
// Benchmark (not a test): the cost per row of kt's CSV encoding, the
// hand-written RFC 4180 field encoder (src/output/write.ts csvField + join)
// against csv-stringify's sync API, on the rows `kt events export --format
// csv` writes (12 rendered cells, a quoted one now and then), 1,000 rows a
// batch as kt writes them. Both run alternately in one process, several
// rounds, best round kept. Compare the µs/row with kt's whole per-row cost in
// `node bench/events-export.mjs` (docs/benchmarks.md).
//
//   node bench/csv-encoders.mjs [--rows 200000] [--rounds 5]
import { stringify } from 'csv-stringify/sync';

const args = process.argv.slice(2);
const flag = (name, fallback) => {
  const i = args.indexOf(name);
  return i === -1 ? fallback : Number(args[i + 1]);
};
const ROWS = flag('--rows', 200_000);
const ROUNDS = flag('--rounds', 5);
const BATCH = 1000;

const teams = ['search', 'customer-support', 'platform', 'ml', 'analytics'];
const models = [['openai', 'gpt-4o'], ['anthropic', 'claude-sonnet'], ['openai', 'gpt-4o-mini']];
const rows = [];
for (let i = 0; i < ROWS; i += 1) {
  const [provider, model] = models[i % 3];
  rows.push([
    new Date(Date.UTC(2026, 10, 1) + i * 10_000).toISOString(),
    teams[i % 5],
    i % 50 === 0 ? 'user, "quoted"' : `user-${i % 97}`,
    provider,
    model,
    String(100 + (i % 9000)),
    String(10 + (i % 300)),
    i % 4 === 0 ? 'true' : 'false',
    `0.${String((i * 7919) % 1_000_000).padStart(6, '0')}5`,
    'USD',
    `req-${i}`,
    `evt_${String(i).padStart(10, '0')}`,
  ]);
}

const NEEDS_QUOTES = /[",\r\n]/;
const QUOTE = /"/g;
const field = (text) => (NEEDS_QUOTES.test(text) ? `"${text.replace(QUOTE, '""')}"` : text);

function hand() {
  let bytes = 0;
  const cells = new Array(12);
  for (let b = 0; b < rows.length; b += BATCH) {
    let out = '';
    for (let r = b; r < Math.min(rows.length, b + BATCH); r += 1) {
      const row = rows[r];
      for (let i = 0; i < 12; i += 1) cells[i] = field(row[i]);
      out += `${cells.join(',')}\r\n`;
    }
    bytes += out.length;
  }
  return bytes;
}

const OPTIONS = { record_delimiter: '\r\n', quote_record_delimiter: true };
function library() {
  let bytes = 0;
  for (let b = 0; b < rows.length; b += BATCH) bytes += stringify(rows.slice(b, b + BATCH), OPTIONS).length;
  return bytes;
}

// Same bytes, or the comparison means nothing.
if (hand() !== library()) throw new Error('the two encoders disagree on the output');
const best = { hand: Infinity, library: Infinity };
for (let round = 0; round < ROUNDS; round += 1) {
  for (const [name, fn] of [['hand', hand], ['library', library]]) {
    const start = process.hrtime.bigint();
    fn();
    const us = Number(process.hrtime.bigint() - start) / 1000 / ROWS;
    best[name] = Math.min(best[name], us);
  }
}
process.stdout.write(
  `rows: ${ROWS}, 12 fields, batches of ${BATCH}, best of ${ROUNDS} rounds (node ${process.version})\n` +
    `hand-written encoder: ${best.hand.toFixed(3)} µs/row\n` +
    `csv-stringify (sync): ${best.library.toFixed(3)} µs/row\n` +
    `difference: ${(best.library - best.hand).toFixed(3)} µs/row (${(best.library / best.hand).toFixed(2)}x)\n`,
);
