import { describe, expect, it } from 'vitest';
import { Chalk } from 'chalk';
import { validatePolicy } from '../../src/policy/validate.js';
import { fileFinding, type FileReport } from '../../src/domain/policy/diagnostic.js';
import { lintJson, renderGithub, renderJson, renderSarif, renderText, renderValid, summaryLine, toUri, type PolicyStyle } from '../../src/domain/policy/render.js';

const bad = validatePolicy('p.yaml', 'spend_controls:\n  - team: search\n    hard_cap: 100\n    period: montly\nmodel_allowlist: [gpt-4o-mni]\n');
const good = validatePolicy(
  'ok.yaml',
  'pack: {name: demo, version: 1.2.0, enabled: true}\npolicies: {chain: [pii-detector, audit-logger]}\npolicy: {pii-detector: {}, audit-logger: {}}\n',
);
const seed = validatePolicy('seed.yaml', 'cache:\n  enabled: true\nmodel_allowlist: [gpt-4o-mini]\n');
const missing: FileReport = { file: 'gone.yaml', source: undefined, unreadable: true, diagnostics: [fileFinding('E101', 'no such file')] };

describe('policy text output', () => {
  it('prints location, code, the source line, a caret under the fault and help', () => {
    expect(renderText(bad)).toBe(
      [
        'p.yaml:4:13: error[E203]: spend_controls[0].period must be one of daily, weekly, monthly, quarterly, yearly; got the string "montly"',
        '  |',
        '4 |     period: montly',
        '  |             ^^^^^^',
        'help: did you mean "monthly"?',
        '',
        'p.yaml:5:19: warning[W001]: model "gpt-4o-mni" is not in kt\'s price catalogue; its spend cannot be priced',
        '  |',
        '5 | model_allowlist: [gpt-4o-mni]',
        '  |                   ^^^^^^^^^^',
        'help: did you mean "gpt-4o-mini"?',
        '',
        '',
      ].join('\n'),
    );
  });

  it("a valid file gets the product's OK block: pack, chain and the number of policies", () => {
    expect(renderText(good)).toBe('');
    expect(renderValid(good)).toBe('OK ok.yaml is valid\nPack: demo (v1.2.0)\nChain: pii-detector -> audit-logger\nPolicies validated: 2\n');
    expect(renderValid(seed)).toBe('OK seed.yaml is valid\nPack: none (cost-control blocks only: cache, model_allowlist)\nChain: none\nPolicies validated: 0\n');
    expect(renderValid(bad)).toBe('');
    expect(renderValid(missing)).toBe('');
  });

  it('colours only through the style it is given', () => {
    const chalk = new Chalk({ level: 1 });
    const style: PolicyStyle = { red: chalk.red, yellow: chalk.yellow, green: chalk.green, bold: chalk.bold, dim: chalk.dim, cyan: chalk.cyan };
    expect(renderText(bad, style)).toContain(chalk.red('error[E203]'));
    expect(renderValid(good, style).startsWith(`${chalk.green('OK')} ${chalk.bold('ok.yaml')}`)).toBe(true);
    const spy: string[] = [];
    const marking: PolicyStyle = { red: (s) => `<r>${s}`, yellow: (s) => `<y>${s}`, green: (s) => `<g>${s}`, bold: (s) => s, dim: (s) => s, cyan: (s) => (spy.push(s), s) };
    expect(renderText(bad, marking)).not.toContain('\u001b[');
    expect(spy).toContain('help:');
  });

  it('prints no position for an unreadable file', () => {
    expect(renderText(missing)).toBe('gone.yaml: error[E101]: no such file\n\n');
  });

  it('summarises files, errors and warnings', () => {
    expect(summaryLine([good])).toBe('1 file valid: 0 errors, 0 warnings');
    expect(summaryLine([bad, good, missing])).toBe('1 invalid, 1 unreadable of 3 files: 2 errors, 1 warning');
  });
});

