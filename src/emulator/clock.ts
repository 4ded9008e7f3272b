// The emulator's clock. On the wall clock it simply reads the time; started
// with a fixed instant (KT_NOW) it stands still until POST /v1/emulator/clock
// moves it, so tests make time pass on purpose instead of sleeping.
import { ApiFailure } from './failure.js';
import { iso } from './schema.js';

export class EmulatorClock {
  private instant: number | undefined;
  private readonly source: () => number;

  /** `fixed`: the source names one instant (KT_NOW) rather than the wall clock. */
  constructor(source: () => number, options: { fixed: boolean }) {
    this.source = source;
    this.instant = options.fixed ? source() : undefined;
  }

  get fixed(): boolean {
    return this.instant !== undefined;
  }

  readonly now = (): number => this.instant ?? this.source();

  /** Refuses (409) unless the clock is fixed: the wall clock cannot be moved. */
  ensureFixed(): number {
    if (this.instant === undefined) {
      throw new ApiFailure(
        409,
        'clock_not_fixed',
        'the emulator runs on the wall clock; start it with KT_NOW=<ISO instant> to move its time with this endpoint',
      );
    }
    return this.instant;
  }

  /** Moves a fixed clock forward to `target`; refuses the wall clock and going back. */
  moveTo(target: number): number {
    const current = this.ensureFixed();
    if (target < current) {
      throw new ApiFailure(409, 'clock_backwards', `the emulator's clock is at ${iso(current)} and only moves forward; ${iso(target)} is earlier`, {
        now: iso(current),
      });
    }
    this.instant = target;
    return target;
  }
}
