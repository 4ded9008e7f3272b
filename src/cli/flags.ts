// The flags many commands share: output (--format, -o, --fields), time
// (--since/--until read in --tz) and closed vocabularies with did-you-mean.
// Only commander and small pure modules are imported here: command index
// files use addOutputOptions while building --help.
import { InvalidArgumentError, Option, type Command } from 'commander';
import type { Context } from './context.js';
import { UsageError } from '../errors.js';
import { FORMATS, type Format } from '../output/index.js';
import { didYouMean } from '../domain/suggest.js';
import { isTimeZone, parseInstant, TimeError } from '../domain/time.js';

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

/** How --since/--until read a date: the same words on every command that has --tz. */
export const LOCAL_DATES_HELP = 'a bare date or date-time is local to --tz, an explicit offset or Z wins';

/** -o/--output help, shared by every command that writes rows. */
export const OUTPUT_HELP =
  'write to FILE instead of stdout, atomically (the file is replaced only when complete); ' +
  'its extension (.csv, .json, .ndjson/.jsonl) sets the format unless --format is given, and they must agree';

export function addOutputOptions(cmd: Command, config: OutputFlagsConfig = {}): Command {
  const fieldsHelp = ['comma-separated columns to print, in order'];
  if (config.fields !== undefined) fieldsHelp.push(config.fields);
  if (config.defaultFields !== undefined) fieldsHelp.push(`default: ${config.defaultFields.join(',')}`);
  return cmd
    .addOption(new Option('--format <format>', 'output format (default: table)').choices([...(config.formats ?? FORMATS)]))
    .addOption(new Option('--json', 'shorthand for --format json'))
    .addOption(new Option('--fields <list>', fieldsHelp.join('; ')))
    .addOption(new Option('-o, --output <file>', OUTPUT_HELP))
    .addOption(new Option('--no-header', 'omit the header row (csv and table)'));
}

/** Options whose comma-list values the command checks itself (see listChoices). */
const commaLists = new WeakSet<Option>();

/**
 * Declares the values a comma-list flag takes its items from, for --help and
 * shell completion (both read Option.argChoices). Unlike Option#choices() it
 * adds no check of its own, which would refuse "a,b" as one unknown value:
 * the command validates the list and words the error.
 */
export function listChoices(option: Option, values: readonly string[]): Option {
  option.argChoices = [...values];
  commaLists.add(option);
  return option;
}

/**
 * Gives every single-value `.choices()` option in the tree a did-you-mean:
 * `--aggregate dayly` → "Allowed choices are daily, weekly, monthly. (Did
 * you mean daily?)", worded like commander's own hint for a mistyped flag.
 * Called once on the whole tree, so a flag added later gets it too.
 */
export function suggestChoices(root: Command): void {
  const visit = (command: Command): void => {
    for (const option of command.options) {
      const choices = option.argChoices;
      if (choices === undefined || commaLists.has(option)) continue;
      const parse = option.parseArg;
      option.parseArg = <T>(value: string, previous: T): T => {
        if (!choices.includes(value)) {
          const guess = didYouMean(value, choices);
          throw new InvalidArgumentError(`Allowed choices are ${choices.join(', ')}.${guess === undefined ? '' : ` (Did you mean ${guess}?)`}`);
        }
        return (parse === undefined ? value : parse.call(option, value, previous)) as T;
      };
    }
    command.commands.forEach(visit);
  };
  visit(root);
}

/** ` (did you mean "block"?)`-style hint for a word outside a closed vocabulary, or undefined. */
export function suggestion(word: string, vocabulary: Iterable<string>): string | undefined {
  const guess = didYouMean(word, vocabulary);
  return guess === undefined ? undefined : `did you mean "${guess}"?`;
}

/** --tz: an IANA zone name, or undefined when the flag is absent. Exit 2 with a did-you-mean otherwise. */
export function timeZoneFlag(text: string | undefined): string | undefined {
  if (text === undefined) return undefined;
  if (isTimeZone(text)) return text;
  const zones = typeof Intl.supportedValuesOf === 'function' ? Intl.supportedValuesOf('timeZone') : [];
  throw new UsageError(`invalid --tz "${text}": not an IANA time zone`, suggestion(text, zones) ?? 'use a name such as UTC, Europe/Berlin or America/New_York');
}

/**
 * --since/--until and the like: a duration back from now, `now`, or an ISO
 * date or date-time. Under --tz a bare date or date-time is wall-clock time
 * in that zone (DST-correct); an explicit offset or Z wins.
 */
