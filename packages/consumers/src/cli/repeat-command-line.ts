import { censorUrl } from '@broker/core';
import type { Command } from 'commander';

/** Each option's values as typed, by command and attribute name (parsers turn `30s` into 30000). */
const typedValues = new WeakMap<Command, Map<string, string[]>>();

/** Makes `command` remember the text of every option value it parses, for {@link repeatCommandLine}. */
export function rememberTypedOptions(command: Command): Command {
  const typed = new Map<string, string[]>();
  typedValues.set(command, typed);
  for (const option of command.options) {
    const parse = option.parseArg;
    if (!parse) continue;
    const key = option.attributeName();
    option.parseArg = <T>(value: string, previous: T): T => {
      typed.set(key, [...(typed.get(key) ?? []), value]);
      return parse(value, previous);
    };
  }
  return command;
}

function shellQuote(value: string): string {
  return /^[\w@%+=:,./-]+$/.test(value) ? value : `'${value.replaceAll("'", "'\\''")}'`;
}

/**
 * The command line that runs `command` again: every option the user gave on the command line
 * (not defaults, not the environment), as typed, in the command's option order, with `replaced`
 * options (by attribute name, e.g. `minimumTimestamp`) set to new values whether given or not.
 * A password in a URL is printed as `***`: such a URL is better given through the environment.
 */
export function repeatCommandLine(command: Command, replaced: Record<string, string>): string {
  const typed = typedValues.get(command);
  const args = [command.parent?.name() ?? 'broker', command.name()];
  for (const option of command.options) {
    const key = option.attributeName();
    const flag = option.long ?? (option.short as string);
    if (key in replaced) {
      args.push(flag, replaced[key] as string);
      continue;
    }
    if (command.getOptionValueSource(key) !== 'cli') continue;
    const value: unknown = command.getOptionValue(key);
    // A flag (`--json`) or a negation (`--no-delay`, which shares its attribute with `--delay`).
    if (option.negate || typeof value === 'boolean') {
      if (value === !option.negate) args.push(flag);
      continue;
    }
    const texts = typed?.get(key);
    // A repeatable option (`--type a --type b,c`) collects every value; any other keeps the last.
    const text = texts ? (Array.isArray(value) ? texts.join(',') : texts.at(-1)) : String(value);
    args.push(flag, censorUrl(text as string));
  }
  return args.map(shellQuote).join(' ');
}
