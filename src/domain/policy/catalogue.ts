// What a Keeptrusts policy-config.yaml may contain, written down once from
// the product's public docs (shared/reference/policy-config-facts.md) plus
// the cost-control blocks of kt's seed guide. The checker and the JSON Schema
// are both derived from here; to accept a newly documented key, add it here.
//
// Conventions: keys and enums are exactly those the docs show. Where pages
// disagree, every documented variant is accepted and `note` says which pages
// and how the disagreement was settled. Counts, sizes and durations must not
// be negative even where a page gives no range, because no reading of a
// negative count makes sense. Where a page lists values "seen" rather than a
// closed enum, the value is free text and `suggest` names the known ones (a
// value outside them is warning W005, never an error).
import { BUCKET_PERIODS, WALLET_PERIODS } from '../periods.js';
import { TEAM_ID_PATTERN, TEAM_ID_RULE } from '../teams.js';
import {
  anything,
  bool,
  documented,
  fraction,
  int,
  list,
  map,
  money,
  obj,
  oneOf,
  oneOfValues,
  str,
  strings,
  withProperties,
  type ObjectSpec,
  type Spec,
  type StringSpec,
} from './spec.js';

const DOCS = 'https://docs.keeptrusts.com/docs/';
const ARTICLE = 'https://docs.keeptrusts.com/article/';
const page = (path: string): string => (path.startsWith('article:') ? `${ARTICLE}${path.slice('article:'.length)}/` : `${DOCS}${path}`);
const from = (...paths: string[]): readonly string[] => paths.map(page);

export const SEED_SOURCE = 'shared/seed/000_d5af5d6fb617a925.txt (CIO Guide: Cutting AI Infrastructure Costs by 40%)';

// ---- shared value shapes -------------------------------------------------

const SEMVER = '^(0|[1-9]\\d*)\\.(0|[1-9]\\d*)\\.(0|[1-9]\\d*)(?:-[0-9A-Za-z-]+(?:\\.[0-9A-Za-z-]+)*)?(?:\\+[0-9A-Za-z-]+(?:\\.[0-9A-Za-z-]+)*)?$';
const semver = (): StringSpec => str({ pattern: SEMVER, description: 'SemVer MAJOR.MINOR.PATCH, e.g. 1.0.0', hint: 'use a semantic version such as 1.0.0' });
const count = (description?: string): Spec => int({ minimum: 0, ...(description !== undefined ? { description } : {}) });
const positive = (description?: string): Spec => int({ minimum: 1, ...(description !== undefined ? { description } : {}) });
const url = (description?: string): StringSpec =>
  str({ pattern: '^https?://\\S+$', hint: 'a full URL such as https://example.com/path', ...(description !== undefined ? { description } : {}) });
const nonNegative = (): Spec => ({ type: 'number', minimum: 0 });
const redactOrBlock = (def: 'redact' | 'block'): StringSpec => oneOfValues(['redact', 'block'], { default: def });
const onlyBlock = (): StringSpec => oneOfValues(['block'], { default: 'block', description: 'this control always blocks' });
const fuzzyDistance = (): Spec => int({ minimum: 0, maximum: 8, default: 1, description: 'edit distance for fuzzy matching; applies only with fuzzy_matching: true' });

const ENV_NAME = '^[A-Za-z_][A-Za-z0-9_]*$';
const CONFIG_VAR_NAME = '^[A-Za-z0-9_.-]+$';
const secretRefObject = (): ObjectSpec =>
  obj(
    {
      env: str({ pattern: ENV_NAME, hint: 'an environment variable name such as OPENAI_API_KEY' }),
      store: str({ pattern: CONFIG_VAR_NAME, hint: "a config-variable name: ASCII letters, digits, '_', '-' and '.'" }),
    },
    {
      exactlyOne: ['env', 'store'],
      description: 'where the gateway finds the key: an environment variable or a stored config variable',
      sources: from('declarative-config-reference', 'cli/config-vars', 'guides/platform/secret-management'),
      hint: 'e.g. secret_key_ref: { env: OPENAI_API_KEY }',
    },
  );
const secretRef = secretRefObject;

const UUID = '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$';

// ---- policy kinds --------------------------------------------------------

export interface PolicyKind {
  name: string;
  /** The only kinds that may be written as a single-policy document. */
  standalone: boolean;
  /** Runs on the generated response rather than the request. */
  outputPhase: boolean;
  block: Spec;
  sources: readonly string[];
}

const kind = (name: string, block: Spec, sources: readonly string[], flags: { standalone?: boolean; outputPhase?: boolean } = {}): PolicyKind => ({
  name,
  standalone: flags.standalone ?? false,
  outputPhase: flags.outputPhase ?? false,
  block,
  sources,
});

const promptInjection = obj({
  detection: obj(
    { embedding_threshold: fraction(), attack_patterns: strings({ description: 'regular expressions' }) },
    { sources: from('article:prompt-injection-defense-detection-blocking-and-encoding-normalization', 'policies/config-single-policy-docs') },
  ),
  embedding_threshold: fraction({ description: 'flat form of detection.embedding_threshold' }),
  backend: str({ suggest: ['local'], sources: from('tutorials/cli/prompt-injection-defense') }),
  attack_patterns: strings({ description: 'flat form of detection.attack_patterns (regular expressions)' }),
  encoding: obj({ decode_base64: bool(), normalize_unicode: bool(), detect_homoglyphs: bool() }),
  boundaries: obj({ enforce_delimiters: bool(), reject_fake_boundaries: bool() }),
  response: obj({ action: onlyBlock(), message: str(), log_level: str({ suggest: ['warn'] }) }),
  threshold: fraction({ description: 'template form: detection threshold' }),
  action: onlyBlock(),
});

