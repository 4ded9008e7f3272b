// `--faults SPEC`: injected 429/503 responses, latency and dropped connections
// (docs/api-contract.md). Parsing is strict so a typo never silently disables a fault.
import { durationMs, TimeError } from '../domain/time.js';

export interface FaultRule {
  kind: '429' | '503' | 'drop' | 'latency';
  latencyMs: number;
  rate: number;
  path: string | undefined;
  method: string | undefined;
  skip: number;
  count: number | undefined;
  commit: boolean;
  retryAfter: number | undefined;
  seen: number;
  injected: number;
}

export class FaultSpecError extends Error {}

export function parseFaults(spec: string): FaultRule[] {
  const rules: FaultRule[] = [];
  for (const text of spec.split(',')) {
    const tokens = text.trim().split(/\s+/).filter((t) => t !== '');
    if (tokens.length === 0) continue;
    const [kindText = '', ...options] = tokens;
    const rule: FaultRule = {
      kind: '429',
      latencyMs: 0,
      rate: 1,
      path: undefined,
      method: undefined,
      skip: 0,
      count: undefined,
      commit: false,
      retryAfter: undefined,
      seen: 0,
      injected: 0,
    };
    if (kindText === '429' || kindText === '503' || kindText === 'drop') rule.kind = kindText;
    else if (kindText.startsWith('latency=')) {
      rule.kind = 'latency';
      rule.latencyMs = parseMs(kindText.slice('latency='.length), kindText);
    } else {
      throw new FaultSpecError(`unknown fault "${kindText}" in "${text.trim()}": use 429, 503, drop or latency=200ms`);
    }
    for (const option of options) {
      const eq = option.indexOf('=');
      const key = eq < 0 ? option : option.slice(0, eq);
      const value = eq < 0 ? '' : option.slice(eq + 1);
      switch (key) {
        case 'rate': {
          const rate = Number(value);
          if (value === '' || !Number.isFinite(rate) || rate < 0 || rate > 1) throw new FaultSpecError(`invalid "${option}": rate is a number from 0 to 1`);
          rule.rate = rate;
          break;
        }
        case 'path':
          if (!value.startsWith('/')) throw new FaultSpecError(`invalid "${option}": path must start with /`);
          rule.path = value;
          break;
        case 'method':
          if (value !== 'GET' && value !== 'POST') throw new FaultSpecError(`invalid "${option}": method is GET or POST`);
          rule.method = value;
          break;
        case 'skip':
        case 'count':
        case 'retry-after': {
          if (!/^\d+$/.test(value)) throw new FaultSpecError(`invalid "${option}": ${key} is a whole number`);
          if (key === 'skip') rule.skip = Number(value);
          else if (key === 'count') rule.count = Number(value);
          else rule.retryAfter = Number(value);
          break;
        }
        case 'commit':
          if (eq >= 0) throw new FaultSpecError(`invalid "${option}": commit takes no value`);
          rule.commit = true;
          break;
        default:
          throw new FaultSpecError(`unknown option "${option}" in "${text.trim()}": use rate=, path=, method=, skip=, count=, commit or retry-after=`);
      }
    }
    rules.push(rule);
  }
  return rules;
}

function parseMs(text: string, token: string): number {
  try {
    return /^\d+$/.test(text) ? Number(text) : durationMs(text);
  } catch (error) {
    if (error instanceof TimeError) throw new FaultSpecError(`invalid "${token}": use a duration such as 200ms or 1s`);
    throw error;
  }
}

/** Small seeded PRNG (mulberry32): repeatable fault choices with --faults-seed. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface FaultDecision {
  latencyMs: number;
  fault: FaultRule | undefined;
}

/** Which faults hit this request: all matching latency rules add up; the first other matching rule wins. */
export function decideFaults(rules: FaultRule[], method: string, path: string, random: () => number): FaultDecision {
  let latencyMs = 0;
  let fault: FaultRule | undefined;
  for (const rule of rules) {
    if (rule.method !== undefined && rule.method !== method) continue;
    if (rule.path !== undefined && !path.startsWith(rule.path)) continue;
    if (rule.kind !== 'latency' && fault !== undefined) continue;
    rule.seen += 1;
    if (rule.seen <= rule.skip) continue;
    if (rule.count !== undefined && rule.injected >= rule.count) continue;
    if (rule.rate < 1 && random() >= rule.rate) continue;
    rule.injected += 1;
    if (rule.kind === 'latency') latencyMs += rule.latencyMs;
    else fault = rule;
  }
  return { latencyMs, fault };
}
