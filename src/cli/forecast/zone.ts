// Local calendar facts in an IANA zone (Intl only, no I/O): which day and
// month it is, when a local day starts, how much of today has gone.

const formats = new Map<string, Intl.DateTimeFormat>();

function format(tz: string): Intl.DateTimeFormat {
  let f = formats.get(tz);
  if (f === undefined) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: tz,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formats.set(tz, f);
  }
  return f;
}

/** Milliseconds the zone is ahead of UTC at an instant. */
function offsetMs(instant: number, tz: string): number {
  const parts: Record<string, number> = {};
  for (const p of format(tz).formatToParts(new Date(instant))) if (p.type !== 'literal') parts[p.type] = Number(p.value);
  const local = Date.UTC(parts.year ?? 1970, (parts.month ?? 1) - 1, parts.day ?? 1, parts.hour ?? 0, parts.minute ?? 0, parts.second ?? 0);
  return local - (instant - (instant % 1000 + 1000) % 1000);
}

/** The local calendar date (YYYY-MM-DD) of an instant. */
export function localDate(instant: Date, tz: string): string {
  return new Date(instant.getTime() + offsetMs(instant.getTime(), tz)).toISOString().slice(0, 10);
}

/** The instant a local date begins (DST-correct: the offset is checked at the result). */
export function startOfLocalDay(date: string, tz: string): Date {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const wall = Date.UTC(y, m - 1, d);
  let guess = wall - offsetMs(wall, tz);
  guess = wall - offsetMs(guess, tz);
  return new Date(guess);
}

/** How much of the local day containing `now` has passed, 0..1. */
export function dayElapsed(now: Date, tz: string): number {
  const today = localDate(now, tz);
  const start = startOfLocalDay(today, tz).getTime();
  const [y, m, d] = today.split('-').map(Number) as [number, number, number];
  const next = startOfLocalDay(new Date(Date.UTC(y, m - 1, d + 1)).toISOString().slice(0, 10), tz).getTime();
  const length = next - start;
  if (!(length > 0)) return 0;
  return Math.min(1, Math.max(0, (now.getTime() - start) / length));
}
