// Colour for kt's own output, the only place escapes are made. chalk by
// itself looks only at the terminal and FORCE_COLOR; the context has already
// decided (colorAllowed: --no-color, NO_COLOR, FORCE_COLOR, TERM=dumb, TTY),
// so every instance here is built from that decision.
import { Chalk, type ChalkInstance } from 'chalk';
import type { UtilizationLevel } from './chart.js';
import type { OutputContext } from './context.js';

export type ColorLevel = 0 | 1 | 2 | 3;

/** How many colours the terminal can show, once colour is allowed at all. */
export function colorLevel(enabled: boolean, env: Readonly<Record<string, string | undefined>>): ColorLevel {
  if (!enabled) return 0;
  const forced = env.FORCE_COLOR;
  if (forced === '2' || forced === '3') return Number(forced) as ColorLevel;
  const colorterm = (env.COLORTERM ?? '').toLowerCase();
  if (colorterm === 'truecolor' || colorterm === '24bit') return 3;
  if (/256/.test(env.TERM ?? '')) return 2;
  return 1;
}

export function styleAtLevel(level: ColorLevel): ChalkInstance {
  return new Chalk({ level });
}

/** Styles for data on stdout (table headers). */
export function stdoutStyle(ctx: Pick<OutputContext, 'io' | 'env'>): ChalkInstance {
  return new Chalk({ level: colorLevel(ctx.io.colorStdout, ctx.env) });
}

/** Styles for notices, charts and summaries on stderr. */
export function stderrStyle(ctx: Pick<OutputContext, 'io' | 'env'>): ChalkInstance {
  return new Chalk({ level: colorLevel(ctx.io.colorStderr, ctx.env) });
}

/** Green below the soft limit, yellow from it, red at the hard limit. */
export function levelColor(style: ChalkInstance, level: UtilizationLevel): (text: string) => string {
  if (level === 'hard') return (text) => style.red(text);
  if (level === 'soft') return (text) => style.yellow(text);
  return (text) => style.green(text);
}

/** Red for a negative number, green for a positive one (variances). */
export function signColor(style: ChalkInstance, value: number): (text: string) => string {
  if (value < 0) return (text) => style.red(text);
  if (value > 0) return (text) => style.green(text);
  return (text) => text;
}
