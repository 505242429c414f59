import type { Settings } from '../core/settings.js';
import { checkTogether } from './checks.js';
import { OPTIONS } from './options.js';
import type { OptionSpec } from './option-spec.js';

type Options = typeof OPTIONS;

type CamelCase<S extends string> = S extends `${infer Head}-${infer Tail}` ? `${Head}${Capitalize<CamelCase<Tail>>}` : S;

/** The raw option values as the CLI hands them over (flags, PROVISIONER_* variables, config file). */
export type RawOptions = { [K in keyof Options as CamelCase<Options[K]['flag']>]?: unknown };

/**
 * The settings a command runs with: each option's raw value (its default when not given) checked
 * and converted by the option table, then the options checked together; frozen, as no layer below
 * may change what the user asked for.
 */
export function resolveSettings(raw: RawOptions, env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): Settings {
  const values = raw as Record<string, unknown>;
  const settings = Object.fromEntries(
    Object.entries(OPTIONS).map(([key, spec]: [string, OptionSpec<unknown>]) => {
      const given = values[camelCase(spec.flag)];
      return [key, spec.parse(given === undefined || given === null ? spec.default : given, { env, cwd })];
    }),
  );
  return Object.freeze(checkTogether(settings as unknown as Settings));
}

/** The key of a kebab-case flag as yargs hands it over, and as a config file may spell it. */
export function camelCase(flag: string): string {
  return flag.replace(/-([a-z])/g, (_, letter: string) => letter.toUpperCase());
}
