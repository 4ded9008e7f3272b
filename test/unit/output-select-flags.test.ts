import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { addOutputOptions, formatFromExtension, readOutputOptions } from '../../src/cli/flags.js';
import { selectColumns, type Column } from '../../src/output/index.js';
import { didYouMean } from '../../src/domain/suggest.js';
import { testContext as fakeContext } from '../helpers/context.js';

const all: Column<unknown>[] = ['team', 'provider', 'model', 'cost', 'timestamp'].map((name) => ({ name, kind: 'text', get: () => name }));

describe('selectColumns', () => {
  it('uses the defaults without --fields', () => {
    expect(selectColumns(all, undefined, ['team', 'cost']).map((c) => c.name)).toEqual(['team', 'cost']);
  });

  it('keeps the order given and trims spaces', () => {
    expect(selectColumns(all, ' cost , team,timestamp', ['team']).map((c) => c.name)).toEqual(['cost', 'team', 'timestamp']);
  });

  it('rejects an unknown field listing the valid ones, with a did-you-mean hint', () => {
    let error: unknown;
    try {
      selectColumns(all, 'team,modle', ['team']);
    } catch (e) {
      error = e;
    }
    expect(error).toMatchObject({
      exitCode: 2,
      message: 'unknown field "modle"; valid fields: team, provider, model, cost, timestamp',
      hint: 'did you mean "model"?',
    });
  });

  it('gives no hint when nothing is close', () => {
    expect(() => selectColumns(all, 'zzzzzz', [])).toThrow(expect.objectContaining({ hint: undefined, exitCode: 2 }) as Error);
  });

  it('rejects duplicates and empty entries', () => {
    expect(() => selectColumns(all, 'team,cost,team', [])).toThrow('field "team" is listed twice in --fields');
    expect(() => selectColumns(all, 'team,,cost', [])).toThrow('--fields "team,,cost" has an empty entry; valid fields: team, provider, model, cost, timestamp');
    expect(() => selectColumns(all, ' , ', [])).toThrow('--fields is empty; valid fields: team, provider, model, cost, timestamp');
  });

  it('finds close names case-insensitively', () => {
    expect(didYouMean('Provder', ['team', 'provider'])).toBe('provider');
    expect(didYouMean('x', ['team', 'provider'])).toBeUndefined();
    expect(didYouMean('tema', ['team', 'model'])).toBe('team');
  });
});

describe('output flags', () => {
  function parse(argv: string[]): Record<string, unknown> {
    const cmd = addOutputOptions(new Command('list').exitOverride().configureOutput({ writeErr: () => undefined }), {
      fields: 'valid: team, cost',
      defaultFields: ['team', 'cost'],
    });
    cmd.parse(argv, { from: 'user' });
    return cmd.opts();
  }
  const { ctx } = fakeContext();

  it('defaults to a table with a header', () => {
    expect(readOutputOptions(ctx, parse([]))).toEqual({ format: 'table', fields: undefined, output: undefined, header: true });
  });

  it('reads --format, --fields, -o and --no-header', () => {
    expect(readOutputOptions(ctx, parse(['--format', 'csv', '--fields', 'team', '-o', 'x.txt', '--no-header']))).toEqual({
      format: 'csv',
      fields: 'team',
      output: 'x.txt',
      header: false,
    });
  });

  it('treats --json as --format json, and refuses it with another format', () => {
    expect(readOutputOptions(ctx, parse(['--json'])).format).toBe('json');
    expect(readOutputOptions(ctx, parse(['--json', '--format', 'json'])).format).toBe('json');
    expect(() => readOutputOptions(ctx, parse(['--json', '--format', 'csv']))).toThrow(
      expect.objectContaining({ exitCode: 2, message: '--json conflicts with --format csv; pass one of them' }) as Error,
    );
  });

  it('lets commander refuse an unknown --format (its choices feed completions)', () => {
    expect(() => parse(['--format', 'xml'])).toThrow(/Allowed choices are table, csv, json, ndjson/);
    expect(() => readOutputOptions(ctx, { format: 'xml' })).toThrow('invalid --format "xml"; valid formats: table, csv, json, ndjson');
  });

  it('infers the format from the --output extension when --format is absent', () => {
    expect(readOutputOptions(ctx, parse(['-o', 'chargeback.CSV'])).format).toBe('csv');
    expect(readOutputOptions(ctx, parse(['-o', 'a.jsonl'])).format).toBe('ndjson');
    expect(readOutputOptions(ctx, parse(['-o', 'a.json', '--format', 'table'])).format).toBe('table');
    expect(formatFromExtension('report.txt')).toBeUndefined();
  });

  it('refuses an empty --output or --fields', () => {
    expect(() => readOutputOptions(ctx, parse(['-o', '']))).toThrow('--output needs a file name');
    expect(() => readOutputOptions(ctx, parse(['--fields', ' ']))).toThrow('--fields is empty; pass a comma-separated list of field names');
  });

  it('lists the fields and defaults in --fields help', () => {
    const cmd = addOutputOptions(new Command('list'), { fields: 'valid: team, cost', defaultFields: ['team'] });
    const help = cmd.helpInformation().replace(/\s+/g, ' ');
    expect(help).toContain('valid: team, cost; default: team');
    expect(help).toContain('--no-header');
  });
});
