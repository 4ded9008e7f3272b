// The seed guide's cost-control blocks of a validated policy document, typed,
// for the commands that act on them (kt savings --policy). Amounts come from
// the money module exactly as the checker parsed them from the source text,
// never through a float.
import { BUCKET_PERIODS, WALLET_PERIODS } from '../periods.js';
import { pathText, type Money, type ValidatedPolicy } from './diagnostic.js';

const SPEND_PERIODS = [...new Set([...BUCKET_PERIODS, ...WALLET_PERIODS])];
export type SpendPeriod = (typeof BUCKET_PERIODS)[number] | (typeof WALLET_PERIODS)[number];
export type SoftCapAction = 'notify' | 'downgrade' | 'queue' | 'log';
export type HardCapAction = 'block' | 'escalate' | 'queue' | 'downgrade';

export interface SpendControl {
  team: string;
  period: SpendPeriod;
  hardCap: Money;
  softCap: Money | undefined;
  /** ISO 4217 code when the entry names one; otherwise the wallet's currency applies. */
  currency: string | undefined;
  onSoftCap: SoftCapAction | undefined;
  onHardCap: HardCapAction | undefined;
}

export interface RoutedModel {
  provider: string;
  model: string;
  maxTokens: number | undefined;
  /** Lower is tried first. */
  priority: number | undefined;
}

export interface CostPriorityGroup {
  name: string;
  /** In document order. */
  models: RoutedModel[];
}

export interface CostControls {
  spendControls: SpendControl[];
  /** Only `routing: cost-priority` groups in the models form. */
  costPriorityGroups: CostPriorityGroup[];
  /** Empty when the document has no model_allowlist. */
  modelAllowlist: string[];
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const items = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const text = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const whole = (v: unknown): number | undefined => (typeof v === 'number' && Number.isInteger(v) ? v : undefined);

/** Reads spend_controls, cost-priority model_groups and model_allowlist from a document that passed validation. */
export function readCostControls(policy: ValidatedPolicy): CostControls {
  const doc = policy.value;
  const amount = (path: Array<string | number>): Money | undefined => policy.amounts.get(pathText(path));
  const spendControls = items(doc.spend_controls).flatMap((entry, i): SpendControl[] => {
    const hardCap = amount(['spend_controls', i, 'hard_cap']);
    const period = text(isObj(entry) ? entry.period : undefined);
    if (!isObj(entry) || typeof entry.team !== 'string' || hardCap === undefined || period === undefined || !(SPEND_PERIODS as string[]).includes(period)) {
      throw new Error(`spend_controls[${i}] was not validated; pass a document from validatePolicy`);
    }
    return [
      {
        team: entry.team,
        period: period as SpendPeriod,
        hardCap,
        softCap: amount(['spend_controls', i, 'soft_cap']),
        currency: text(entry.currency),
        onSoftCap: text(entry.on_soft_cap) as SoftCapAction | undefined,
        onHardCap: text(entry.on_hard_cap) as HardCapAction | undefined,
      },
    ];
  });
  const costPriorityGroups = items(doc.model_groups).flatMap((group): CostPriorityGroup[] => {
    if (!isObj(group) || group.routing !== 'cost-priority' || typeof group.name !== 'string') return [];
    const models = items(group.models).flatMap((m): RoutedModel[] =>
      isObj(m) && typeof m.provider === 'string' && typeof m.model === 'string'
        ? [{ provider: m.provider, model: m.model, maxTokens: whole(m.max_tokens), priority: whole(m.priority) }]
        : [],
    );
    return [{ name: group.name, models }];
  });
  const modelAllowlist = items(doc.model_allowlist).filter((m): m is string => typeof m === 'string');
  return { spendControls, costPriorityGroups, modelAllowlist };
}
