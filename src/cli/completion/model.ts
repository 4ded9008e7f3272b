// Reads the commander tree into a plain model the shell generators share:
// every command path, its subcommands, its flags, which flags take a value,
// and the allowed values of enum flags (Option.argChoices).
import type { Command, Option } from 'commander';

export interface FlagModel {
  names: string[];
  long: string | undefined;
  short: string | undefined;
  description: string;
  takesValue: boolean;
  choices: string[];
  /** The value is a team id (`<team>`): completed from the API when credentials exist. */
  team: boolean;
}

export interface NodeModel {
  /** Space-separated command path; '' is the root. */
  path: string;
  description: string;
  subcommands: Array<{ name: string; description: string }>;
  flags: FlagModel[];
}

export interface TreeModel {
  nodes: NodeModel[];
  /** Root options: accepted after any command. */
  globals: FlagModel[];
}

function flagOf(option: Option): FlagModel {
  const names = [option.long, option.short].filter((n): n is string => typeof n === 'string');
  return {
    names,
    long: option.long ?? undefined,
    short: option.short ?? undefined,
    description: option.description,
    takesValue: option.required || option.optional,
    choices: option.argChoices ? [...option.argChoices] : [],
    team: /<team>|\[team\]/.test(option.flags),
  };
}

function isHidden(command: Command): boolean {
  return (command as unknown as { _hidden?: boolean })._hidden === true;
}

export function readTree(program: Command): TreeModel {
  const nodes: NodeModel[] = [];
  const visit = (command: Command, path: string): void => {
    const children = command.commands.filter((c) => !isHidden(c));
    const flags = command.options.filter((o) => !o.hidden).map(flagOf);
    flags.push({ names: ['--help', '-h'], long: '--help', short: '-h', description: 'display help', takesValue: false, choices: [], team: false });
    // An alias (`policy lint`, `auth status`) completes like the command it names.
    const names = (c: Command): string[] => [c.name(), ...c.aliases()];
    nodes.push({
      path,
      description: command.description(),
      subcommands: children.flatMap((c) => names(c).map((name) => ({ name, description: c.description() }))),
      flags,
    });
    for (const child of children) for (const name of names(child)) visit(child, path === '' ? name : `${path} ${name}`);
  };
  visit(program, '');
  // --version works only before a command; the other root options anywhere.
  const globals = program.options.filter((o) => !o.hidden && o.long !== '--version').map(flagOf);
  return { nodes, globals };
}
