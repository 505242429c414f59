/** Where an option's value may be looked up besides the option itself. */
export interface Surroundings {
  readonly env: NodeJS.ProcessEnv;
  readonly cwd: string;
}

/** The headings of --help, in the order it shows them. */
export const GROUPS = ['Stack:', 'Pipeline:', 'Monitoring:', 'Transfer:', 'Output:'] as const;
export type Group = (typeof GROUPS)[number];

/**
 * One option, declared once: how the CLI offers it (flag, --help), where else it is read from
 * (PROVISIONER_<FLAG>, a camelCase or kebab-case key of the config file), how README.md describes
 * it, and how its raw value becomes a setting.
 */
export interface OptionSpec<T> {
  /** The flag, kebab-case; the variable and config keys derive from it. */
  readonly flag: string;
  readonly type: 'string' | 'number' | 'boolean';
  readonly group: Group;
  /** The line --help shows. */
  readonly describe: string;
  /** Shown in --help and used when the option is not given. */
  readonly default?: string | number | boolean;
  readonly choices?: readonly string[];
  /** README.md's "default" column where there is no default: what leaving the option out means. */
  readonly unset?: string;
  /** README.md's "meaning" column, in Markdown: the option at more length than --help has room for. */
  readonly doc: string;
  /**
   * Validates the raw value into the setting; throws UsageError. An option not given arrives as its
   * default, or undefined when it has none. Empty text is a value given (`--name "$UNSET"`), never
   * the default: where it makes no sense it is an error naming the option.
   */
  parse(value: unknown, around: Surroundings): T;
}

export const option = <T>(spec: OptionSpec<T>): OptionSpec<T> => spec;
