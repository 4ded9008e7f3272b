// Regenerates completions/kt.{bash,zsh,fish} from the built CLI (run
// `npm run build` first). test/e2e/completion.test.ts fails when they drift.
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const bin = fileURLToPath(new URL('../bin/kt.js', import.meta.url));
for (const shell of ['bash', 'zsh', 'fish']) {
  const script = execFileSync(process.execPath, [bin, 'completion', shell], { encoding: 'utf8' });
  const file = new URL(`../completions/kt.${shell}`, import.meta.url);
  writeFileSync(file, script);
  process.stdout.write(`wrote ${fileURLToPath(file)}\n`);
}