const agentFirewallSimple = obj({
  allowed_tools: strings({ description: 'exact tool names; * wildcards appear in examples' }),
  blocked_tools: strings(),
  max_actions_per_session: count(),
  denied_tools: documented(strings(), { note: 'template spelling of blocked_tools', sources: from('templates/agent-firewall') }),
  rate_limit: documented(obj({ max_calls_per_minute: count(), max_calls_per_session: count() }), {
    note: 'template form; the reference uses rate_limits in the expanded format',
    sources: from('templates/agent-firewall'),
  }),
  transaction_limit: documented(obj({ max_cost_per_session: nonNegative() }), {
    note: 'template form; the reference uses transaction_limits in the expanded format',
    sources: from('templates/agent-firewall'),
  }),
});

const agentFirewallExpanded = obj({
  tools: obj({ roles: map(obj({ allowed: strings(), denied: strings() })) }, { required: ['roles'] }),
  rate_limits: map(count(), { description: 'calls per minute: `default` and per tool name' }),
  max_actions_per_session: count(),
  transaction_limits: obj({ max_single_transaction: nonNegative(), max_daily_total: nonNegative(), require_approval_above: nonNegative() }),
  kill_switches: obj({ max_errors_before_halt: count(), halt_on_pii_in_action: bool(), halt_on_suspicious_pattern: bool() }),
  monitoring: obj({ alert_on_denied_action: bool(), alert_on_rate_limit: bool(), alert_threshold_percent: int({ minimum: 0, maximum: 100 }) }),
});

const agentFirewall = oneOf(
  [
    { name: 'simple', spec: agentFirewallSimple },
    { name: 'expanded', spec: agentFirewallExpanded },
  ],
  {
    description: 'two mutually exclusive formats; the first that matches is used',
    note: 'The reference (blocked_tools, rate_limits, transaction_limits) and the template (denied_tools, rate_limit, transaction_limit) disagree: the template keys are accepted in the simple format.',
    sources: from('policies/agent-firewall', 'templates/agent-firewall'),
  },
);

const qualityScorer = obj({
  industry: str(),
  min_output_chars: count(),
  min_sentences: count(),
  mock_scoring: bool(),
  providers: list(
    obj(
      {
        id: str({ minLength: 1 }),
        label: str(),
        provider: str(),
        model: str(),
        secret_key_ref: secretRef(),
        config: obj({ temperature: { type: 'number', minimum: 0, maximum: 2 } }),
      },
      { required: ['id'] },
    ),
  ),
  benchmarks: obj({ ragas_faithfulness: bool(), ragas_relevancy: bool(), coherence: bool(), completeness: bool() }),
  assertions: list(
    obj(
      {
        type: str({ suggest: ['is-json', 'llm-rubric', 'context-faithfulness', 'factuality', 'model-graded-closedqa'] }),
        name: str(),
        enabled: bool(),
        threshold: fraction(),
        weight: nonNegative(),
        mode: str({ suggest: ['enforce'] }),
        severity: oneOfValues(['critical', 'warning']),
        config: obj({ rubric: str(), reference_statement: str() }),
      },
      { required: ['type'] },
    ),
  ),
  thresholds: obj({
    min_aggregate: fraction(),
    min_faithfulness: fraction(),
    min_relevancy: fraction(),
    min_coherence: fraction(),
    min_completeness: fraction(),
    min_accuracy: fraction(),
  }),
  weights: obj({ faithfulness: nonNegative(), relevancy: nonNegative(), coherence: nonNegative(), completeness: nonNegative(), accuracy: nonNegative() }),
  pass_policy: obj({ strategy: str({ suggest: ['weighted_average'] }), threshold: fraction() }),
  failure_action: obj({ action: oneOfValues(['block', 'retry', 'fallback']), message: str() }),
  dimensions: documented(anything(), {
    note: 'use-case form; its shape is not in the available excerpt, so any value is accepted',
    sources: from('use-cases/quality-assurance-ai-outputs'),
  }),
  overall_min_score: documented(fraction(), { note: 'use-case form', sources: from('use-cases/quality-assurance-ai-outputs') }),
  on_fail: documented(str(), { note: 'use-case form', sources: from('use-cases/quality-assurance-ai-outputs') }),
  min_score: documented(fraction(), { note: 'template form: a flat minimum score', sources: from('templates/agent-firewall') }),
});

const rewriteRule = (withCondition: boolean): ObjectSpec =>
  obj(
    {
      name: str({ minLength: 1 }),
      pattern: str(),
      replacement: str(),
      position: oneOfValues(['replace', 'prepend', 'append'], { default: 'replace' }),
      ...(withCondition ? { condition: anything({ description: 'when the rule applies' }) } : {}),
    },
    { required: ['name'] },
  );

const fuzzyNote = 'max_distance is documented as 0–8 for entity-list-filter, dual-use-filter and dlp-filter; the same range is applied to the other fuzzy filters.';

