import { describe, expect, it } from 'vitest';
import { validatePolicy } from '../../src/domain/policy/validate.js';
import { renderGithub, renderJson, renderSarif, renderText, summaryLine } from '../../src/domain/policy/render.js';
import type { FileReport } from '../../src/domain/policy/diagnostic.js';

const bad = validatePolicy('p.yaml', 'spend_controls:\n  - team: search\n    hard_cap: 100\n    period: montly\nmodel_allowlist: [gpt-4o-mni]\n');
const good = validatePolicy('ok.yaml', 'cache:\n  enabled: true\n');
const missing: FileReport = {
  file: 'gone.yaml',
  source: undefined,
  unreadable: true,
  diagnostics: [{ code: 'E001', severity: 'error', path: '', line: 1, column: 1, length: 1, message: 'no such file', suggestion: undefined }],
};

describe('policy text output', () => {
  it('prints location, code, the source line, a caret under the fault and help', () => {
    expect(renderText(bad)).toBe(
      [
        'p.yaml:4:13: error[E012]: spend_controls[0].period must be one of monthly, quarterly, weekly, daily; got the string "montly"',
        '  |',
        '4 |     period: montly',
        '  |             ^^^^^^',
        'help: did you mean "monthly"?',
        '',
        'p.yaml:5:19: warning[W001]: model "gpt-4o-mni" is not in kt\'s price catalog; its spend cannot be priced',
        '  |',
        '5 | model_allowlist: [gpt-4o-mni]',
        '  |                   ^^^^^^^^^^',
        'help: did you mean "gpt-4o-mini"?',
        '',
        '',
      ].join('\n'),
    );
  });

  it('prints nothing for a clean file and no position for an unreadable one', () => {
    expect(renderText(good)).toBe('');
    expect(renderText(missing)).toBe('gone.yaml: error[E001]: no such file\n\n');
  });

  it('summarises files, errors and warnings', () => {
    expect(summaryLine([good])).toBe('1 file valid: 0 errors, 0 warnings');
    expect(summaryLine([bad, good, missing])).toBe('1 invalid, 1 unreadable of 3 files: 2 errors, 1 warning');
  });
});

describe('policy machine formats', () => {
  it('json: one object per file with errors and warnings', () => {
    const parsed = JSON.parse(renderJson([bad, good])) as unknown;
    expect(parsed).toEqual([
      {
        valid: false,
        file: 'p.yaml',
        errors: [
          {
            code: 'E012',
            path: 'spend_controls[0].period',
            line: 4,
            column: 13,
            message: 'spend_controls[0].period must be one of monthly, quarterly, weekly, daily; got the string "montly"',
            suggestion: 'did you mean "monthly"?',
          },
        ],
        warnings: [expect.objectContaining({ code: 'W001', path: 'model_allowlist[0]', line: 5, column: 19 })],
      },
      { valid: true, file: 'ok.yaml', errors: [], warnings: [] },
    ]);
  });

  it('github: one workflow command per finding, escaped', () => {
    const out = renderGithub([bad]).split('\n');
    expect(out[0]).toBe(
      '::error file=p.yaml,line=4,col=13,title=E012::spend_controls[0].period must be one of monthly, quarterly, weekly, daily; got the string "montly" (did you mean "monthly"?)',
    );
    expect(out[1]).toMatch(/^::warning file=p\.yaml,line=5,col=19,title=W001::/);
    const odd: FileReport = { ...missing, file: 'a,b:c.yaml', diagnostics: [{ ...missing.diagnostics[0]!, message: '100%\nnext' }] };
    expect(renderGithub([odd])).toBe('::error file=a%2Cb%3Ac.yaml,line=1,col=1,title=E001::100%25%0Anext\n');
  });

  it('sarif: a minimal valid 2.1.0 log with rules and regions', () => {
    const log = JSON.parse(renderSarif([bad, good], '1.2.3')) as {
      version: string;
      $schema: string;
      runs: Array<{ tool: { driver: { name: string; version: string; rules: Array<{ id: string }> } }; results: Array<Record<string, unknown>> }>;
    };
    expect(log.version).toBe('2.1.0');
    expect(log.$schema).toContain('sarif-2.1.0');
    const run = log.runs[0]!;
    expect(run.tool.driver.version).toBe('1.2.3');
    expect(run.tool.driver.rules.map((r) => r.id)).toEqual(['E012', 'W001']);
    expect(run.results).toHaveLength(2);
    expect(run.results[0]).toEqual({
      ruleId: 'E012',
      ruleIndex: 0,
      level: 'error',
      message: { text: expect.stringContaining('Help: did you mean "monthly"?') as unknown },
      locations: [{ physicalLocation: { artifactLocation: { uri: 'p.yaml' }, region: { startLine: 4, startColumn: 13, endColumn: 19 } } }],
    });
    expect(run.results[1]?.level).toBe('warning');
  });
});
