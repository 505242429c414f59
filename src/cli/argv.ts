import { isYesOrNo, yesOrNo } from '../config/values.js';

/** The flags whose argument bindValues rewrites, in kebab-case and camelCase. */
export interface BoundFlags {
  /** Flags that take a value. */
  readonly values: ReadonlySet<string>;
  /** Flags that are yes or no. */
  readonly booleans: ReadonlySet<string>;
}

/**
 * Binds each value flag to the argument after it, as `--flag=value`. yargs would read
 * `--name -ab` as --name without a value plus the flags -a and -b, and `--name` without a value
 * (`--name $UNSET`) as the default stack. Bound, "-ab" is checked as a stack name and rejected by
 * name, and a flag with no argument left (or another --option next) gets empty text, which is
 * rejected too.
 *
 * A yes-or-no flag takes its value as `--flag=WORD`, or as the next argument when that is one of
 * the words (`--dashboard yes`); the word is checked here and handed to yargs as true or false,
 * since yargs reads any word but "true" as false, and `--dashboard=yes` would turn the dashboard
 * off. `--dashboard` alone is yes, as ever.
 */
export function bindValues(argv: readonly string[], flags: BoundFlags): string[] {
  const bound: string[] = [];
  for (let index = 0; index < argv.length; index += 1) {
    const arg = argv[index]!;
    if (arg === '--') {
      bound.push(...argv.slice(index));
      break;
    }
    const [, flag, value] = /^--([A-Za-z][\w-]*)(?:=(.*))?$/s.exec(arg) ?? [];
    const next = argv[index + 1];
    if (flag !== undefined && flags.booleans.has(flag)) {
      const word = value ?? (next !== undefined && isYesOrNo(next) ? next : undefined);
      if (value === undefined && word !== undefined) index += 1;
      bound.push(word === undefined ? arg : `--${flag}=${yesOrNo(word, kebabCase(flag))}`);
    } else if (flag !== undefined && value === undefined && flags.values.has(flag)) {
      if (next === undefined || next.startsWith('--')) {
        bound.push(`${arg}=`);
      } else {
        bound.push(`${arg}=${next}`);
        index += 1;
      }
    } else {
      bound.push(arg);
    }
  }
  return bound;
}

function kebabCase(flag: string): string {
  return flag.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`);
}
