// The output flags every data command shares. Only commander is imported
// here: command index files use addOutputOptions while building --help.
import { Option, type Command } from 'commander';
import type { Context } from './context.js';
import { UsageError } from '../errors.js';
import { FORMATS, type Format } from '../output/index.js';

/** What commander hands the handler for the options added below. */
export interface RawOutputOptions {
  format?: string | undefined;
  json?: boolean | undefined;
  fields?: string | undefined;
  output?: string | undefined;
  /** false with --no-header. */
  header?: boolean | undefined;
}

export interface OutputOptions {
  format: Format;
  fields: string | undefined;
  output: string | undefined;
  header: boolean;
}

export interface OutputFlagsConfig {
  /** Text for --fields help: the valid field names (and defaults). */
  fields?: string;
  /** Default columns, listed in --fields help. */
  defaultFields?: readonly string[];
  /** Formats --format takes (default: FORMATS); the event exports add parquet. */
  formats?: readonly Format[];
}

export function addOutputOptions(cmd: Command, config: OutputFlagsConfig = {}): Command {
  const fieldsHelp = ['comma-separated columns to print, in order'];
  if (config.fields !== undefined) fieldsHelp.push(config.fields);
  if (config.defaultFields !== undefined) fieldsHelp.push(`default: ${config.defaultFields.join(',')}`);
  return cmd
    .addOption(new Option('--format <format>', 'output format (default: table)').choices([...(config.formats ?? FORMATS)]))
    .addOption(new Option('--json', 'shorthand for --format json'))
    .addOption(new Option('--fields <list>', fieldsHelp.join('; ')))
    .addOption(new Option('-o, --output <file>', 'write to FILE instead of stdout (atomically: the file is replaced only when complete)'))
    .addOption(new Option('--no-header', 'omit the header row (csv and table)'));
}

/**
 * Declares the values a comma-list flag takes its items from, for --help and
 * shell completion (both read Option.argChoices). Unlike Option#choices() it
 * adds no check of its own, which would refuse "a,b" as one unknown value:
 * the command validates the list and words the error.
 */
export function listChoices(option: Option, values: readonly string[]): Option {
  option.argChoices = [...values];
  return option;
}

export function readOutputOptions(ctx: Pick<Context, 'log'>, raw: RawOutputOptions, formats: readonly Format[] = FORMATS): OutputOptions {
  let format: Format = 'table';
  if (raw.format !== undefined) {
    if (!(formats as readonly string[]).includes(raw.format)) {
      throw new UsageError(`invalid --format "${raw.format}"; valid formats: ${formats.join(', ')}`);
    }
    format = raw.format as Format;
  }
  if (raw.json === true) {
    if (raw.format !== undefined && raw.format !== 'json') {
      throw new UsageError(`--json conflicts with --format ${raw.format}; pass one of them`);
    }
    format = 'json';
  }
  if (raw.output !== undefined && raw.output.trim() === '') {
    throw new UsageError('--output needs a file name');
  }
  if (raw.format === undefined && raw.json !== true && raw.output !== undefined) {
    const inferred = formatFromExtension(raw.output);
    if (inferred !== undefined && !formats.includes(inferred)) {
      throw new UsageError(`--output ${raw.output}: this command does not write ${inferred}`, `pass --format ${formats.filter((f) => f !== 'table').join('|')}`);
    }
    if (inferred !== undefined) {
      ctx.log.debug(`--output ${raw.output}: writing ${inferred} (from the file extension)`);
      format = inferred;
    }
  }
  if (raw.fields !== undefined && raw.fields.trim() === '') {
    throw new UsageError('--fields is empty; pass a comma-separated list of field names');
  }
  return { format, fields: raw.fields, output: raw.output, header: raw.header !== false };
}

/** `-o report.csv` without --format means csv: a table in a .csv file is never what was meant. */
export function formatFromExtension(path: string): Format | undefined {
  const lower = path.toLowerCase();
  if (lower.endsWith('.csv')) return 'csv';
  if (lower.endsWith('.ndjson') || lower.endsWith('.jsonl')) return 'ndjson';
  if (lower.endsWith('.json')) return 'json';
  if (lower.endsWith('.parquet')) return 'parquet';
  return undefined;
}
