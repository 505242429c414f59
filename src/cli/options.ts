import type { Argv } from 'yargs';
import { loadConfigFile } from '../config/config-file.js';
import { GROUPS } from '../config/option-spec.js';
import { OPTIONS } from '../config/options.js';
import { camelCase } from '../config/settings.js';
import { commandOptions } from './command-options.js';

/** The options every command takes, straight from the one option table. */
export function globalOptions(y: Argv): Argv {
  const specs = Object.values(OPTIONS);
  const options = Object.fromEntries(
    specs.map((spec) => [
      spec.flag,
      {
        // Numbers are handed over as given (yargs would make "" a 0): the option table converts
        // them, and its errors show what was given.
        ...(spec.type === 'number' ? {} : { type: spec.type }),
        describe: spec.describe,
        ...('default' in spec ? { default: spec.default } : {}),
        ...('choices' in spec ? { choices: spec.choices } : {}),
      },
    ]),
  );
  const inGroup = (group: string) => specs.filter((spec) => spec.group === group).map((spec) => spec.flag);
  const withGroups = y
    .scriptName('provisioner')
    .usage('$0 <command> [options]\n\nStand up, run and tear down a quarterly AWS Glue pipeline.')
    .env('PROVISIONER')
    .config('config', 'JSON file with any of these options (camelCase or kebab-case keys)', loadConfigFile)
    .options(options);
  // --config sits with the stack's options, and yargs' own --help and --version with the output's.
  const extra: Record<string, string[]> = { 'Stack:': ['config'], 'Output:': ['help', 'version'] };
  return GROUPS.reduce((built, group) => built.group([...inGroup(group), ...(extra[group] ?? [])], group), withGroups);
}

/**
 * The flags that take a value, in kebab-case and camelCase: the option table's strings and
 * numbers, --config, and those of every command. bindValues binds each to the argument after it.
 */
export function valueFlags(): Set<string> {
  const global = Object.values(OPTIONS).filter((spec) => spec.type !== 'boolean').map((spec) => spec.flag);
  const ofCommands = commandOptions().filter(([, , spec]) => spec.type !== 'boolean').map(([, flag]) => flag);
  const flags = [...global, 'config', ...ofCommands];
  return new Set([...flags, ...flags.map(camelCase)]);
}