export const POLICY_KINDS: readonly PolicyKind[] = [
  kind(
    'prompt-injection',
    documented(promptInjection, {
      note: 'Three layouts are documented: detection.attack_patterns (article, single-policy page), flat attack_patterns (tutorial) and threshold + action (templates). All are accepted.',
    }),
    from('policies/prompt-injection', 'templates/prompt-injection', 'tutorials/cli/prompt-injection-defense', 'templates/agent-firewall', 'templates/defense'),
    { standalone: true },
  ),
  kind(
    'pii-detector',
    obj(
      {
        action: redactOrBlock('redact'),
        healthcare_mode: bool({ default: false }),
        pci_mode: bool({ default: true }),
        redaction: obj({ marker_format: str({ default: 'label' }), include_metadata: bool(), preserve_length: bool(), custom_markers: map(str()) }),
        detect_patterns: documented(strings({ description: 'custom regular expressions or category names (email, ssn, …)' }), {
          note: "The lint page's E002 help omits detect_patterns, but the pii-detector reference and the industry pages use it (regex there, category names here): accepted.",
          sources: from('policies/pii-detector', 'industries/healthcare-hipaa', 'cli/policy-lint'),
        }),
        categories: documented(strings(), { note: 'one use-case page writes categories: instead of detect_patterns: accepted', sources: from('use-cases/prevent-data-leaks') }),
      },
      {},
    ),
    from('policies/pii-detector', 'tutorials/cli/pii-redaction-setup'),
  ),
  kind('hipaa-phi-detector', obj({ mode: oneOfValues(['hipaa_18']), action: redactOrBlock('redact'), safe_harbor_method: bool() }), from('policies/hipaa-phi-detector')),
  kind('agent-firewall', agentFirewall, from('policies/agent-firewall', 'templates/agent-firewall'), { standalone: true }),
  kind(
    'rbac',
    obj({
      deny_if_missing: strings({ default: ['X-User-ID'] }),
      require_auth: bool({ default: false }),
      roles: map(
        obj({
          allowed_tools: strings(),
          denied_tools: strings(),
          allowed_models: documented(strings(), { note: 'template key, not in the reference', sources: from('templates/defense') }),
        }),
      ),
      data_access: map(obj({ max_sensitivity: str({ suggest: ['public', 'confidential', 'restricted'] }) })),
      minimum_necessary: obj({ enabled: bool(), allowed_phi_roles: strings() }),
      default_action: documented(oneOfValues(['allow', 'deny']), { note: 'template key, not in the reference', sources: from('templates/defense') }),
    }),
    from('policies/rbac'),
  ),
  kind(
    'dlp-filter',
    obj({
      detect_patterns: strings({ description: 'regular expressions' }),
      blocked_terms: strings({ description: 'case-insensitive' }),
      action: redactOrBlock('redact'),
      fuzzy_matching: bool({ default: false }),
      max_distance: fuzzyDistance(),
      sensitivity_level: oneOfValues(['standard', 'high', 'restricted']),
      patterns: documented(list(obj({ name: str(), regex: str() }, { required: ['name', 'regex'] })), {
        note: 'defense template form of named regular expressions: accepted beside detect_patterns',
        sources: from('templates/defense'),
      }),
    }),
    from('policies/dlp-filter', 'tutorials/cli/dlp-data-classification'),
  ),
  kind(
    'safety-filter',
    obj({
      mode: documented(oneOfValues(['critical_infrastructure', 'automotive', 'education', 'law_enforcement', 'strict'], { default: 'critical_infrastructure' }), {
        note: 'The reference enum has four modes; the AWS Bedrock and Azure OpenAI integration pages use mode: strict. strict is accepted.',
        sources: from('policies/safety-filter', 'integrations/aws-bedrock'),
      }),
      block_if: documented(strings(), {
        note: 'The reference calls block_if additional to the built-ins; an article says it replaces them. The shape is the same either way.',
        sources: from('policies/safety-filter', 'article:building-your-first-content-safety-policy-with-keeptrusts'),
      }),
      action: oneOfValues(['block', 'escalate']),
      fuzzy_matching: bool({ default: false }),
      max_distance: documented(fuzzyDistance(), { note: fuzzyNote }),
      max_age: count(),
    }),
    from('policies/safety-filter', 'policies/policy-controls-catalog'),
  ),
  kind(
    'language-validator',
    obj({
      allowed_languages: list(str({ pattern: '^[a-z]{2}$', hint: 'an ISO 639-1 code such as en or fr' })),
      denied_languages: list(str({ pattern: '^[a-z]{2}$', hint: 'an ISO 639-1 code such as en or fr' })),
      min_confidence: fraction(),
      action: str({ suggest: ['block'] }),
      apply_to: oneOfValues(['input', 'output', 'both']),
    }),
    from('policies/language-validator', 'policies/config-per-policy-catalog'),
  ),
  kind(
    'bot-detector',
    obj({
      fingerprint_fields: strings({ default: ['user-agent', 'x-forwarded-for', 'authorization'] }),
      profile_window_seconds: positive(),
      similarity_threshold: fraction({ default: 0.9 }),
      max_requests_per_window: positive(),
      action: oneOfValues(['warn', 'block']),
    }),
    from('policies/bot-detector'),
  ),
  kind(
    'external-moderation',
    obj({
      provider: oneOfValues(
        ['openai-moderation', 'azure-content-safety', 'bedrock-apply-guardrail', 'embedding-endpoint', 'webhook', 'presidio', 'guardrails-ai', 'dynamo-ai', 'lakera'],
        { default: 'webhook' },
      ),
      secret_key_ref: oneOf(
        [
          { name: 'environment variable name', spec: str({ pattern: ENV_NAME, hint: 'an environment variable name such as MODERATION_API_KEY' }) },
          { name: 'reference', spec: secretRef() },
        ],
        {
          note: 'This page documents secret_key_ref as a plain string naming an environment variable; everywhere else it is { env | store }. Both are accepted here.',
          sources: from('policies/external-moderation', 'declarative-config-reference'),
        },
      ),
      endpoint: url('required for webhook, embedding-endpoint, presidio, guardrails-ai and dynamo-ai'),
      categories: strings(),
      threshold: fraction({ default: 0.5 }),
    }),
    from('policies/external-moderation'),
  ),
  kind(
    'embedding-detector',
    obj({
      backend: oneOfValues(['local', 'external'], { default: 'local' }),
      endpoint: url(),
      model: str({ default: 'all-MiniLM-L6-v2' }),
      api_key: str(),
      similarity_threshold: fraction({ default: 0.7 }),
      timeout_ms: int({ minimum: 1, maximum: 60000, default: 20 }),
      action: redactOrBlock('redact'),
      categories: list(obj({ label: str(), reference_text: str() }, { required: ['label', 'reference_text'] })),
    }),
    from('policies/embedding-detector'),
  ),
  kind(
    'content-extractor',
    obj({
      allow_hosts: list(str({ pattern: '^[^*\\s/]+$', hint: 'exact host names only, no wildcards or paths' })),
      timeout_ms: positive(),
      max_bytes: positive(),
      fetch_urls: bool({ default: true }),
      action_on_error: oneOfValues(['warn', 'block'], { default: 'warn' }),
    }),
    from('policies/content-extractor'),
  ),
  kind(
    'document-analyzer',
    obj({ enabled: bool({ default: true }), sanitize_code: bool({ default: false }), max_document_bytes: positive(), allowed_mime_types: strings() }),
    from('policies/document-analyzer'),
  ),
  kind(
    'data-routing-policy',
    obj({
      require_zero_data_retention: bool({ default: false }),
      require_no_training: bool({ default: false }),
      max_retention_days: count(),
      on_no_compliant_provider: oneOfValues(['block', 'warn']),
      log_provider_selection: bool(),
    }),
    from('policies/data-routing-policy', 'templates/zero-data-retention'),
  ),
  kind(
    'audit-logger',
    obj({ immutable: bool({ default: true }), retention_days: int({ minimum: 1, maximum: 36500, default: 365 }), hipaa_audit_controls: bool({ default: false }), log_all_access: bool() }),
    from('policies/audit-logger'),
  ),
  kind('cjis-mode', obj({ require_auth: bool({ default: true }), access_logging: bool({ default: true }) }), from('policies/cjis-mode')),
  kind('student-privacy', obj({ action: redactOrBlock('redact'), age_gate: bool({ default: false }) }), from('policies/student-privacy')),
  kind(
    'case-privacy',
    documented(obj({ detect_patterns: strings(), action: redactOrBlock('redact') }), {
      note: 'No page of its own: the keys are those of the one example (detect_patterns, action: redact).',
    }),
    from('policies/legal-privilege'),
  ),
  kind(
    'itar-ear-filter',
    obj({
      blocked_terms: strings({ description: 'empty means the built-in USML/CCL list; entries are merged into it' }),
      action: onlyBlock(),
      fuzzy_matching: bool(),
      max_distance: documented(fuzzyDistance(), { note: fuzzyNote }),
      categories: documented(strings(), { note: 'defense template key, not in the reference', sources: from('templates/defense') }),
    }),
    from('policies/itar-ear-filter'),
  ),
  kind(
    'entity-list-filter',
    obj({
      blocked_entities: strings(),
      action: onlyBlock(),
      fuzzy_matching: bool({ default: false }),
      max_distance: fuzzyDistance(),
      lists: documented(strings(), { note: 'defense template key, not in the reference', sources: from('templates/defense') }),
    }),
    from('policies/entity-list-filter'),
  ),
  kind(
    'dual-use-filter',
    obj({ blocked_terms: strings(), action: oneOfValues(['block', 'redact'], { default: 'block' }), fuzzy_matching: bool({ default: false }), max_distance: fuzzyDistance() }),
    from('policies/dual-use-filter'),
  ),
  kind('mnpi-filter', obj({ detect_patterns: strings({ description: 'merged with the built-in patterns' }), action: onlyBlock() }), from('policies/mnpi-filter')),
  kind(
    'quality-scorer',
    documented(qualityScorer, {
      note: 'The reference (assertions, thresholds, weights), the use-case page (dimensions, overall_min_score, on_fail) and a template (min_score) disagree: all keys are accepted.',
    }),
    from('policies/quality-scorer', 'templates/quality-benchmarking'),
    { standalone: true, outputPhase: true },
  ),
  kind(
    'human-oversight',
    obj({
      require_human_for: strings({ description: 'e.g. financial_advice, medical_decisions, legal_opinions, hiring_actions, safety_critical' }),
      action: oneOfValues(['escalate', 'block'], { default: 'escalate' }),
      confidence_threshold: fraction(),
      default_assignee: str(),
      timeout_seconds: positive(),
    }),
    from('policies/human-oversight'),
    { outputPhase: true },
  ),
  kind(
    'citation-verifier',
    obj({
      require_sources: bool({ default: true }),
      require_source_match: bool({ default: false }),
      min_confidence: fraction({ default: 0.8 }),
      min_groundedness: fraction(),
      external_resolver: map(anything(), { description: 'resolver settings; their keys are not in the available excerpt' }),
      extract_patterns: list(oneOfValues(['academic', 'url', 'quote'])),
      output_action: obj({ unverified_action: oneOfValues(['flag', 'block']), hallucination_action: oneOfValues(['block']) }),
      response: obj({ include_verification_report: bool() }),
    }),
    from('policies/citation-verifier', 'templates/citation-verification'),
    { standalone: true, outputPhase: true },
  ),
  kind(
    'flagged-review',
    obj({
      mode: oneOfValues(['judge', 'review_and_return', 'audit_only', 'escalate']),
      provider: obj({ name: str(), endpoint: url(), model: str(), secret_key_ref: secretRef(), timeout_ms: positive() }),
      recursion_depth_max: count(),
      provider_isolation: bool(),
      rationale_capture: bool(),
    }),
    from('policies/config-flagged-review'),
    { outputPhase: true },
  ),
  kind(
    'healthcare-compliance',
    obj({ blocked_patterns: strings({ description: 'regular expressions' }), required_disclaimers: strings(), fda_class: str({ description: 'e.g. "II"' }) }),
    from('policies/healthcare-compliance'),
    { outputPhase: true },
  ),
  kind('financial-compliance', obj({ blocked_patterns: strings(), required_disclaimers: strings() }), from('policies/financial-compliance'), { outputPhase: true }),
  kind(
    'bias-monitor',
    obj({
      protected_characteristics: documented(strings(), {
        note: 'The reference says these are additions to the five built-ins (race, gender, religion, disability, age); industry pages list built-ins here. Both are valid lists.',
        sources: from('policies/bias-monitor', 'industries/government'),
      }),
      threshold: fraction({ default: 0.85 }),
      action: oneOfValues(['block', 'escalate']),
    }),
    from('policies/bias-monitor'),
  ),
  kind('legal-privilege', obj({ privilege_markers: strings(), action: onlyBlock() }), from('policies/legal-privilege')),
  kind(
    'upl-filter',
    obj({ blocked_patterns: strings(), require_disclaimer: bool({ default: true }), rewrite_to_educational: bool({ default: false }) }),
    from('policies/upl-filter'),
  ),
  kind(
    'tool-validation',
    obj({
      declared_tools: strings(),
      schemas: map(anything(), { description: 'tool name → JSON Schema of its arguments' }),
      allow_undeclared: bool(),
      semantic_validation: obj({ enabled: bool(), endpoint: url(), model: str(), secret_key_ref: secretRef(), timeout_ms: positive() }),
    }),
    from('policies/tool-validation'),
  ),
  kind(
    'tool-security',
    obj({
      analysis_mode: oneOfValues(['local', 'external'], { default: 'local' }),
      firewall_endpoint: url('required when analysis_mode is external'),
      secret_key_ref: secretRef(),
      fail_closed: bool(),
      blocked_entity_types: strings({ description: 'e.g. pan, ssn, jwt, aws_access_key' }),
    }),
    from('policies/tool-security'),
  ),
  kind(
    'tool-budget',
    obj({ budgets: map(obj({ max_tokens: positive(), max_cost_usd: nonNegative() }), { description: 'tool name → limits; tools not listed are not limited' }) }),
    from('policies/tool-budget'),
  ),
  kind(
    'request-rewriter',
    obj({
      system_message: oneOf([
        { name: 'text', spec: str() },
        { name: 'object', spec: obj({ content: str() }, { required: ['content'] }) },
      ]),
      rules: list(rewriteRule(true)),
    }),
    from('policies/request-rewriter'),
  ),
  kind('response-rewriter', obj({ preserve_structure: bool({ default: true }), rules: list(rewriteRule(false)) }), from('policies/response-rewriter')),
  kind(
    'code-sanitizer',
    obj({ enabled: bool({ default: true }), block_on_match: bool({ default: false }), additional_patterns: strings() }),
    from('policies/code-sanitation'),
  ),
];

