// Runs every benchmark in turn (`npm run bench` builds first): start-up,
// emulator throughput, events export, the warehouse exports (Parquet, FOCUS,
// dataset), savings, the full demo, then forecast and anomaly detection
// accuracy. Each one runs
// as its own Node process with this terminal as its stdin, stdout and stderr,
// and with its default options: to pass options, run that script directly.
// The first one that fails stops the run, and this script exits with its
// exit code.
import { spawn } from 'node:child_process';
import { constants } from 'node:os';
import { fileURLToPath } from 'node:url';

const SCRIPTS = ['startup.mjs', 'emulator.mjs', 'events-export.mjs', 'exports.mjs', 'savings.mjs', 'demo.mjs', 'forecast.mjs', 'anomalies.mjs'];

if (process.argv.length > 2) {
  process.stderr.write('bench/run.mjs takes no arguments; to pass options, run one benchmark directly, e.g. node bench/emulator.mjs --seconds 5\n');
  process.exit(2);
}

let current;
// Ctrl-C reaches the running benchmark from the terminal itself (same process
// group): wait for it to clean up and stop, its exit status ends the run.
// A SIGTERM sent to this process only is passed on.
process.on('SIGINT', () => {});
process.on('SIGTERM', () => current?.kill('SIGTERM'));

/** Runs one script to its end; resolves with an exit status (128 + n when killed by signal n). */
function run(script) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [fileURLToPath(new URL(script, import.meta.url))], { stdio: 'inherit' });
    current = child;
    child.on('error', reject);
    child.on('exit', (code, signal) => resolve(code ?? 128 + (constants.signals[signal] ?? 0)));
  });
}

for (const script of SCRIPTS) {
  process.stderr.write(`\n== bench/${script}\n`);
  const status = await run(script);
  if (status !== 0) {
    process.stderr.write(`bench/${script} failed (exit ${status}); not running the rest\n`);
    process.exit(status);
  }
}
