import { OPTIONS } from '../config/options.js';
import { variableName } from '../config/variables.js';
import { commandOptions, type CommandOption } from './command-options.js';

/**
 * README.md's list of options, written from the option tables (config/options.ts and
 * cli/command-options.ts) by scripts/options-doc.mjs, between the two markers below; a unit test
 * fails when README.md's copy differs, so the list cannot drift from the options.
 */
export const BEGIN_MARKER = '<!-- options: written by `make docs` from the option tables; edit those, not this list -->';
export const END_MARKER = '<!-- end of options -->';

/** The Markdown between the markers, without them. */
export function optionsDoc(): string {
  return [globalTable(), '', commandsIntro(), '', commandTable()].join('\n');
}

/** The options every command takes. */
function globalTable(): string {
  const rows = Object.values(OPTIONS).map((spec) => {
    const shown = spec.unset ?? shownDefault(spec.default);
    return row([`\`--${spec.flag}\``, shown, spec.doc]);
  });
  return ['| option | default | meaning |', '|--------|---------|---------|', ...rows].join('\n');
}

function commandsIntro(): string {
  return [
    "A command's own options are read the same way, from a flag, a variable, the config file or the",
    'default, and only by the commands that take them: any other command ignores their variables.',
  ].join('\n');
}

/** Each command's own options, one row per flag, with its variable and the commands that take it. */
function commandTable(): string {
  const byFlag = new Map<string, [string, CommandOption][]>();
  for (const [command, flag, spec] of commandOptions()) byFlag.set(flag, [...(byFlag.get(flag) ?? []), [command, spec]]);
  const rows = [...byFlag].map(([flag, uses]) => {
    const commands = uses.map(([command]) => `\`${command}\``).join(', ');
    return row([`\`--${flag}\``, `\`${variableName(flag)}\``, commands, defaults(uses)]);
  });
  return ['| option | variable | commands | default |', '|--------|----------|----------|---------|', ...rows].join('\n');
}

/** The default, or each command's where they differ (`--poll-interval`: 15 for run and cycle, 5 for logs). */
function defaults(uses: readonly [string, CommandOption][]): string {
  const commandsBy = new Map<string, string[]>();
  for (const [command, spec] of uses) {
    // A command option without a default means something of its own (--run: the newest run), told in --help.
    const shown = spec.demandOption ? 'required' : spec.default === undefined ? '–' : shownDefault(spec.default);
    commandsBy.set(shown, [...(commandsBy.get(shown) ?? []), command]);
  }
  if (commandsBy.size === 1) return [...commandsBy.keys()][0]!;
  return [...commandsBy].map(([shown, commands]) => `${shown} (${commands.map((command) => `\`${command}\``).join(', ')})`).join(', ');
}

function shownDefault(value: string | number | boolean | undefined): string {
  if (value === undefined) return 'none';
  if (typeof value === 'boolean') return value ? 'on' : 'off';
  return `\`${value}\``;
}

function row(cells: readonly string[]): string {
  return `| ${cells.join(' | ')} |`;
}
