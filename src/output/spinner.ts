// Progress on stderr while a slow request runs. Only for a person watching:
// stderr is a terminal, not --quiet, not CI, not TERM=dumb. Otherwise every
// call is a no-op, so handlers never branch on it.
import type { OutputContext } from './context.js';

export interface Spinner {
  update(text: string): void;
  stop(): void;
}

const NOOP: Spinner = { update: () => undefined, stop: () => undefined };

export function spinnerAllowed(ctx: Pick<OutputContext, 'io' | 'env' | 'quiet'>): boolean {
  if (!ctx.io.isStderrTTY || ctx.quiet) return false;
  if ((ctx.env.CI ?? '') !== '') return false;
  if (ctx.env.TERM === 'dumb') return false;
  return true;
}

/**
 * Starts a spinner. ora is imported on first use; if stop() comes before it
 * has loaded, nothing is ever drawn.
 */
export function startSpinner(ctx: Pick<OutputContext, 'io' | 'env' | 'quiet'>, text: string): Spinner {
  if (!spinnerAllowed(ctx)) return NOOP;
  let current = text;
  let stopped = false;
  let instance: { text: string; stop(): unknown } | undefined;
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
  return {
    update(next) {
      current = next;
      if (instance !== undefined) instance.text = next;
    },
    stop() {
      stopped = true;
      instance?.stop();
      instance = undefined;
    },
  };
}
