import { colorAllowed } from '../../src/output/context.js';
import { PassThrough } from 'node:stream';
import { describe, expect, it, vi } from 'vitest';
import { barChart, displayWidth, utilizationBar } from '../../src/output/chart.js';
import { SPINNER_DELAY_MS, spinnerAllowed, startSpinner } from '../../src/output/spinner.js';
import { colorLevel, levelColor, stderrStyle, stdoutStyle } from '../../src/output/style.js';
import { testContext as fakeContext } from '../helpers/context.js';

describe('barChart', () => {
  it('scales bars to the largest value and aligns labels and values', () => {
    const lines = barChart(
      [
        { label: '2026-11-01', value: 100, display: '$100.00' },
        { label: '2026-11-02', value: 50, display: '$50.00' },
        { label: '2026-11-03', value: 0, display: '$0.00' },
      ],
      { width: 40 },
    );
    expect(lines).toHaveLength(3);
    // 40 - 10 (label) - 7 (value) - 2 spaces = 21 columns of bar
    expect(lines[0]).toBe(`2026-11-01 ${'█'.repeat(21)} $100.00`);
    expect(lines[1]).toBe(`2026-11-02 ${'█'.repeat(10)}▌${' '.repeat(10)}  $50.00`);
    expect(lines[2]).toBe(`2026-11-03 ${' '.repeat(21)}   $0.00`);
    for (const line of lines) expect(displayWidth(line)).toBe(40);
  });

  it('always shows a sliver for a small positive value and none for negatives', () => {
    const lines = barChart(
      [
        { label: 'a', value: 1_000_000 },
        { label: 'b', value: 1 },
        { label: 'c', value: -5 },
      ],
      { width: 30 },
    );
    expect(lines[1]).toContain('▏');
    expect(lines[2]).not.toMatch(/[█▏▎▍▌▋▊▉]/);
  });

  it('colours only the bar', () => {
    const [line] = barChart([{ label: 'x', value: 1, display: '1' }], { width: 10, color: (bar) => `<${bar}>` });
    expect(line).toBe(`x <${'█'.repeat(6)}> 1`);
  });

  it('returns nothing for no rows', () => {
    expect(barChart([], { width: 80 })).toEqual([]);
  });
});

describe('utilizationBar', () => {
  it('fills in proportion and reports the level', () => {
    expect(utilizationBar(0.5, 10)).toEqual({ bar: '█████░░░░░', level: 'ok' });
    expect(utilizationBar(0.82, 10)).toEqual({ bar: '████████░░', level: 'soft' });
    expect(utilizationBar(1.3, 10)).toEqual({ bar: '██████████', level: 'hard' });
  });

  it('never shows a used budget as empty or an unfinished one as full', () => {
    expect(utilizationBar(0.001, 10).bar).toBe('█░░░░░░░░░');
    expect(utilizationBar(0.999, 10)).toEqual({ bar: '█████████░', level: 'soft' });
    expect(utilizationBar(0, 10).bar).toBe('░░░░░░░░░░');
    expect(utilizationBar(Number.NaN, 4).bar).toBe('░░░░');
  });
});

