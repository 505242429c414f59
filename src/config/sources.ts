import { UsageError } from '../core/errors.js';
import { loadConfigFile } from './config-file.js';
import { camelCase } from './settings.js';
import { yesOrNo } from './values.js';
import { variableValue } from './variables.js';

/**
 * Where an option's value comes from, in this order: its flag, its PROVISIONER_* variable, its key
 * in the --config file, its default. Only the options of the command being run are looked up, so
 * a variable exported for another command (PROVISIONER_YES for teardown) changes nothing here.
 */

/** An option as its sources see it. */
export interface SourcedOption {
  /** kebab-case; the config file may spell it camelCase too. */
  readonly flag: string;
  /**
   * How the text of a variable or config value is read, as yargs reads the flag's: text, a number,
   * a boolean, or, with no type, a number when it looks like one. A value reads the same from any
   * source, and an error shows `--workers 1` whether 1 came from a flag or PROVISIONER_WORKERS.
   */
  readonly type?: 'string' | 'number' | 'boolean';
  readonly default?: unknown;
}

export interface Sources {
  /** The flags as yargs parsed them, by camelCase key; an option not given is absent. */
  readonly flags: Readonly<Record<string, unknown>>;
  readonly env: NodeJS.ProcessEnv;
  /** The --config file's options; undefined when no file is named. */
  readonly file: Readonly<Record<string, unknown>> | undefined;
}

/** The flags, the variables and the --config file they or PROVISIONER_CONFIG name, read. */
export function readSources(flags: Readonly<Record<string, unknown>>, env: NodeJS.ProcessEnv): Sources {
  const named = flags.config ?? variableValue(env, 'config');
  // Read here, a named file is never silently skipped: empty text is invalid, as for every option.
  if (named === '') throw new UsageError('invalid --config "": expected the path of a JSON file');
  return { flags, env, file: named === undefined ? undefined : loadConfigFile(String(named)) };
}

/** Each option's value by its flag; undefined for an option that has none from any source. */
export function gatherOptions(options: readonly SourcedOption[], { flags, env, file }: Sources): Map<string, unknown> {
  const values = new Map<string, unknown>();
  for (const option of options) {
    const flag = flags[camelCase(option.flag)];
    const variable = variableValue(env, option.flag);
    const fromFile = file?.[camelCase(option.flag)] ?? file?.[option.flag];
    let value = option.default;
    if (flag !== undefined) value = flag;
    else if (variable !== undefined) value = asFlagText(variable, option);
    else if (fromFile !== undefined) value = asFlagText(fromFile, option);
    values.set(option.flag, value);
  }
  return values;
}

/** The keys of the config file that are no option of any command (`known`, kebab-case). */
export function unknownConfigKeys({ file }: Sources, known: readonly string[]): Record<string, unknown> {
  const keys = new Set([...known, ...known.map(camelCase)]);
  return Object.fromEntries(Object.entries(file ?? {}).filter(([key]) => !keys.has(key)));
}

function asFlagText(value: unknown, option: SourcedOption): unknown {
  // Never a false from a value the user did not mean as one: yargs read PROVISIONER_DASHBOARD=1 so.
  if (option.type === 'boolean') return yesOrNo(value, option.flag);
  if (typeof value !== 'string') return value;
  switch (option.type) {
    case 'string':
      return value;
    case 'number':
      return Number(value);
    default:
      return /^-?\d+(\.\d+)?$/.test(value) ? Number(value) : value;
  }
}
