// The vocabulary of spend events shared by the client, the emulator and the
// shell completions.

/** Keys a spend aggregation can be split by (`--group-by`, `group_by=`). */
export const GROUP_KEYS = ['team', 'provider', 'model'] as const;
export type GroupKey = (typeof GROUP_KEYS)[number];

export function isGroupKey(text: string): text is GroupKey {
  return (GROUP_KEYS as readonly string[]).includes(text);
}

/** Largest page of events or transactions one request asks for (and the emulator serves). */
export const MAX_PAGE_SIZE = 1000;

/** The policy decisions `--verdict` takes: the product CLI's words. */
export const VERDICTS = ['allow', 'block', 'redact', 'escalate'] as const;
export type Verdict = (typeof VERDICTS)[number];

export function isVerdict(text: string): text is Verdict {
  return (VERDICTS as readonly string[]).includes(text);
}

// The product's pages word the same decisions differently (allowed, blocked,
// pass, modified, …); a filter matches them all.
const VERDICT_SYNONYMS: Readonly<Record<string, Verdict>> = {
  allow: 'allow',
  allowed: 'allow',
  pass: 'allow',
  passed: 'allow',
  block: 'block',
  blocked: 'block',
  redact: 'redact',
  redacted: 'redact',
  modified: 'redact',
  escalate: 'escalate',
  escalated: 'escalate',
};

/** Every word --verdict takes: the CLI's four and the product's synonyms. */
export const VERDICT_WORDS: readonly string[] = Object.keys(VERDICT_SYNONYMS);

/** A server's verdict in the CLI's words, or undefined when it is none of them. */
export function normalizeVerdict(text: string | null): Verdict | undefined {
  if (text === null) return undefined;
  return VERDICT_SYNONYMS[text.trim().toLowerCase()];
}

/** Every column of an event row, in order: kt's contract first, then the product's decision fields. */
export const EVENT_FIELD_NAMES = [
  'timestamp',
  'team',
  'user',
  'provider',
  'model',
  'input_tokens',
  'output_tokens',
  'cached',
  'cost',
  'currency',
  'request_id',
  'id',
  'verdict',
  'reason_code',
  'event_type',
  'config_version',
] as const;