export function instantFlag(flag: string, text: string, now: Date, tz?: string): Date {
  try {
    return parseInstant(text, now, tz);
  } catch (error) {
    if (error instanceof TimeError) throw new UsageError(`invalid ${flag}: ${error.message}`);
    throw error;
  }
}

/** What a command writes when --format is absent, and which formats it writes at all. */
export interface OutputFormats {
  /** default: table */
  defaultFormat?: Format;
  /** default: every format of the output layer */
  formats?: readonly Format[];
}

export function readOutputOptions(ctx: Pick<Context, 'log'>, raw: RawOutputOptions, config: OutputFormats = {}): OutputOptions {
  const formats: readonly string[] = config.formats ?? FORMATS;
  if (raw.format !== undefined && !formats.includes(raw.format)) {
    const guess = suggestion(raw.format, formats);
    throw new UsageError(`invalid --format "${raw.format}"; valid formats: ${formats.join(', ')}`, guess);
  }
  if (raw.json === true && raw.format !== undefined && raw.format !== 'json') {
    throw new UsageError(`--json conflicts with --format ${raw.format}; pass one of them`);
  }
  const explicit = raw.json === true ? 'json' : raw.format;
  const explicitFlag = raw.json === true ? '--json' : `--format ${raw.format ?? ''}`;
  if (raw.output !== undefined && raw.output.trim() === '') {
    throw new UsageError('--output needs a file name');
  }
  let format = (explicit ?? config.defaultFormat ?? 'table') as Format;
  const fromName = raw.output === undefined ? undefined : formatFromExtension(raw.output);
  if (raw.output !== undefined && fromName !== undefined) {
    if (explicit !== undefined && explicit !== fromName) {
      throw new UsageError(
        `${explicitFlag} contradicts --output ${raw.output}: a .${extensionOf(raw.output)} file holds ${fromName}`,
        `leave out ${explicitFlag.split(' ')[0] ?? '--format'} to write ${fromName}, or name the file ${fileNameFor(explicit)}`,
      );
    }
    if (!formats.includes(fromName)) {
      throw new UsageError(
        `--output ${raw.output}: this command cannot write ${fromName}; it writes ${formats.join(', ')}`,
        `name the file ${formats.filter((f) => f !== 'table').map((f) => `.${f}`).join(', ')}`,
      );
    }
    if (explicit === undefined) ctx.log.debug(`--output ${raw.output}: writing ${fromName} (from the file extension)`);
    format = fromName as Format;
  }
  if (raw.fields !== undefined && raw.fields.trim() === '') {
    throw new UsageError('--fields is empty; pass a comma-separated list of field names');
  }
  return { format, fields: raw.fields, output: raw.output, header: raw.header !== false };
}

/**
 * The one -o rule: a known extension names the format (`-o report.csv` is
 * csv) unless --format says otherwise, and then they must agree. Parquet is
 * listed so that `-o x.parquet` is refused clearly by a command that cannot
 * write it, and accepted, with no change here, once a command's formats
 * include it.
 */
const EXTENSION_FORMATS: Readonly<Record<string, string>> = {
  csv: 'csv',
  json: 'json',
  ndjson: 'ndjson',
  jsonl: 'ndjson',
  parquet: 'parquet',
};

function extensionOf(path: string): string {
  const base = path.slice(Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\')) + 1);
  const dot = base.lastIndexOf('.');
  return dot <= 0 ? '' : base.slice(dot + 1).toLowerCase();
}

/** How to name a file for a format: `with .csv`, or for a table one whose extension names no format. */
function fileNameFor(format: string): string {
  const extension = Object.keys(EXTENSION_FORMATS).find((e) => EXTENSION_FORMATS[e] === format);
  return extension === undefined ? 'without .csv, .json, .ndjson or .parquet' : `.${extension}`;
}

/** The format a file name's extension names (`.csv` → csv, `.jsonl` → ndjson), or undefined. */
export function formatFromExtension(path: string): string | undefined {
  return EXTENSION_FORMATS[extensionOf(path)];
}

/**
 * A --webhook value: an http(s) URL (kt wallets check, kt events anomalies).
 * The path is never echoed back: a Slack webhook's path is its secret.
 */
export function parseWebhookUrl(text: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new UsageError(`invalid --webhook "${text}": not a URL`, 'use e.g. --webhook https://hooks.slack.com/services/…');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new UsageError(`invalid --webhook: only http and https URLs are supported, not ${url.protocol}`);
  return url.toString();
}
