// Money is an exact integer count of nano-units (1e-9 of the currency's major
// unit) held in a bigint, from the moment it is parsed: one token of
// gpt-4o-mini input costs 150 nano-dollars, and a month of an organisation's
// spend can pass 2^53 nano-dollars ($9M), where a double stops counting
// units. Nothing here ever adds floats. Digits beyond the ninth decimal are
// rounded half to even, once, where an amount enters kt.

declare const moneyBrand: unique symbol;
/**
 * Nano-units of a currency. Branded so that a plain number or bigint cannot
 * be handed where money is expected (the output layer's money columns take
 * Money only). Every Money comes from a parser here, `units`, `nanos` (an
 * integer count kt already holds) or the arithmetic helpers below.
 */
export type Money = bigint & { readonly [moneyBrand]: true };

/** No money. */
export const ZERO = 0n as Money;

/**
 * A count of nano-units as money: for amounts kt itself holds as integers
 * (a database column, a price × tokens product already in nanos). Amounts
 * from text or JSON go through the parsers below instead.
 */
export function nanos(count: bigint): Money {
  return count as Money;
}

export function addMoney(a: Money, b: Money): Money {
  return (a + b) as Money;
}

export function subtractMoney(a: Money, b: Money): Money {
  return (a - b) as Money;
}

export function negateMoney(a: Money): Money {
  return (0n - a) as Money;
}

export function sumMoney(amounts: Iterable<Money>): Money {
  let total = 0n;
  for (const amount of amounts) total += amount;
  return total as Money;
}

export function minMoney(a: Money, b: Money): Money {
  return a < b ? a : b;
}

export function maxMoney(a: Money, b: Money): Money {
  return a > b ? a : b;
}

/** Decimals kept: amounts are exact to 1e-9 of the major unit. */
export const MONEY_DECIMALS = 9;
export const NANOS_PER_UNIT = 1_000_000_000n;
/**
 * Largest amount kt accepts anywhere (10^15 units, far above any budget). A
 * bigint has no limit of its own; the emulator's SQLite columns are int64
 * nano-units (up to about 9.2 × 10^9 units) and it refuses larger writes
 * itself.
 */
const MAX_MONEY = 10n ** 24n;

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

/** Whole units as money: `units(10_000)` is $10,000. */
export function units(amount: number | bigint): Money {
  if (typeof amount === 'number' && !Number.isSafeInteger(amount)) throw new AmountError(`units(${amount}): not a whole number`);
  return (BigInt(amount) * NANOS_PER_UNIT) as Money;
}

const PLAIN_DECIMAL = /^(\d+)(?:\.(\d+))?$/;

/**
 * Parses a user-typed amount such as `10000`, `12.5` or `0.000000001`.
 * Refuses signs, symbols, separators, exponents and more than 9 decimals with
 * a message that names the accepted form (a person typing more digits than
 * kt keeps has made a mistake; a server sending them has not).
 */
export function parseAmount(text: string, options: { allowZero?: boolean } = {}): Money {
  const trimmed = text.trim();
  const match = PLAIN_DECIMAL.exec(trimmed);
  if (match === null) {
    let why = 'not a number';
    if (/^[-−]/.test(trimmed)) why = 'negative';
    else if (/[$€£¥]/.test(trimmed)) why = 'has a currency symbol';
    else if (/\d[,_ ]\d/.test(trimmed)) why = 'has thousands separators';
    else if (/e/i.test(trimmed) && /\d/.test(trimmed)) why = 'uses an exponent';
    throw new AmountError(`invalid amount "${text}": ${why}; use a plain decimal such as 2500 or 12.75 (at most ${MONEY_DECIMALS} decimals)`);
  }
  const frac = match[2] ?? '';
  if (frac.length > MONEY_DECIMALS) {
    throw new AmountError(`invalid amount "${text}": more than ${MONEY_DECIMALS} decimals; amounts are exact to 0.000000001`);
  }
  const money = BigInt(match[1] ?? '0') * NANOS_PER_UNIT + BigInt(frac.padEnd(MONEY_DECIMALS, '0'));
  if (money >= MAX_MONEY) throw new AmountError(`invalid amount "${text}": too large`);
  if (money === 0n && options.allowZero !== true) throw new AmountError(`invalid amount "${text}": must be greater than zero`);
  return money as Money;
}

