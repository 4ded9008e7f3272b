// Feedback on stderr while kt waits: an ora spinner naming what it waits
// for, and for exports a live progress line. Only for a person watching:
// stderr is a terminal, not --quiet, not CI, not TERM=dumb. Nothing shows
// for waits shorter than SPINNER_DELAY_MS (no flicker on fast commands), and
// otherwise every call is a no-op, so handlers never branch on it.
import type { OutputContext } from './context.js';

export interface Spinner {
  update(text: string): void;
  /** Clears the line; safe to call twice. */
  stop(): void;
  /** Never draws anything (not a terminal, --quiet, CI): text for it need not be made. */
  readonly silent?: boolean;
}

/** A wait shorter than this shows nothing. */
export const SPINNER_DELAY_MS = 100;

const NOOP: Spinner = { update: () => undefined, stop: () => undefined, silent: true };

export function spinnerAllowed(ctx: Pick<OutputContext, 'io' | 'env' | 'quiet'>): boolean {
  if (!ctx.io.isStderrTTY || ctx.quiet) return false;
  if ((ctx.env.CI ?? '') !== '') return false;
  if (ctx.env.TERM === 'dumb') return false;
  // A terminal that reports no width (a serial console, a fresh pty) would
  // make the spinner's line arithmetic divide by zero.
  if ((ctx.io.stderr as { columns?: number }).columns === 0) return false;
  return true;
}

/**
 * Starts a spinner that appears after SPINNER_DELAY_MS unless stopped first.
 * ora is imported only then; if stop() comes before it has loaded, nothing
 * is ever drawn.
 */
export function startSpinner(ctx: Pick<OutputContext, 'io' | 'env' | 'quiet'>, text: string, delayMs = SPINNER_DELAY_MS): Spinner {
  if (!spinnerAllowed(ctx)) return NOOP;
  let current = text;
  let stopped = false;
  let instance: { text: string; stop(): unknown } | undefined;
  const show = (): void => {
    import('ora')
      .then(({ default: ora }) => {
        if (stopped) return;
        instance = ora({
          text: current,
          stream: ctx.io.stderr,
          color: ctx.io.colorStderr ? 'cyan' : false,
          // kt may be reading stdin (--with-token, files); ora must not swallow it.
          discardStdin: false,
          isEnabled: true,
        }).start();
      })
      .catch(() => {
        // A spinner is decoration: failing to load it changes nothing.
      });
  };
  const timer = setTimeout(show, delayMs);
  // A pending spinner never keeps the process alive.
  timer.unref();
  return {
    update(next) {
      current = next;
      if (instance !== undefined) instance.text = next;
    },
    stop() {
      stopped = true;
      clearTimeout(timer);
      instance?.stop();
      instance = undefined;
    },
  };
}

/** Runs `work` with a spinner saying `text` (shown only if it takes a while). */
export async function withSpinner<T>(ctx: Pick<OutputContext, 'io' | 'env' | 'quiet'>, text: string, work: () => Promise<T>): Promise<T> {
  const spinner = startSpinner(ctx, text);
  try {
    return await work();
  } finally {
    spinner.stop();
  }
}