export const KIND_NAMES: readonly string[] = POLICY_KINDS.map((k) => k.name);
export const STANDALONE_KINDS: readonly string[] = POLICY_KINDS.filter((k) => k.standalone).map((k) => k.name);
const KINDS_BY_NAME = new Map(POLICY_KINDS.map((k) => [k.name, k]));

export function policyKind(name: string): PolicyKind | undefined {
  return KINDS_BY_NAME.get(name);
}

const kindName = (): StringSpec => str({ enum: KIND_NAMES, policyKind: true });

// ---- document sections ---------------------------------------------------

const pack = obj(
  {
    name: str({ minLength: 1, maxLength: 200 }),
    version: documented(semver(), { note: 'written quoted and unquoted in examples; either way it is a string' }),
    enabled: bool({ description: 'master switch for the whole config' }),
    id: str({ minLength: 1, maxLength: 200, description: 'defaults to a value derived from name' }),
    author: str({ maxLength: 200, default: '' }),
    description: str({ maxLength: 2000, default: '' }),
  },
  { required: ['name', 'version', 'enabled'], sources: from('policies/config-pack-metadata'), description: 'identity of the config; the gateway will not load one without name, version and enabled' },
);

const policies = obj(
  { chain: list(kindName(), { unique: true, description: 'policy kinds in execution order; each needs a policy.<kind> block' }) },
  { required: ['chain'], sources: from('article:the-complete-policy-config-yaml-reference', 'article:policy-chain-ordering-how-execution-priority-affects-outcomes') },
);

