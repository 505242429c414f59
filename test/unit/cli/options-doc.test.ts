import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { BEGIN_MARKER, END_MARKER, optionsDoc } from '../../../src/cli/options-doc.js';
import { commandOptions } from '../../../src/cli/command-options.js';
import { OPTIONS } from '../../../src/config/options.js';

/** README.md's list of options, between the markers scripts/options-doc.mjs writes between. */
function readmeList(): string {
  const readme = readFileSync('README.md', 'utf8');
  const begin = readme.indexOf(BEGIN_MARKER);
  const end = readme.indexOf(END_MARKER);
  expect(begin, 'README.md has the start marker').toBeGreaterThanOrEqual(0);
  expect(end, 'README.md has the end marker after it').toBeGreaterThan(begin);
  return readme.slice(begin + BEGIN_MARKER.length, end).trim();
}

describe("README.md's list of options", () => {
  it('is the one the option tables give (run `make docs` to write it)', () => {
    expect(readmeList()).toBe(optionsDoc().trim());
  });

  it('has a row for every option of the table and of every command', () => {
    const rows = optionsDoc().split('\n').filter((line) => line.startsWith('| `--'));
    const flags = rows.map((line) => /^\| `--([a-z-]+)`/.exec(line)![1]);
    expect(new Set(flags)).toEqual(new Set([...Object.values(OPTIONS).map((spec) => spec.flag), ...commandOptions().map(([, flag]) => flag)]));
  });

  it("gives an option without a default README's words for what leaving it out means", () => {
    expect(optionsDoc()).toContain('| `--region` | `AWS_REGION` / profile |');
    expect(optionsDoc()).toContain('| `--dashboard` | off |');
    expect(optionsDoc()).toContain('| `--workers` | `auto` |');
  });
});
