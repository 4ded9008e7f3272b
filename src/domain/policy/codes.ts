// Every code `kt policy validate` reports: the one table behind `kt policy
// codes`, the docs/policy.md table (a test compares them), SARIF rules and the docs.
// E001–E003 are the product's own (docs/cli/policy-lint) and mean what they
// mean there. The rest are kt's, grouped by hundreds: E1xx the file and its
// YAML, E2xx the schema, E3xx cost-control and cross-reference rules, W0xx
// warnings. Codes are stable: never renumber one, retire it instead.

export type Severity = 'error' | 'warning';

export interface CodeInfo {
  code: string;
  /** PascalCase rule name (SARIF `name`). */
  name: string;
  severity: Severity;
  title: string;
}

const entry = (code: string, name: string, title: string): CodeInfo => ({ code, name, severity: code.startsWith('W') ? 'warning' : 'error', title });

export const POLICY_CODES: readonly CodeInfo[] = [
  entry('E001', 'UnknownPolicyKind', 'unknown policy kind (in policies.chain, as a key under policy, or as a single-policy name)'),
  entry('E002', 'UnknownPolicyKey', 'unknown key inside a policy block'),
  entry('E003', 'ChainKindWithoutBlock', 'policy kind in policies.chain has no block under policy'),
  entry('E100', 'InternalError', 'internal error while checking the file (a bug in kt)'),
  entry('E101', 'Unreadable', 'file cannot be read (missing, a directory, no permission, a glob matching nothing)'),
  entry('E102', 'TooLarge', 'file larger than 5 MB'),
  entry('E103', 'NotUtf8', 'not UTF-8 text (binary data or another encoding)'),
  entry('E104', 'Empty', 'empty file or only comments'),
  entry('E105', 'YamlSyntax', 'YAML syntax error'),
  entry('E106', 'TabIndentation', 'tab used for indentation'),
  entry('E107', 'DuplicateKey', 'duplicate key in a mapping'),
  entry('E108', 'AliasBomb', 'alias expansion refused (more than 1000)'),
  entry('E109', 'NotAMapping', 'top level is not a mapping'),
  entry('E110', 'TooManyProblems', 'more problems than are listed'),
  entry('E201', 'UnknownKey', 'unknown key outside a policy block'),
  entry('E202', 'WrongType', 'value of the wrong type'),
  entry('E203', 'ValueNotAllowed', 'value not among those allowed'),
  entry('E204', 'MissingKey', 'required key missing'),
  entry('E205', 'MalformedValue', 'value not in the expected form'),
  entry('E206', 'OutOfRange', 'number or list length out of range'),
  entry('E207', 'DuplicateItem', 'the same item twice in a list'),
  entry('E208', 'NotStandalone', 'kind cannot be a single-policy document'),
  entry('E209', 'MixedFormats', 'keys of two formats of one block mixed'),
  entry('E301', 'InvalidAmount', 'amount not a positive plain decimal within the money precision'),
  entry('E302', 'SoftCapNotBelowHardCap', 'soft_cap not below hard_cap'),
  entry('E303', 'DuplicateSpendControl', 'second spend control for one team and period'),
  entry('E304', 'DuplicatePriority', 'two models with one priority in a model group'),
  entry('E305', 'DuplicateTargetId', 'provider target id used twice'),
  entry('E306', 'UnknownTarget', 'reference to a provider target id that is not declared'),
  entry('E307', 'UnknownModelGroup', 'fallback_group names no model group'),
  entry('E308', 'MissingEndpoint', 'endpoint required by the chosen provider or mode is missing'),
  entry('W001', 'ModelNotPriced', "model not in kt's price catalogue"),
  entry('W002', 'BlockNotInChain', 'policy block not in policies.chain (it never runs)'),
  entry('W003', 'LiteralApiKey', 'literal api_key in the file'),
  entry('W004', 'FuzzyDistanceIgnored', 'max_distance without fuzzy_matching: true has no effect'),
  entry('W005', 'UnlistedValue', 'value outside those the docs show for an open list'),
];

export const CODE_INFO: ReadonlyMap<string, CodeInfo> = new Map(POLICY_CODES.map((c) => [c.code, c]));

export function codeInfo(code: string): CodeInfo {
  const info = CODE_INFO.get(code);
  if (info === undefined) throw new Error(`policy code ${code} is not in the code table`);
  return info;
}