describe('style', () => {
  it('follows the context, not chalk’s own detection', () => {
    const off = fakeContext({ io: { colorStdout: false, colorStderr: false } });
    expect(stdoutStyle(off.ctx).red('x')).toBe('x');
    const on = fakeContext({ io: { colorStdout: true, colorStderr: true }, env: { COLORTERM: 'truecolor' } });
    expect(stdoutStyle(on.ctx).red('x')).toBe('\u001b[31mx\u001b[39m');
    expect(stderrStyle(on.ctx).level).toBe(3);
    expect(levelColor(stderrStyle(on.ctx), 'hard')('x')).toBe('\u001b[31mx\u001b[39m');
  });

  it('decides colour from --no-color, NO_COLOR, FORCE_COLOR, TERM=dumb and the terminal, in that order', () => {
    expect(colorAllowed(true, {}, true)).toBe(true);
    expect(colorAllowed(false, {}, true)).toBe(false);
    expect(colorAllowed(true, {}, false)).toBe(false);
    expect(colorAllowed(true, { NO_COLOR: '1' }, true)).toBe(false);
    expect(colorAllowed(true, { NO_COLOR: '' }, true)).toBe(true);
    expect(colorAllowed(false, { FORCE_COLOR: '1' }, true)).toBe(true);
    expect(colorAllowed(true, { FORCE_COLOR: '0' }, true)).toBe(false);
    expect(colorAllowed(false, { FORCE_COLOR: '1', NO_COLOR: '1' }, true)).toBe(false);
    expect(colorAllowed(false, { FORCE_COLOR: '1' }, false)).toBe(false);
    expect(colorAllowed(true, { TERM: 'dumb' }, true)).toBe(false);
    expect(colorAllowed(true, { TERM: 'dumb', FORCE_COLOR: '1' }, true)).toBe(true);
  });

  it('picks the colour depth from FORCE_COLOR, COLORTERM and TERM', () => {
    expect(colorLevel(true, { FORCE_COLOR: '3' })).toBe(3);
    expect(colorLevel(true, { FORCE_COLOR: '2', COLORTERM: 'truecolor' })).toBe(2);
    expect(colorLevel(false, { COLORTERM: 'truecolor' })).toBe(0);
    expect(colorLevel(true, { TERM: 'xterm-256color' })).toBe(2);
    expect(colorLevel(true, {})).toBe(1);
  });
});

describe('spinner', () => {
  const tty = { isStderrTTY: true };
  it('runs only for a person at a terminal', () => {
    expect(spinnerAllowed(fakeContext({ io: tty }).ctx)).toBe(true);
    expect(spinnerAllowed(fakeContext().ctx)).toBe(false);
    expect(spinnerAllowed(fakeContext({ io: tty, globals: { quiet: true } }).ctx)).toBe(false);
    expect(spinnerAllowed(fakeContext({ io: tty, env: { CI: 'true' } }).ctx)).toBe(false);
    expect(spinnerAllowed(fakeContext({ io: tty, env: { CI: '' } }).ctx)).toBe(true);
    expect(spinnerAllowed(fakeContext({ io: tty, env: { TERM: 'dumb' } }).ctx)).toBe(false);
  });

  it('writes nothing when not allowed', async () => {
    const f = fakeContext({ env: { CI: '1' }, io: tty });
    const spinner = startSpinner(f.ctx, 'loading');
    spinner.update('still loading');
    spinner.stop();
    // The no-op spinner never loads ora, so there is nothing to wait for.
    await new Promise((resolve) => setImmediate(resolve));
    expect(f.stderr()).toBe('');
  });

  it('draws on stderr once ora has loaded and clears on stop', async () => {
    const stderr = new PassThrough();
    let text = '';
    const drawn = new Promise<void>((resolve) =>
      stderr.on('data', (chunk) => {
        text += String(chunk);
        if (text.includes('fetching events')) resolve();
      }),
    );
    const f = fakeContext({ io: { isStderrTTY: true, stderr } });
    const spinner = startSpinner(f.ctx, 'fetching events', 0);
    await drawn;
    spinner.stop();
    expect(f.stdout()).toBe('');
  });

  it('shows nothing for a wait shorter than the delay', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    try {
      const f = fakeContext({ io: { isStderrTTY: true } });
      const quick = startSpinner(f.ctx, 'quick', SPINNER_DELAY_MS);
      vi.advanceTimersByTime(SPINNER_DELAY_MS - 1);
      quick.stop();
      vi.advanceTimersByTime(10 * SPINNER_DELAY_MS);
      await import('ora');
      await new Promise((resolve) => setImmediate(resolve));
      expect(f.stderr()).toBe('');
    } finally {
      vi.useRealTimers();
    }
  });

  it('never draws on a terminal that reports no width', () => {
    const stderr = Object.assign(new PassThrough(), { columns: 0 });
    expect(spinnerAllowed(fakeContext({ io: { isStderrTTY: true, stderr } }).ctx)).toBe(false);
  });
});