export const POLICY_BLOCKS = obj(Object.fromEntries(POLICY_KINDS.map((k) => [k.name, documented(k.block, { sources: k.sources })])), {
  keysArePolicyKinds: true,
  description: 'settings of each policy kind; a block whose kind is not in policies.chain never runs',
});

const TRIGGERS = ['rate_limit', 'server_error', 'timeout', '5xx', 'rate_limit_exceeded', 'service_unavailable'];
const triggerNote =
  'Trigger names differ between pages (rate_limit/server_error in the ZDR template, rate_limit_exceeded/service_unavailable on the fallback page, 5xx/rate_limit on the CLI fallback page): all are accepted.';
const trigger = (): StringSpec => oneOfValues(TRIGGERS);

const ROUTING_STRATEGIES = ['ordered', 'lowest_latency', 'highest_throughput', 'round_robin', 'round-robin', 'latency', 'cost', 'random'];
const routingNote =
  'provider_routing names 11 strategies of which the excerpts show ordered, lowest_latency, highest_throughput and round_robin; the CLI page spells round-robin. Strategy is free text; an unknown one is warning W005.';

const target = obj(
  {
    id: str({ minLength: 1 }),
    provider: documented(
      str({ suggest: ['openai', 'anthropic', 'google', 'azure', 'azure-openai', 'bedrock', 'aws-bedrock', 'groq', 'mcp'], suggestBeforeColon: true }),
      {
        note: 'Both bedrock and aws-bedrock, azure and azure-openai, and the colon form openai:chat:gpt-4o (no model field) appear in the docs; no closed list exists, so an unknown provider is warning W005.',
        sources: from('policies/config-cloud-providers', 'integrations/aws-bedrock', 'use-cases/multi-provider-resilience', 'advanced/model-groups'),
      },
    ),
    model: str({ minLength: 1 }),
    base_url: url(),
    secret_key_ref: secretRef(),
    api_key: str({ description: 'a literal key: allowed but discouraged (warning W003)' }),
    azure_api_version: str({ default: '2024-02-01' }),
    azure_deployment: str({ description: 'defaults to model' }),
    path_template: str(),
    cloudflare_account_id_env: str({ pattern: ENV_NAME }),
    accountIdEnvar: str({ pattern: ENV_NAME }),
    snowflake_account_identifier_env: str({ pattern: ENV_NAME }),
    accountIdentifierEnvar: str({ pattern: ENV_NAME }),
    data_policy: obj(
      { zero_data_retention: bool(), training_opt_out: bool({ default: false }), retention_days: count('0 = not retained') },
      { sources: from('policies/config-data-policies') },
    ),
    zdr: bool({ description: 'shorthand for data_policy.zero_data_retention' }),
    data_collection: oneOfValues(['allow', 'deny']),
    escalation_routing: obj(
      {
        team_id: str({ pattern: UUID, hint: 'a UUID such as 2f1c…' }),
        user_id: str({ pattern: UUID, hint: 'a UUID such as 2f1c…' }),
      },
      { exactlyOne: ['team_id', 'user_id'], sources: from('policies/config-escalation-routing') },
    ),
    provider_type: str(),
    format: str(),
    api_key_header: str(),
    api_key_prefix: str(),
  },
  { required: ['id', 'provider'], sources: from('declarative-config-reference', 'policies/config-cloud-providers', 'policies/config-env-variables') },
);

