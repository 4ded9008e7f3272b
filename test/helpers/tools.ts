// System tools some tests need (zsh and fish for completions, util-linux
// `script` for a pseudo-terminal). On a machine without one, its tests are
// skipped with a notice on the console; with KT_REQUIRE_TOOLS set (.ci/run
// sets it after installing them) a missing tool fails the run instead.
import { spawnSync } from 'node:child_process';

export function toolAvailable(name: string, versionArgs: string[] = ['--version']): boolean {
  const found = spawnSync(name, versionArgs, { stdio: 'ignore' }).status === 0;
  if (!found) {
    if ((process.env.KT_REQUIRE_TOOLS ?? '') !== '') {
      throw new Error(`${name} is required for these tests (KT_REQUIRE_TOOLS is set) but is not installed`);
    }
    console.warn(`notice: skipping the tests that need ${name}: it is not installed (install it, or set KT_REQUIRE_TOOLS=1 to make this a failure)`);
  }
  return found;
}
