// Text of the live progress line an export shows on a terminal.

/** `12,345 events · 8,900/s` — rows so far and the rate since the start. */
export function rateLine(rows: number, elapsedMs: number, noun: string): string {
  const perSecond = elapsedMs > 0 ? Math.round((rows * 1000) / elapsedMs) : 0;
  return `${rows.toLocaleString('en-US')} ${noun} · ${perSecond.toLocaleString('en-US')}/s`;
}
