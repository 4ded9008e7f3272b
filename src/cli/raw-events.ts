// The notice a raw-event command prints when its range starts before the
// first raw event the control plane keeps (`raw_events_since`, e.g. the
// full demo's hourly rollups before its last 30 days).
import type { OutputContext } from '../output/context.js';

/** A hook for eventPages: one line on stderr naming where the raw events begin. */
export function rawEventsNotice(ctx: Pick<OutputContext, 'log'>, what = 'events'): (since: string) => void {
  return (since) =>
    ctx.log.warn(
      `raw events begin at ${since}: ${what} from before it are not in this range's output (the control plane keeps only aggregates there; --aggregate reads them)`,
    );
}
