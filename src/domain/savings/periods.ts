// Which cap period an instant falls in, in UTC: the key changes exactly when
// a new period starts, so a replay in time order resets its running spend there.
export type CapPeriod = 'daily' | 'weekly' | 'monthly' | 'quarterly' | 'yearly';

const DAY_MS = 86_400_000;

export function capPeriodKey(ms: number, period: CapPeriod): string {
  const d = new Date(ms);
  const y = d.getUTCFullYear();
  const m = d.getUTCMonth();
  switch (period) {
    case 'daily':
      return d.toISOString().slice(0, 10);
    case 'weekly': {
      // Weeks start on Monday (ISO 8601).
      const day = Math.floor(ms / DAY_MS);
      const monday = day - ((new Date(day * DAY_MS).getUTCDay() + 6) % 7);
      return `W${new Date(monday * DAY_MS).toISOString().slice(0, 10)}`;
    }
    case 'monthly':
      return `${y}-${String(m + 1).padStart(2, '0')}`;
    case 'quarterly':
      return `${y}-Q${Math.floor(m / 3) + 1}`;
    case 'yearly':
      return String(y);
  }
}

export function isCapPeriod(text: string): text is CapPeriod {
  return ['daily', 'weekly', 'monthly', 'quarterly', 'yearly'].includes(text);
}
