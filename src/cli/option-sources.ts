import type { Arguments } from 'yargs';
import { OPTIONS } from '../config/options.js';
import { camelCase } from '../config/settings.js';
import { gatherOptions, readSources, unknownConfigKeys, type SourcedOption } from '../config/sources.js';
import { unknownVariables } from '../config/variables.js';
import { commandOptions } from './command-options.js';

/** What every command takes besides the option table: the --config file. */
export const CONFIG_FLAG = 'config';

/** The options of the table as their sources see them: numbers have no yargs type (see globalOptions). */
const GLOBAL: readonly SourcedOption[] = [
  ...Object.values(OPTIONS).map((spec): SourcedOption => ({ flag: spec.flag, ...(spec.type === 'number' ? {} : { type: spec.type }), ...('default' in spec ? { default: spec.default } : {}) })),
  { flag: CONFIG_FLAG, type: 'string' },
];

/** Every flag some command takes: a variable of any of them is known, and not warned about. */
export const KNOWN_FLAGS: readonly string[] = [...new Set([...GLOBAL.map((option) => option.flag), ...commandOptions().map(([, flag]) => flag)])];

/**
 * A yargs middleware, run before yargs validates (required options, choices, unknown options):
 * fills in each option of the command being run from its flag, PROVISIONER_* variable, the config
 * file or its default (config/sources.ts), as yargs itself did for the variables of every command
 * at once, which made a variable for one command an unknown option of all the others. Warnings
 * about unknown variables go to `warn`, to be logged once the log format is known.
 */
export function optionSources(warn: (warning: string) => void, env: NodeJS.ProcessEnv = process.env): (argv: Arguments) => void {
  return (argv) => {
    const command = String(argv._[0] ?? '');
    const own = commandOptions()
      .filter(([name]) => name === command)
      .map(([, flag, spec]): SourcedOption => ({ flag, ...(spec.type ? { type: spec.type } : {}), ...('default' in spec ? { default: spec.default } : {}) }));
    const sources = readSources(argv, env);
    for (const [flag, value] of gatherOptions([...GLOBAL, ...own], sources)) {
      if (value === undefined) continue;
      argv[flag] = value;
      argv[camelCase(flag)] = value;
    }
    // A key of no command's option is left for yargs' strict check to refuse, as a misspelt flag is.
    Object.assign(argv, unknownConfigKeys(sources, KNOWN_FLAGS));
    for (const warning of unknownVariables(env, KNOWN_FLAGS)) warn(warning);
  };
}

/** An option as yargs is told of it: its default only shown in --help, as the middleware fills it in. */
export type ShownDefault<T> = Omit<T, 'default'> & { readonly defaultDescription?: string };

/** yargs' options without their defaults, which the middleware fills in: --help still shows them. */
export function shownDefaults<T extends object>(options: T): { [K in keyof T]: ShownDefault<T[K]> } {
  return Object.fromEntries(
    Object.entries(options as Record<string, { readonly default?: unknown }>).map(([flag, { default: value, ...spec }]) => [
      flag,
      value === undefined ? spec : { ...spec, defaultDescription: JSON.stringify(value) },
    ]),
  ) as { [K in keyof T]: ShownDefault<T[K]> };
}
