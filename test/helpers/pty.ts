// Runs the built kt in a real pseudo-terminal (util-linux `script`), for
// what only a terminal shows: spinners, progress lines, hidden prompts.
// Tests check for `script` with toolAvailable (helpers/tools.ts).
import { spawn } from 'node:child_process';
import { KT_BIN, ktEnv } from './run-kt.js';

export interface PtyRun {
  /** Everything the terminal showed so far, escapes included. */
  output: () => string;
  /** Resolves once the terminal has shown `text`. */
  waitFor: (text: string | RegExp) => Promise<void>;
  /** Types into the terminal. */
  type: (text: string) => void;
  exit: Promise<number | null>;
}

const quote = (arg: string): string => `'${arg.replace(/'/g, "'\\''")}'`;

export function runKtInPty(args: string[], env: Record<string, string | undefined> = {}): PtyRun {
  // A pty starts with no size; give it one, as a terminal window has.
  const command = `stty cols 100 rows 30; exec ${[process.execPath, KT_BIN, ...args].map(quote).join(' ')}`;
  const child = spawn('script', ['-qfec', command, '/dev/null'], {
    env: ktEnv({ TERM: 'xterm-256color', SHELL: '/bin/sh', ...env }),
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let text = '';
  const waiters: Array<{ match: string | RegExp; resolve: () => void }> = [];
  const matches = (m: string | RegExp): boolean => (typeof m === 'string' ? text.includes(m) : m.test(text));
  const onData = (chunk: Buffer): void => {
    text += chunk.toString('utf8');
    for (const w of waiters.filter((x) => matches(x.match))) {
      waiters.splice(waiters.indexOf(w), 1);
      w.resolve();
    }
  };
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);
  const exit = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
  return {
    output: () => text,
    waitFor: (match) => (matches(match) ? Promise.resolve() : new Promise<void>((resolve) => waiters.push({ match, resolve }))),
    type: (input) => child.stdin.write(input),
    exit,
  };
}