// Below 2^22 doubles are spaced less than 1e-9 apart, so at most one number
// with nine decimals rounds to any given double; see moneyFromJson.
const FAST_PATH_LIMIT = 2 ** 22;

/**
 * An amount as a server sends it, exactly: a JSON number in any form (`0.1`,
 * `3.75e-05`, float noise such as `0.0016150000000000001`) or a decimal
 * string. Digits beyond the ninth decimal are rounded half to even.
 *
 * The fast path builds no string: when n = round(value × 10^9) divides back
 * to exactly `value` (division is correctly rounded), n/10^9 is the one
 * 9-decimal number that rounds to `value`, which is also its shortest text.
 * Anything else (more decimals, or large) goes through the shortest text.
 */
export function moneyFromJson(value: unknown, options: ExactOption = {}): Money {
  if (typeof value === 'number') {
    if (value < FAST_PATH_LIMIT && value > -FAST_PATH_LIMIT) {
      const n = Math.round(value * 1e9);
      if (n / 1e9 === value) return BigInt(n) as Money;
    }
    if (!Number.isFinite(value)) throw new AmountError(`invalid amount ${String(value)}: not a finite number`);
    return moneyFromDecimal(String(value), options);
  }
  if (typeof value === 'string') return moneyFromDecimal(value, options);
  throw new AmountError(`invalid amount ${describe(value)}: not a number`);
}

export interface ExactOption {
  /**
   * Refuse an amount with non-zero digits past the ninth decimal instead of
   * rounding it: a ledger write must store exactly what was asked for.
   */
  exact?: boolean;
}

const DECIMAL_TEXT = /^([+-])?(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d{1,6}))?$/;

/** Exact decimal text (`12.5`, `-3.75e-05`, `1E3`) to money, half to even past nine decimals. */
export function moneyFromDecimal(text: string, options: ExactOption = {}): Money {
  const trimmed = text.trim();
  const match = DECIMAL_TEXT.exec(trimmed);
  const whole = match?.[2] ?? '';
  const frac = match?.[3] ?? '';
  if (match === null || whole.length + frac.length === 0) throw new AmountError(`invalid amount ${JSON.stringify(text)}: not a number`);
  const digits = (whole + frac).replace(/^0+(?=\d)/, '');
  // value = digits × 10^exponent; in nanos, × 10^(exponent + 9).
  const shift = Number(match[4] ?? '0') - frac.length + MONEY_DECIMALS;
  let magnitude: bigint;
  if (shift >= 0) {
    if (digits.replace(/^0+/, '').length + shift > 40) throw new AmountError(`invalid amount ${text}: too large`);
    magnitude = BigInt(digits) * 10n ** BigInt(shift);
  } else {
    if (options.exact === true && BigInt(digits) % 10n ** BigInt(-shift) !== 0n) {
      throw new AmountError(`invalid amount ${text}: more than ${MONEY_DECIMALS} decimals; amounts are exact to 0.000000001`);
    }
    // far below half a nano-unit, or rounded half to even
    magnitude = -shift > digits.length + 1 ? 0n : divideHalfEven(BigInt(digits), 10n ** BigInt(-shift));
  }
  if (magnitude >= MAX_MONEY) throw new AmountError(`invalid amount ${text}: too large`);
  return (match[1] === '-' ? -magnitude : magnitude) as Money;
}

/** a / b rounded half to even (b > 0). */
export function divideHalfEven(a: bigint, b: bigint): bigint {
  const negative = a < 0n;
  const abs = negative ? -a : a;
  let q = abs / b;
  const r = abs % b;
  const twice = r * 2n;
  if (twice > b || (twice === b && q % 2n === 1n)) q += 1n;
  return negative ? -q : q;
}

/**
 * Exact decimal text for CSV and JSON: no symbol, no separators, trailing
 * zeros trimmed down to `minDecimals` (2 by default: 12.50, 0.0000375, -3.00).
 */
