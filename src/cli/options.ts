import type { Argv } from 'yargs';
import { GROUPS } from '../config/option-spec.js';
import { OPTIONS } from '../config/options.js';
import { camelCase } from '../config/settings.js';
import type { BoundFlags } from './argv.js';
import { COMMAND_OPTIONS, commandOptions } from './command-options.js';
import { CONFIG_FLAG, optionSources, shownDefaults } from './option-sources.js';

/**
 * The options every command takes, straight from the one option table, and the middleware that
 * fills in every option of the command being run from its variable, the config file or its default;
 * `warn` receives its warnings.
 */
export function globalOptions(y: Argv, warn: (warning: string) => void): Argv {
  const specs = Object.values(OPTIONS);
  const options = Object.fromEntries(
    specs.map((spec) => [
      spec.flag,
      {
        // Numbers are handed over as given (yargs would make "" a 0): the option table converts
        // them, and its errors show what was given.
        ...(spec.type === 'number' ? {} : { type: spec.type }),
        describe: spec.describe,
        ...('default' in spec ? { defaultDescription: JSON.stringify(spec.default) } : {}),
        ...('choices' in spec ? { choices: spec.choices } : {}),
      },
    ]),
  );
  const inGroup = (group: string) => specs.filter((spec) => spec.group === group).map((spec) => spec.flag);
  const withGroups = y
    .scriptName('provisioner')
    .usage('$0 <command> [options]\n\nStand up, run and tear down a quarterly AWS Glue pipeline.')
    .option(CONFIG_FLAG, { describe: 'JSON file with any of these options (camelCase or kebab-case keys)' })
    .options(options)
    .middleware(optionSources(warn), true);
  // --config sits with the stack's options, and yargs' own --help and --version with the output's.
  const extra: Record<string, string[]> = { 'Stack:': [CONFIG_FLAG], 'Output:': ['help', 'version'] };
  return GROUPS.reduce((built, group) => built.group([...inGroup(group), ...(extra[group] ?? [])], group), withGroups);
}

/**
 * The flags whose argument bindValues binds, in kebab-case and camelCase: those that take a value
 * (the option table's strings and numbers, --config, and those of every command), and the yes-or-no
 * ones. No flag is a value in one command and a yes or no in another.
 */
export function boundFlags(): BoundFlags {
  const all = [
    ...Object.values(OPTIONS).map((spec) => [spec.flag, spec.type] as const),
    [CONFIG_FLAG, 'string'] as const,
    ...commandOptions().map(([, flag, spec]) => [flag, spec.type] as const),
  ];
  const spelt = (flags: string[]) => new Set([...flags, ...flags.map(camelCase)]);
  return {
    values: spelt(all.filter(([, type]) => type !== 'boolean').map(([flag]) => flag)),
    booleans: spelt(all.filter(([, type]) => type === 'boolean').map(([flag]) => flag)),
  };
}

/** The options of one command, for its builder. */
export function commandFlags<C extends keyof typeof COMMAND_OPTIONS>(command: C) {
  return shownDefaults(COMMAND_OPTIONS[command]);
}
