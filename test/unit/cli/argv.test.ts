import { describe, expect, it } from 'vitest';
import { bindValues } from '../../../src/cli/argv.js';
import { boundFlags } from '../../../src/cli/options.js';
import { UsageError } from '../../../src/core/errors.js';

const FLAGS = { values: new Set(['name', 'data-dir', 'dataDir']), booleans: new Set(['dashboard', 'dry-run', 'dryRun']) };

describe('bindValues', () => {
  it.each([
    [['up', '--name', '-ab'], ['up', '--name=-ab']],
    [['up', '--name'], ['up', '--name=']],
    [['up', '--name', '--dashboard'], ['up', '--name=', '--dashboard']],
    [['up', '--dataDir', 'x'], ['up', '--dataDir=x']],
    [['up', '--name=x', 'y'], ['up', '--name=x', 'y']],
    [['up', '--', '--name', 'x'], ['up', '--', '--name', 'x']],
  ])('binds a value flag to the argument after it: %j', (argv, bound) => {
    expect(bindValues(argv, FLAGS)).toEqual(bound);
  });

  it.each([
    [['up', '--dashboard'], ['up', '--dashboard']],
    [['up', '--dashboard', '--name', 'x'], ['up', '--dashboard', '--name=x']],
    [['up', '--dashboard=yes'], ['up', '--dashboard=true']],
    [['up', '--dashboard=OFF'], ['up', '--dashboard=false']],
    [['up', '--dashboard', 'on'], ['up', '--dashboard=true']],
    [['up', '--dashboard', '0'], ['up', '--dashboard=false']],
    [['up', '--dryRun', 'No'], ['up', '--dryRun=false']],
    [['unlock', '--dashboard', '0b3f0c9e-1111'], ['unlock', '--dashboard', '0b3f0c9e-1111']],
    [['up', '--no-dashboard'], ['up', '--no-dashboard']],
  ])('hands a yes-or-no flag to yargs as true or false: %j', (argv, bound) => {
    expect(bindValues(argv, FLAGS)).toEqual(bound);
  });

  it.each([
    [['up', '--dashboard=maybe'], 'invalid --dashboard "maybe": valid values are true, false, 1, 0, yes, no, on, off (any case)'],
    [['up', '--dryRun='], 'invalid --dry-run "": valid values are'],
  ])('refuses a yes-or-no flag with another word: %j', (argv, message) => {
    expect(() => bindValues(argv, FLAGS)).toThrow(UsageError);
    expect(() => bindValues(argv, FLAGS)).toThrow(message);
  });
});

describe('boundFlags', () => {
  it('holds no flag that is a value in one command and a yes or no in another', () => {
    const { values, booleans } = boundFlags();
    expect([...values].filter((flag) => booleans.has(flag))).toEqual([]);
    expect(values).toContain('data-dir');
    expect(values).toContain('pollInterval');
    expect(booleans).toContain('teardown-on-failure');
    expect(booleans).toContain('dryRun');
  });
});