describe('policy machine formats', () => {
  it("lintJson: the product's shape, with kt's line and column", () => {
    expect(lintJson(good)).toEqual({
      valid: true,
      file: 'ok.yaml',
      pack: { name: 'demo', version: '1.2.0' },
      chain: ['pii-detector', 'audit-logger'],
      policy_count: 2,
      warnings: [],
      errors: [],
    });
    expect(Object.keys(lintJson(good))).toEqual(['valid', 'file', 'pack', 'chain', 'policy_count', 'warnings', 'errors']);
    expect(lintJson(bad)).toEqual({
      valid: false,
      file: 'p.yaml',
      pack: null,
      chain: [],
      policy_count: 0,
      warnings: [expect.objectContaining({ code: 'W001', path: 'model_allowlist[0]', line: 5, column: 19 })],
      errors: [
        {
          code: 'E203',
          path: 'spend_controls[0].period',
          message: 'spend_controls[0].period must be one of daily, weekly, monthly, quarterly, yearly; got the string "montly"',
          suggestion: 'did you mean "monthly"?',
          line: 4,
          column: 13,
        },
      ],
    });
    expect(lintJson(missing)).toEqual({
      valid: false,
      file: 'gone.yaml',
      pack: null,
      chain: [],
      policy_count: 0,
      warnings: [],
      errors: [{ code: 'E101', path: '', message: 'no such file', suggestion: null, line: 1, column: 1 }],
    });
  });

  it('json: an array of the same objects, one per file', () => {
    expect(JSON.parse(renderJson([bad, good]))).toEqual([lintJson(bad), lintJson(good)]);
  });

  it('github: one workflow command per finding, escaped', () => {
    const out = renderGithub([bad]).split('\n');
    expect(out[0]).toBe(
      '::error file=p.yaml,line=4,col=13,title=E203::spend_controls[0].period must be one of daily, weekly, monthly, quarterly, yearly; got the string "montly" (did you mean "monthly"?)',
    );
    expect(out[1]).toMatch(/^::warning file=p\.yaml,line=5,col=19,title=W001::/);
    const odd: FileReport = { ...missing, file: 'a,b:c.yaml', diagnostics: [{ ...missing.diagnostics[0]!, message: '100%\nnext' }] };
    expect(renderGithub([odd])).toBe('::error file=a%2Cb%3Ac.yaml,line=1,col=1,title=E101::100%25%0Anext\n');
  });

  it('sarif: a 2.1.0 log with named rules and regions', () => {
    const log = JSON.parse(renderSarif([bad, good], '1.2.3')) as {
      version: string;
      $schema: string;
      runs: Array<{ tool: { driver: { name: string; version: string; rules: Array<Record<string, unknown>> } }; results: Array<Record<string, unknown>> }>;
    };
    expect(log.version).toBe('2.1.0');
    expect(log.$schema).toContain('sarif-2.1.0');
    const run = log.runs[0]!;
    expect(run.tool.driver.version).toBe('1.2.3');
    expect(run.tool.driver.rules).toEqual([
      { id: 'E203', name: 'ValueNotAllowed', shortDescription: { text: 'value not among those allowed' }, defaultConfiguration: { level: 'error' } },
      { id: 'W001', name: 'ModelNotPriced', shortDescription: { text: "model not in kt's price catalogue" }, defaultConfiguration: { level: 'warning' } },
    ]);
    expect(run.results).toHaveLength(2);
    expect(run.results[0]).toEqual({
      ruleId: 'E203',
      ruleIndex: 0,
      level: 'error',
      message: { text: expect.stringContaining('Help: did you mean "monthly"?') as unknown },
      locations: [{ physicalLocation: { artifactLocation: { uri: 'p.yaml' }, region: { startLine: 4, startColumn: 13, endColumn: 19 } } }],
    });
    expect(run.results[1]?.level).toBe('warning');
  });

  it('sarif URIs: relative paths stay relative references, absolute ones become file: URIs', () => {
    expect(toUri('policies/team a/p.yaml')).toBe('policies/team%20a/p.yaml');
    expect(toUri('./p.yaml')).toBe('./p.yaml');
    expect(toUri('/srv/repo/p.yaml')).toBe('file:///srv/repo/p.yaml');
    expect(toUri('C:\\repo\\p #1.yaml')).toBe('file:///C:/repo/p%20%231.yaml');
  });
});