export function formatDecimal(money: Money, minDecimals = 2): string {
  const negative = money < 0n;
  const digits = (negative ? 0n - money : money).toString().padStart(MONEY_DECIMALS + 1, '0');
  const whole = digits.slice(0, -MONEY_DECIMALS);
  let end = digits.length;
  const keep = whole.length + minDecimals;
  while (end > keep && digits.charCodeAt(end - 1) === 48) end -= 1;
  const frac = digits.slice(whole.length, end);
  return `${negative ? '-' : ''}${whole}${frac.length > 0 ? `.${frac}` : ''}`;
}

/**
 * An exact decimal held as a bigint count of 10^-scale units, with no
 * trailing zeros (`formatScaled(250n, 6)` is `0.00025`, `formatScaled(3n, 0)` is `3`).
 */
export function formatScaled(value: bigint, scale: number): string {
  if (scale === 0) return value.toString();
  const negative = value < 0n;
  const digits = (negative ? -value : value).toString().padStart(scale + 1, '0');
  const whole = digits.slice(0, -scale);
  const frac = digits.slice(-scale).replace(/0+$/, '');
  return `${negative ? '-' : ''}${whole}${frac === '' ? '' : `.${frac}`}`;
}

/**
 * Human money for tables: `$12,345.67`. More decimals only where cents would
 * show 0.00 (below half a cent): two significant digits then, `$0.0042`,
 * `$0.000038`, never a false zero. $0.00995 is `$0.01`. Display rounding is
 * half away from zero.
 */
export function formatMoney(money: Money, currency = 'USD'): string {
  const symbol = CURRENCIES[currency] ?? `${currency} `;
  const negative = money < 0n;
  const abs = negative ? 0n - money : money;
  let decimals = 2;
  if (abs !== 0n && abs < NANOS_PER_UNIT / 200n) {
    // below half a cent: enough decimals for two significant digits
    decimals = Math.min(MONEY_DECIMALS, MONEY_DECIMALS - abs.toString().length + 2);
    // 0.0000999 at two digits rounds up to 0.000100: one decimal fewer keeps two digits, 0.00010
    if (decimals > 2 && roundTo(abs, decimals) === 10n ** 2n) decimals -= 1;
  }
  const rounded = roundTo(abs, decimals);
  const unitsPart = rounded / 10n ** BigInt(decimals);
  const frac = (rounded % 10n ** BigInt(decimals)).toString().padStart(decimals, '0');
  const grouped = unitsPart.toString().replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return `${negative ? '-' : ''}${symbol}${grouped}.${frac}`;
}

/** A non-negative amount in units of 10^-decimals, rounded half up. */
function roundTo(abs: bigint, decimals: number): bigint {
  const scale = 10n ** BigInt(MONEY_DECIMALS - decimals);
  return (abs + scale / 2n) / scale;
}

/**
 * Two amounts as a person compares them (`requested $12.50 but only $3.00`):
 * table money, with every decimal instead when rounding to cents would make
 * two different amounts look equal.
 */
export function formatMoneyPair(a: Money, b: Money, currency = 'USD'): [string, string] {
  const x = formatMoney(a, currency);
  const y = formatMoney(b, currency);
  if (x !== y || a === b) return [x, y];
  const symbol = CURRENCIES[currency] ?? `${currency} `;
  const exact = (m: Money): string => `${m < 0n ? '-' : ''}${symbol}${formatDecimal(m < 0n ? negateMoney(m) : m)}`;
  return [exact(a), exact(b)];
}

/** An approximation for statistics (forecasts, ratios); never summed back into money. */
export function moneyToFloat(money: Money): number {
  return Number(money) / 1e9;
}

/** A statistical estimate (major units) as money, to the nearest nano-unit; 0 for NaN or infinities. */
export function moneyFromFloat(value: number): Money {
  if (!Number.isFinite(value)) return ZERO;
  return BigInt(Math.round(value * 1e9)) as Money;
}

/** part / whole as a fraction (utilization); null when the whole is zero. */
export function moneyRatio(part: Money, whole: Money): number | null {
  if (whole === 0n) return null;
  return Number(part) / Number(whole);
}

function describe(value: unknown): string {
  if (value === undefined) return 'undefined';
  if (typeof value === 'bigint') return `${value}n`;
  return JSON.stringify(value) ?? typeof value;
}
