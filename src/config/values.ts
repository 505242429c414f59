import path from 'node:path';
import { UsageError } from '../core/errors.js';

/**
 * The checks that many options share: text, numbers, a choice of words, yes or no. Each takes the
 * raw value as a flag, a PROVISIONER_* variable or the config file gave it, and names the option
 * (`flag`, kebab-case) in its error.
 */

/** A value as an error shows it: numbers bare, JSON.stringify showing NaN (yargs' `--workers abc`) as null. */
export function shown(value: unknown): string {
  return typeof value === 'number' ? String(value) : JSON.stringify(value);
}

export function validated<T>(value: T | undefined, assert: (value: T) => void): T | undefined {
  if (value !== undefined) assert(value);
  return value;
}

/** Text that must be there: an option with a default always is. */
export function text(value: unknown, flag: string): string {
  const given = optionalString(value, flag);
  if (given === undefined) throw new UsageError(`invalid --${flag}: expected text`);
  return given;
}

/** Undefined only when not given: empty text is given, and the option's own check rejects it. */
export function optionalString(value: unknown, flag: string): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw new UsageError(`invalid --${flag} ${JSON.stringify(value)}: expected text`);
  return value;
}

/** AWS_REGION and the like: set but empty counts as unset, as in the AWS SDK and CLI. */
export function awsVariable(value: string | undefined): string | undefined {
  return value === '' ? undefined : value;
}

/** A directory, against the working directory; empty text would silently mean the working directory. */
export function directory(value: unknown, flag: string, cwd: string): string {
  const given = text(value, flag);
  if (given.trim() === '') throw new UsageError(`invalid --${flag} ${JSON.stringify(given)}: expected a directory`);
  return path.resolve(cwd, given);
}

export function oneOf<T extends string>(value: unknown, flag: string, allowed: readonly T[]): T {
  if (typeof value === 'string' && (allowed as readonly string[]).includes(value)) return value as T;
  throw new UsageError(`invalid --${flag} ${JSON.stringify(value)}: valid values are ${allowed.join(', ')}`);
}

/** `alternative` ends the error's list of what is valid, e.g. ", or auto". */
export function integer(value: unknown, flag: string, min: number, max: number, alternative = ''): number {
  const number = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  if (typeof number === 'number' && Number.isInteger(number) && number >= min && number <= max) return number;
  throw new UsageError(`invalid --${flag} ${shown(value)}: expected a whole number from ${min} to ${max}${alternative}`);
}

export function positive(value: unknown, flag: string, max: number): number {
  const number = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  if (typeof number === 'number' && Number.isFinite(number) && number > 0 && number <= max) return number;
  throw new UsageError(`invalid --${flag} ${shown(value)}: expected a number of minutes greater than 0 and at most ${max}`);
}

/**
 * The words a yes-or-no option takes, in any letter case, from a flag (`--dashboard=on`), a variable
 * (`PROVISIONER_DASHBOARD=1`) or the config file (`"dashboard": "yes"`, or 1 and 0 as numbers).
 */
const YES_OR_NO: ReadonlyMap<string, boolean> = new Map([
  ['true', true],
  ['false', false],
  ['1', true],
  ['0', false],
  ['yes', true],
  ['no', false],
  ['on', true],
  ['off', false],
]);

/** Whether `word` is one of the words for yes or no, in any letter case. */
export function isYesOrNo(word: string): boolean {
  return YES_OR_NO.has(word.toLowerCase());
}

/**
 * A yes or a no, from exactly one of those words. Anything else is refused rather than read as
 * false: an option such as --dashboard turns a resource off when false, and `up` then deletes it,
 * so a no must be one the user wrote. Empty text is a value given, and refused too.
 */
export function yesOrNo(value: unknown, flag: string): boolean {
  if (typeof value === 'boolean') return value;
  const word = typeof value === 'number' || typeof value === 'string' ? String(value).toLowerCase() : undefined;
  const answer = word === undefined ? undefined : YES_OR_NO.get(word);
  if (answer !== undefined) return answer;
  throw new UsageError(`invalid --${flag} ${shown(value)}: valid values are ${[...YES_OR_NO.keys()].join(', ')} (any case)`);
}
