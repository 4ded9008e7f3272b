import { Command, Option } from 'commander';
import { describe, expect, it } from 'vitest';
import { addOutputOptions, formatFromExtension, readOutputOptions, suggestChoices } from '../../src/cli/flags.js';
import { selectColumns, type Column } from '../../src/output/index.js';
import { didYouMean } from '../../src/domain/suggest.js';
import { testContext as fakeContext } from '../helpers/context.js';
import { UsageError } from '../../src/errors.js';

function usage(fn: () => unknown): UsageError {
  try {
    fn();
  } catch (error) {
    if (error instanceof UsageError) return error;
    throw error;
  }
  throw new Error('expected a UsageError');
}

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

  it('suggests the nearest choice for every single-value choices flag in the tree', () => {
    const root = new Command('kt').exitOverride().configureOutput({ writeErr: () => undefined });
    root.command('list').exitOverride().configureOutput({ writeErr: () => undefined }).addOption(new Option('--aggregate <period>').choices(['daily', 'weekly', 'monthly']));
    suggestChoices(root);
    expect(() => root.parse(['list', '--aggregate', 'dayly'], { from: 'user' })).toThrow(
      "error: option '--aggregate <period>' argument 'dayly' is invalid. Allowed choices are daily, weekly, monthly. (Did you mean daily?)",
    );
    expect(() => root.parse(['list', '--aggregate', 'fortnightly'], { from: 'user' })).toThrow(/Allowed choices are daily, weekly, monthly\.$/);
  });

  it('infers the format from the --output extension when --format is absent', () => {
    expect(readOutputOptions(ctx, parse(['-o', 'chargeback.CSV'])).format).toBe('csv');
    expect(readOutputOptions(ctx, parse(['-o', 'a.jsonl'])).format).toBe('ndjson');
    expect(readOutputOptions(ctx, parse(['-o', 'a.json', '--format', 'json'])).format).toBe('json');
    expect(readOutputOptions(ctx, parse(['-o', 'report.txt', '--format', 'csv'])).format).toBe('csv');
    expect(readOutputOptions(ctx, parse(['-o', 'report.txt'])).format).toBe('table');
    expect(readOutputOptions(ctx, parse(['-o', 'dir.csv/report'])).format).toBe('table');
    expect(formatFromExtension('report.txt')).toBeUndefined();
    expect(formatFromExtension('.csv')).toBeUndefined();
    expect(formatFromExtension('nov.parquet')).toBe('parquet');
  });

  it('takes the default from the command and the extension over it (kt events export -o e.csv writes csv)', () => {
    const exportFormats = { defaultFormat: 'json', formats: ['json', 'csv', 'ndjson'] } as const;
    expect(readOutputOptions(ctx, parse([]), exportFormats).format).toBe('json');
    expect(readOutputOptions(ctx, parse(['-o', 'e.csv']), exportFormats).format).toBe('csv');
    expect(readOutputOptions(ctx, parse(['-o', 'nov.ndjson']), exportFormats).format).toBe('ndjson');
  });

  it.each<[string[], string, string]>([
    [['-o', 'a.json', '--format', 'table'], '--format table contradicts --output a.json: a .json file holds json', 'leave out --format to write json, or name the file without .csv, .json, .ndjson or .parquet'],
    [['-o', 'e.csv', '--format', 'json'], '--format json contradicts --output e.csv: a .csv file holds csv', 'leave out --format to write csv, or name the file .json'],
    [['-o', 'e.csv', '--json'], '--json contradicts --output e.csv: a .csv file holds csv', 'leave out --json to write csv, or name the file .json'],
    [['-o', 'e.JSONL', '--format', 'json'], '--format json contradicts --output e.JSONL: a .jsonl file holds ndjson', 'leave out --format to write ndjson, or name the file .json'],
    [['-o', 'w.parquet'], '--output w.parquet: this command cannot write parquet; it writes table, csv, json, ndjson', 'name the file .csv, .json, .ndjson'],
  ])('refuses %j with exit 2', (argv, message, hint) => {
    const error = usage(() => readOutputOptions(ctx, parse(argv)));
    expect(error.message).toBe(message);
    expect(error.hint).toBe(hint);
    expect(error.exitCode).toBe(2);
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
