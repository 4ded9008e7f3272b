// Money is integer micro-units (1e-6 of the currency's major unit) from the
// moment it is parsed. Nothing here ever adds floats.

export type Micros = number;

export const MICROS_PER_UNIT = 1_000_000;

/** Currencies the control plane accepts, with their table symbol. */
export const CURRENCIES: Readonly<Record<string, string>> = {
  USD: '$',
  EUR: '€',
  GBP: '£',
  JPY: '¥',
  CAD: 'CA$',
  AUD: 'A$',
  CHF: 'CHF ',
  INR: '₹',
};

export function isCurrency(code: string): boolean {
  return Object.hasOwn(CURRENCIES, code);
}

export class AmountError extends Error {}

const PLAIN_DECIMAL = /^(\d+)(?:\.(\d+))?$/;

/**
 * Parses a user-typed amount such as `10000`, `12.5` or `0.000001` into micros.
 * Refuses signs, symbols, separators, exponents and more than 6 decimals with a
 * message that names the accepted form.
 */
export function parseAmount(text: string, options: { allowZero?: boolean } = {}): Micros {
  const trimmed = text.trim();
  const match = PLAIN_DECIMAL.exec(trimmed);
  if (match === null) {
    let why = 'not a number';
    if (/^[-−]/.test(trimmed)) why = 'negative';
    else if (/[$€£¥]/.test(trimmed)) why = 'has a currency symbol';
    else if (/\d[,_ ]\d/.test(trimmed)) why = 'has thousands separators';
    else if (/e/i.test(trimmed) && /\d/.test(trimmed)) why = 'uses an exponent';
    throw new AmountError(`invalid amount "${text}": ${why}; use a plain decimal such as 2500 or 12.75 (at most 6 decimals)`);
  }
  const whole = match[1] ?? '0';
  const frac = match[2] ?? '';
  if (frac.length > 6) {
    throw new AmountError(`invalid amount "${text}": more than 6 decimals; amounts are exact to 0.000001`);
  }
  const micros = Number(whole) * MICROS_PER_UNIT + Number(frac.padEnd(6, '0'));
  if (!Number.isSafeInteger(micros)) {
    throw new AmountError(`invalid amount "${text}": too large`);
  }
  if (micros === 0 && options.allowZero !== true) {
    throw new AmountError(`invalid amount "${text}": must be greater than zero`);
  }
  return micros;
}

// Below 2^31 units a double's spacing is under 2.4e-7, so at most one value
// with 6 decimals rounds to any given double; see microsFromJson.
const FAST_PATH_LIMIT = 2 ** 31;

/**
 * Converts a JSON number in the major unit (as the API sends it) to micros
 * exactly: 0.1 is 100000 and never 99999. The fast path builds no string:
 * when n = round(value × 10^6) divides back to exactly `value` (division is
 * correctly rounded), n/10^6 is the one 6-decimal number that rounds to
 * `value`, which is also its shortest decimal text. Otherwise (more than 6
 * decimals, or huge) the shortest text decides, and explains any refusal.
 */
export function microsFromJson(value: unknown): Micros {
  if (typeof value === 'number' && value < FAST_PATH_LIMIT && value > -FAST_PATH_LIMIT) {
    const n = Math.round(value * MICROS_PER_UNIT);
    if (n / MICROS_PER_UNIT === value) return n === 0 ? 0 : n;
  }
  return microsFromShortestText(value);
}

/** The reference conversion, through the number's shortest decimal text. Exported for tests. */
export function microsFromShortestText(value: unknown): Micros {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new AmountError(`invalid amount ${JSON.stringify(value)}: not a finite number`);
  }
  const negative = value < 0;
  const text = Math.abs(value).toString();
  const [mantissa = '0', exponentText] = text.split('e');
  const exponent = exponentText === undefined ? 0 : Number(exponentText);
  const [intPart = '0', fracPart = ''] = mantissa.split('.');
  let digits = intPart + fracPart;
  let point = intPart.length + exponent;
  if (point < 0) {
    digits = '0'.repeat(-point) + digits;
    point = 0;
  }
  if (digits.length < point) digits = digits.padEnd(point, '0');
  const whole = digits.slice(0, point) || '0';
  const frac = digits.slice(point);
  if (frac.replace(/0+$/, '').length > 6) {
    throw new AmountError(`invalid amount ${text}: more than 6 decimals`);
  }
  const micros = Number(whole) * MICROS_PER_UNIT + Number(frac.slice(0, 6).padEnd(6, '0'));
  if (!Number.isSafeInteger(micros)) throw new AmountError(`invalid amount ${text}: too large`);
  return negative ? -micros : micros;
}

/** Micros as a JSON number in the major unit (exact: at most 6 decimals round-trip). */
export function microsToJson(micros: Micros): number {
  return Number(formatDecimal(micros, 0));
}

/**
 * Exact decimal text for CSV and JSON: no symbol, no separators, trailing zeros
 * trimmed down to `minDecimals` (2 by default: 12.50, 0.000123, -3.00).
 */
export function formatDecimal(micros: Micros, minDecimals = 2): string {
  const negative = micros < 0;
  const abs = Math.abs(micros);
  const whole = Math.trunc(abs / MICROS_PER_UNIT);
  let frac = String(abs % MICROS_PER_UNIT).padStart(6, '0');
  while (frac.length > minDecimals && frac.endsWith('0')) frac = frac.slice(0, -1);
  return `${negative ? '-' : ''}${whole}${frac.length > 0 ? `.${frac}` : ''}`;
}

/**
 * Human money for tables: `$12,345.67`. Shows more decimals only when cents
 * would hide a non-zero amount (`$0.0042`), never rounding to a false zero.
 */
export function formatMoney(micros: Micros, currency = 'USD'): string {
  const symbol = CURRENCIES[currency] ?? `${currency} `;
  const negative = micros < 0;
  const abs = Math.abs(micros);
  let decimals = 2;
  if (abs !== 0 && abs < 10_000) {
    // below one cent: show enough decimals for two significant digits
    decimals = Math.min(6, 6 - String(abs).length + 2);
  }
  const scale = 10 ** (6 - decimals);
  // round half away from zero on integers
  const rounded = Math.round(abs / scale);
  const whole = Math.trunc((rounded * scale) / MICROS_PER_UNIT);
  const frac = String(rounded % 10 ** decimals).padStart(decimals, '0');
  const grouped = String(whole).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return `${negative ? '-' : ''}${symbol}${grouped}.${frac}`;
}

/** Sum of micros, checked so an overflow is an error rather than a silent float. */
export function addMicros(a: Micros, b: Micros): Micros {
  const sum = a + b;
  if (!Number.isSafeInteger(sum)) throw new AmountError('amount overflow');
  return sum;
}