const providers = obj(
  {
    targets: list(target),
    strategy: str({ suggest: ['single'] }),
    routing: documented(obj({ strategy: str({ suggest: ROUTING_STRATEGIES }) }), { note: routingNote }),
    fallback: documented(
      obj({
        strategy: oneOfValues(['ordered', 'round-robin', 'latency', 'cost', 'random']),
        max_retries: count(),
        retry_on: list(trigger()),
        latency_window: str({ pattern: '^\\d+(ms|s|m|h)$', hint: 'a duration such as 5m' }),
        max_latency_ms: positive(),
        triggers: list(trigger()),
        max_fallback_attempts: count(),
      }),
      {
        note: `Fallback lives in providers.fallback on some pages and top-level provider_fallback on another: both are accepted. ${triggerNote}`,
        sources: from('cli/multi-provider-fallback', 'templates/zero-data-retention', 'advanced/fallback-configuration'),
      },
    ),
    circuit_breaker: map(anything(), { description: 'its fields are not in the available excerpts; kt checks only that it is a mapping' }),
    ab_test: obj(
      {
        enabled: bool(),
        sticky_by: str(),
        variants: list(obj({ provider_id: str({ minLength: 1 }), weight: nonNegative() }, { required: ['provider_id'] })),
      },
      { sources: from('policies/config-advanced-provider') },
    ),
  },
  { sources: from('article:configuring-provider-failover-and-multi-model-routing', 'declarative-config-reference') },
);

const modelGroupTargets = obj(
  {
    name: str({ minLength: 1 }),
    targets: list(str({ minLength: 1 }), { minItems: 1, description: 'ids of providers.targets' }),
    aliases: strings(),
    fallback_group: str({ description: 'name of another model group' }),
  },
  { required: ['name', 'targets'], sources: from('advanced/model-groups') },
);

const MODEL_GROUP_ROUTING = ['cost-priority', 'latency-priority', 'quality-priority', 'fallback', 'round-robin', 'weighted'];
const modelGroupModels = obj(
  {
    name: str({ minLength: 1 }),
    routing: documented(oneOfValues(MODEL_GROUP_ROUTING), { note: "cost-priority is the seed guide's; the others are kt's since its first release" }),
    models: list(
      obj(
        {
          provider: str({ minLength: 1 }),
          model: str({ minLength: 1 }),
          max_tokens: int({ minimum: 1, maximum: 2_000_000 }),
          priority: int({ minimum: 0, maximum: 1000, description: 'lower is tried first' }),
          weight: documented(nonNegative(), { sources: from('guides/developer/multi-model-routing') }),
        },
        { required: ['provider', 'model'] },
      ),
      { minItems: 1 },
    ),
  },
  { required: ['name', 'models'], sources: [SEED_SOURCE, page('guides/developer/multi-model-routing')] },
);

const modelGroups = list(
  oneOf(
    [
      { name: 'targets', spec: modelGroupTargets },
      { name: 'models', spec: modelGroupModels },
    ],
    {
      note: 'The model-groups page maps a name to target ids (targets, aliases, fallback_group); the multi-model-routing page and the seed guide list models (provider, model, weight / max_tokens, priority). Both shapes are accepted per group.',
    },
  ),
);

const rateWindow = (): Spec => positive('seconds');
const tier = (): ObjectSpec => obj({ rpm: count(), tpm: count(), max_parallel_requests: count() });
const CACHE_TIERS = ['org_shared', 'private_edge', 'org_shared_cache', 'private_edge_cache'];
const cacheTierNote =
  'default_tier is org_shared|private_edge on the declarative page and org_shared_cache|private_edge_cache on the routing-rules and first-24-hours pages: all four are accepted.';

