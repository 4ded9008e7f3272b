// System tools some tests need (zsh and fish for completions, util-linux
// `script` for a pseudo-terminal, gnome-keyring with dbus and secret-tool for
// a real Secret Service). On a machine without one, its tests are skipped
// with a notice on the console; with KT_REQUIRE_TOOLS set (.ci/run sets it
// after installing them) a missing tool fails the run instead.
import { spawnSync } from 'node:child_process';

/**
 * Whether `name` runs. `probe` is the arguments of a call that exits 0, or
 * 'on-path' for a tool with no such call (secret-tool exits 2 on any
 * question but a real one): then it only has to be found.
 */
export function toolAvailable(name: string, probe: string[] | 'on-path' = ['--version']): boolean {
  const result = spawnSync(name, probe === 'on-path' ? [] : probe, { stdio: 'ignore' });
  const found = probe === 'on-path' ? result.error === undefined : result.status === 0;
  if (!found) {
    if ((process.env.KT_REQUIRE_TOOLS ?? '') !== '') {
      throw new Error(`${name} is required for these tests (KT_REQUIRE_TOOLS is set) but is not installed`);
    }
    console.warn(`notice: skipping the tests that need ${name}: it is not installed (install it, or set KT_REQUIRE_TOOLS=1 to make this a failure)`);
  }
  return found;
}

/** Every tool in the list runs (each missing one gets its own notice, or fails under KT_REQUIRE_TOOLS). */
export function toolsAvailable(tools: Array<[name: string, probe?: string[] | 'on-path']>): boolean {
  return tools.map(([name, probe]) => toolAvailable(name, probe)).every(Boolean);
}
