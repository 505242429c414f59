/**
 * Binds each of `flags` to the argument after it, as `--flag=value`. yargs would read
 * `--name -ab` as --name without a value plus the flags -a and -b, and `--name` without a value
 * (`--name $UNSET`) as the default stack. Bound, "-ab" is checked as a stack name and rejected by
 * name, and a flag with no argument left (or another --option next) gets empty text, which is
 * rejected too.
 */
export function bindValues(argv: readonly string[], flags: ReadonlySet<string>): string[] {
  const bound: string[] = [];
  for (let index = 0; index < argv.length; index += 1) {
    const arg = argv[index]!;
    if (arg === '--') {
      bound.push(...argv.slice(index));
      break;
    }
    const flag = /^--([A-Za-z][\w-]*)$/.exec(arg)?.[1];
    if (flag === undefined || !flags.has(flag)) {
      bound.push(arg);
      continue;
    }
    const next = argv[index + 1];
    if (next === undefined || next.startsWith('--')) {
      bound.push(`${arg}=`);
    } else {
      bound.push(`${arg}=${next}`);
      index += 1;
    }
  }
  return bound;
}