const workflowCache = obj(
  {
    enabled: documented(bool({ default: true }), {
      note: 'default true on the declarative page, false on the gateway caching page; kt does not depend on the default',
      sources: from('engineering-cache/getting-started/gateway-config-for-caching'),
    }),
    default_tier: documented(oneOfValues(CACHE_TIERS, { default: 'org_shared' }), {
      note: cacheTierNote,
      sources: from('engineering-cache/configuration/cache-routing-rules', 'engineering-cache/getting-started/first-24-hours'),
    }),
    org_shared_enabled: bool({ default: true }),
    direct_semantic_replay_enabled: bool({ default: true }),
    codebase_identity_mode: str({ default: 'repository_isolated', suggest: ['repository_isolated'] }),
    similarity_threshold: fraction({ default: 0.95 }),
    ttl_seconds: positive(),
    max_entry_size_bytes: positive(),
    max_entry_tokens: documented(positive(), {
      note: 'max_entry_size_bytes on the declarative page, max_entry_tokens on the first-24-hours page: both are accepted',
      sources: from('engineering-cache/getting-started/first-24-hours'),
    }),
    excluded_models: strings(),
    excluded_agents: strings(),
    routing_rules: list(
      obj(
        { match: obj({ team_id: str(), repo_id: str(), agent_id: str() }, { exactlyOne: ['team_id', 'repo_id', 'agent_id'] }), tier: oneOfValues(CACHE_TIERS) },
        { required: ['match', 'tier'], description: 'first match wins' },
      ),
    ),
  },
  { sources: from('engineering-cache/configuration/declarative-workflow-cache', 'engineering-cache/configuration/cache-routing-rules') },
);

const engineeringCache = obj(
  {
    enabled: bool(),
    warmers: obj({
      on_connect: obj({ enabled: bool(), artifacts: strings() }),
      on_commit: obj({ enabled: bool(), debounce_seconds: count() }),
      on_miss: obj({ enabled: bool(), threshold: count(), window_hours: nonNegative() }),
    }),
    ttl: obj({ defaults: obj({ hours: nonNegative() }) }),
    expiry: obj({ code_aware: obj({ enabled: bool(), signals: list(oneOfValues(['commit_sha', 'tree_hash', 'file_digests'])) }) }),
  },
  { sources: from('engineering-cache/configuration/environment-specific-config', 'engineering-cache/configuration/cache-ttl-expiry') },
);

const agents = list(
  obj(
    {
      name: str({ minLength: 1 }),
      model: str(),
      cache_policy: obj({ semantic_replay: bool(), max_staleness_hours: nonNegative(), read_only: bool(), artifact_types: strings() }),
    },
    { required: ['name'] },
  ),
  {
    note: 'The reference describes agents as per-agent usage constraints without listing their keys; the cache pages list agents with name, model and cache_policy. Only the listed keys are accepted.',
    sources: from('article:the-complete-policy-config-yaml-reference', 'engineering-cache/configuration/per-agent-policies'),
  },
);

const testCase = obj({
  name: str(),
  input: obj({
    messages: list(obj({ role: oneOfValues(['system', 'user', 'assistant', 'tool']), content: str() }, { required: ['role', 'content'] })),
    headers: map(str()),
    request: anything(),
    upstream_response: anything(),
    proxy_name: str(),
    team_slugs: strings(),
  }),
  expected: obj({ verdict: oneOfValues(['allow', 'block', 'redact', 'escalate']), reason_code: str() }),
});

const testing = obj(
  {
    default_threshold: fraction(),
    suites: list(
      obj(
        { name: str({ minLength: 1 }), description: str(), target: str(), assertions: list(anything()), cases: list(testCase) },
        { required: ['name', 'cases'] },
      ),
    ),
    plugins: strings(),
    strategies: strings(),
  },
  { sources: from('policies/config-testing', 'cli/policy-test') },
);

const spendControl = obj(
  {
    team: str({ pattern: TEAM_ID_PATTERN.source, hint: `a team id: ${TEAM_ID_RULE}` }),
    hard_cap: money({ description: 'blocks at this amount per period (wallet currency)' }),
    soft_cap: money({ description: 'alerts at this amount; below hard_cap' }),
    currency: str({ pattern: '^[A-Z]{3}$', hint: 'an ISO 4217 code such as USD' }),
    period: oneOfValues([...new Set([...BUCKET_PERIODS, ...WALLET_PERIODS])]),
    on_soft_cap: oneOfValues(['notify', 'downgrade', 'queue', 'log']),
    on_hard_cap: oneOfValues(['block', 'escalate', 'queue', 'downgrade']),
  },
  { required: ['team', 'hard_cap', 'period'] },
);

/** The seed guide's blocks: kt checks them whether or not the product knows them (facts §9). */
export const COST_CONTROL_SECTIONS: Readonly<Record<string, Spec>> = {
  spend_controls: list(spendControl, { description: 'per-team spend caps: hard_cap blocks, soft_cap alerts', sources: [SEED_SOURCE] }),
  model_groups: modelGroups,
  cache: obj(
    {
      enabled: bool(),
      ttl: int({ minimum: 1, maximum: 31_536_000, description: 'seconds', hint: 'use e.g. ttl: 3600 (one hour), or enabled: false to turn caching off' }),
      scope: oneOfValues(['team', 'org', 'user', 'agent', 'global']),
    },
    { sources: [SEED_SOURCE] },
  ),
  model_allowlist: list(str({ minLength: 1 }), { unique: true, description: 'models teams may call, e.g. [gpt-4o-mini]', sources: [SEED_SOURCE] }),
};

