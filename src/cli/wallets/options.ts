// Flags of the wallet commands → validated values. Pure: "now" is passed in,
// every rejection is a UsageError (exit 2) that says what is accepted.
import { UsageError } from '../../errors.js';
import { AmountError, CURRENCIES, isCurrency, parseAmount, type Money } from '../../domain/money.js';
import { parseInstant, TimeError } from '../../domain/time.js';
import { isTransactionType, TRANSACTION_TYPES, type TransactionType } from '../../domain/ledger.js';
import { isWalletPeriod, WALLET_PERIODS, type WalletPeriod } from '../../domain/periods.js';
import { isTeamId, TEAM_ID_RULE } from '../../domain/teams.js';
import { didYouMean } from '../../domain/suggest.js';

export function parseTeam(text: string | undefined, flag = '--team'): string {
  const team = (text ?? '').trim();
  if (team === '') throw new UsageError(`${flag} needs a team id`, 'run `kt wallets list` to see every team');
  if (!isTeamId(team)) {
    throw new UsageError(`invalid ${flag} "${text}": use the team id (${TEAM_ID_RULE}), e.g. search`, 'run `kt wallets list` to see every team');
  }
  return team;
}

export function parseAmountFlag(text: string | undefined, flag = '--amount'): Money {
  if (text === undefined) throw new UsageError(`${flag} is required`);
  try {
    return parseAmount(text);
  } catch (error) {
    if (error instanceof AmountError) throw new UsageError(error.message.replace(/^invalid amount/, `invalid ${flag}`));
    throw error;
  }
}

export function parseCurrency(text: string | undefined): string | undefined {
  if (text === undefined) return undefined;
  const code = text.trim().toUpperCase();
  if (!isCurrency(code)) {
    throw new UsageError(`invalid --currency "${text}": use one of ${Object.keys(CURRENCIES).join(', ')}`);
  }
  return code;
}

export function parsePeriod(text: string | undefined): WalletPeriod {
  if (text === undefined) return 'monthly';
  if (!isWalletPeriod(text)) {
    throw new UsageError(`invalid --period "${text}": use one of ${WALLET_PERIODS.join(', ')}`);
  }
  return text;
}

const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,255}$/;

export function parseIdempotencyKey(text: string | undefined): string | undefined {
  if (text === undefined) return undefined;
  if (!IDEMPOTENCY_KEY.test(text)) {
    throw new UsageError(`invalid --idempotency-key "${text}": use 1 to 255 printable ASCII characters without spaces`);
  }
  return text;
}

export function parseTypes(text: string | undefined): TransactionType[] | undefined {
  if (text === undefined) return undefined;
  const items = text.split(',').map((t) => t.trim().toLowerCase());
  const unknown = items.filter((t) => !isTransactionType(t));
  if (unknown.length > 0) {
    const shown = unknown.map((t) => (t === '' ? '(empty)' : `"${t}"`)).join(', ');
    const nearest = unknown.map((t) => didYouMean(t, TRANSACTION_TYPES)).find((t) => t !== undefined);
    throw new UsageError(
      `invalid --type "${text}": unknown type ${shown}${nearest === undefined ? '' : ` (did you mean "${nearest}"?)`}; valid types: ${TRANSACTION_TYPES.join(', ')}`,
    );
  }
  return [...new Set(items)] as TransactionType[];
}

function instant(flag: string, text: string, now: Date): Date {
  try {
    return parseInstant(text, now);
  } catch (error) {
    if (error instanceof TimeError) throw new UsageError(`invalid ${flag}: ${error.message}`);
    throw error;
  }
}

/** --since/--until → ISO instants; --until is exclusive and must come after --since. */
export function parseRange(since: string | undefined, until: string | undefined, now: Date): { since: string; until: string | undefined } {
  const start = instant('--since', since ?? '90d', now);
  if (start.getTime() > now.getTime()) {
    throw new UsageError(`invalid --since "${since ?? ''}": ${start.toISOString()} is in the future`, 'use a past date or a duration such as 90d');
  }
  if (until === undefined) return { since: start.toISOString(), until: undefined };
  const end = instant('--until', until, now);
  if (end.getTime() <= start.getTime()) {
    throw new UsageError(`--since (${start.toISOString()}) must be before --until (${end.toISOString()})`, '--until is exclusive');
  }
  return { since: start.toISOString(), until: end.toISOString() };
}