/** Every top-level key of a full config besides pack, policies and policy. */
export const CONFIG_SECTIONS: Readonly<Record<string, Spec>> = {
  providers,
  agents,
  testing,
  ...COST_CONTROL_SECTIONS,
  consumer_groups: documented(
    list(
      obj(
        {
          name: str({ minLength: 1 }),
          api_key: str(),
          allowed_models: strings(),
          rate_limits: obj({ requests_per_minute: count(), tokens_per_minute: count(), tokens_per_day: count() }),
        },
        { required: ['name'] },
      ),
    ),
    {
      note: 'The ConsumerGroupRule field table is cut off in the available excerpt; the keys are those the consumer-group tutorials use.',
      sources: from('advanced/consumer-groups', 'tutorials/cli/consumer-group-isolation', 'article:model-allowlists-controlling-which-ai-models-teams-can-access'),
    },
  ),
  routes: list(
    obj({ name: str(), path: str({ minLength: 1 }), match: str({ suggest: ['prefix'] }), methods: strings(), headers: map(str()), upstream: str() }, { required: ['path'] }),
    { sources: from('policies/config-routes-and-consumers') },
  ),
  provider_routing: documented(
    obj({
      strategy: str({ suggest: ROUTING_STRATEGIES }),
      min_sample_count: count(),
      window_seconds: positive(),
      lowest_latency: obj({ min_sample_count: count(), window_seconds: positive() }),
    }),
    { note: `Top level on the provider-routing page, providers.routing elsewhere: both are accepted. ${routingNote}`, sources: from('advanced/provider-routing') },
  ),
  provider_fallback: documented(
    obj({
      enabled: bool({ default: false }),
      triggers: list(trigger()),
      max_fallback_attempts: count(),
      content_policy: str({ default: 'stop', suggest: ['stop'] }),
      context_window: str({ default: 'abort', suggest: ['abort'] }),
    }),
    { note: triggerNote, sources: from('advanced/fallback-configuration') },
  ),
  global_rate_limit: obj({ max_requests: count(), window_seconds: rateWindow() }, { required: ['max_requests', 'window_seconds'], sources: from('policies/config-rate-limits') }),
  ip_rate_limit: obj(
    { max_requests: count(), window_seconds: rateWindow(), trust_proxy_depth: count() },
    { required: ['max_requests', 'window_seconds'], sources: from('policies/config-rate-limits') },
  ),
  user_rate_limit: obj({ max_requests: count(), window_seconds: rateWindow(), header_names: strings() }, { sources: from('policies/config-rate-limits') }),
  token_rate_limit: obj(
    { max_tokens: count(), window_seconds: rateWindow(), scope: str({ default: 'global', suggest: ['global'] }) },
    { sources: from('policies/config-rate-limits') },
  ),
  size_limits: obj({ max_body_bytes: positive(), max_response_bytes: positive() }, { sources: from('policies/config-rate-limits') }),
  rate_limits: documented(obj({ per_key: tier(), per_user: tier(), per_team: tier(), global: tier() }), {
    note: 'The rate-limits page uses five top-level sections, the rate-limiting page one rate_limits block with tiers, the tutorials consumer_groups[].rate_limits: all three are accepted.',
    sources: from('advanced/rate-limiting', 'policies/config-rate-limits', 'tutorials/cli/rate-limiting-setup'),
  }),
  workflow_cache: workflowCache,
  engineering_cache: engineeringCache,
  loads: obj(
    {
      enabled: bool({ default: false }),
      backend: oneOfValues(['api', 'memory'], { default: 'api' }),
      recall_top_k: positive(),
      write_mode: oneOfValues(['full', 'read_only', 'metadata_only'], { default: 'full' }),
      timeout_ms: positive(),
      fail_open: bool({ default: true }),
    },
    { sources: from('policies/config-runtime') },
  ),
  history: obj(
    {
      enabled: bool(),
      mode: documented(oneOfValues(['raw', 'metadata_only'], { default: 'raw' }), { note: 'metadata_only is the other capture depth the sessions page shows', sources: from('history-and-sessions') }),
      include_blocked: bool({ default: false }),
      retention_days: positive(),
      fail_open: bool(),
    },
    { sources: from('policies/config-runtime') },
  ),
  hosted_gateway: obj(
    {
      shell: obj({
        enabled: bool({ default: false }),
        allowed_commands: strings(),
        blocked_commands: strings({ description: 'deny wins over allow' }),
        approval_required_risk_levels: strings(),
        command_timeout_seconds: positive(),
        max_output_bytes: positive(),
      }),
    },
    { sources: from('engineering-cache/hosted-gateway-tasks/shell-allow-deny-lists') },
  ),
  unified_access: obj({ allowed_models: strings() }, { sources: from('article:model-allowlists-controlling-which-ai-models-teams-can-access') }),
  gateway: obj({ port: int({ minimum: 1, maximum: 65535 }) }, { sources: from('engineering-cache/getting-started/gateway-config-for-caching') }),
  fabric: map(anything(), {
    description: 'seen in one caching example only; its keys are not listed, so kt checks only that it is a mapping',
    sources: from('engineering-cache/getting-started/gateway-config-for-caching'),
  }),
};

/** A full gateway config: pack + policies (+ policy blocks and sections). */
export const CONFIG_DOCUMENT: ObjectSpec = obj(
  { pack, policies, policy: POLICY_BLOCKS, ...CONFIG_SECTIONS },
  {
    required: ['pack', 'policies'],
    note: 'The reference article lists only pack, policies, policy, providers and agents; the deep-dive pages add the other sections. All are accepted.',
    sources: from('article:the-complete-policy-config-yaml-reference', 'declarative-config-reference'),
  },
);

/** A file of the seed guide's cost-control blocks alone (no pack): kt's own shape. */
export const COST_CONTROL_DOCUMENT: ObjectSpec = obj({ ...COST_CONTROL_SECTIONS }, { sources: [SEED_SOURCE] });

const standaloneMeta = (name: string): ObjectSpec =>
  obj(
    { name: str({ enum: [name] }), version: semver(), enabled: bool() },
    { required: ['name', 'version', 'enabled'], description: 'metadata of a single-policy document' },
  );

/**
 * A single-policy document for one standalone kind: `policy` holds only the
 * metadata and the kind's sections sit at the top level beside it.
 */
export function singlePolicyDocument(kindName: string): Spec | undefined {
  const found = policyKind(kindName);
  if (found === undefined || !found.standalone) return undefined;
  return withProperties(found.block, { policy: standaloneMeta(kindName) }, ['policy']);
}

export const SINGLE_POLICY_SOURCES = from('policies/config-single-policy-docs', 'article:the-complete-policy-config-yaml-reference');
