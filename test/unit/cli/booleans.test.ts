import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { main } from '../../../src/cli/main.js';
import { up } from '../../../src/commands/up.js';
import { teardown } from '../../../src/commands/teardown.js';
import { cleanCliEnvironment, stderrLines, type CapturedOutput } from '../support/cli.js';

// The commands themselves are not under test: what they were handed is.
vi.mock('../../../src/commands/up.js', () => ({ up: vi.fn() }));
vi.mock('../../../src/commands/teardown.js', () => ({ teardown: vi.fn() }));

let output: CapturedOutput;
let workDir: string;

beforeEach(async () => {
  vi.mocked(up).mockReset().mockResolvedValue({ exitCode: 0 });
  vi.mocked(teardown).mockReset().mockResolvedValue({ exitCode: 0 });
  output = cleanCliEnvironment();
  workDir = await mkdtemp(path.join(tmpdir(), 'booleans-test-'));
});

afterEach(async () => {
  vi.unstubAllEnvs();
  await rm(workDir, { recursive: true, force: true });
});

/** The settings `plan` ran with. */
async function planSettings(argv: string[] = []) {
  await expect(main(['plan', ...argv]), stderrLines(output).join('\n')).resolves.toBe(0);
  expect(up).toHaveBeenCalledTimes(1);
  return vi.mocked(up).mock.calls[0]![0].settings;
}

async function configFile(content: Record<string, unknown>): Promise<string> {
  const file = path.join(workDir, 'config.json');
  await writeFile(file, JSON.stringify(content));
  return file;
}

const TRUE_WORDS = ['true', '1', 'yes', 'on', 'TRUE', 'Yes', 'ON'];
const FALSE_WORDS = ['false', '0', 'no', 'off', 'FALSE', 'No', 'Off'];

describe('a boolean setting reads the words people write for yes and no', () => {
  it.each(TRUE_WORDS)('PROVISIONER_DASHBOARD=%s turns the dashboard on', async (word) => {
    vi.stubEnv('PROVISIONER_DASHBOARD', word);
    expect((await planSettings()).dashboard).toBe(true);
  });

  it.each(FALSE_WORDS)('PROVISIONER_DASHBOARD=%s leaves it off', async (word) => {
    vi.stubEnv('PROVISIONER_DASHBOARD', word);
    expect((await planSettings()).dashboard).toBe(false);
  });

  it.each([
    ['PROVISIONER_JOB_RUN_QUEUING', 'jobRunQueuing'],
    ['PROVISIONER_PRUNE', 'prune'],
    ['PROVISIONER_JSON', 'json'],
  ] as const)('%s=yes turns %s on, as every boolean setting does', async (variable, setting) => {
    vi.stubEnv(variable, 'yes');
    expect((await planSettings())[setting]).toBe(true);
  });

  const CONFIG_VALUES: [unknown, boolean][] = [...TRUE_WORDS.map((word): [unknown, boolean] => [word, true]), ...FALSE_WORDS.map((word): [unknown, boolean] => [word, false]), [1, true], [0, false], [true, true]];
  it.each(CONFIG_VALUES)(
    'reads %j in the config file as %s',
    async (value, wanted) => {
      expect((await planSettings(['--config', await configFile({ dashboard: value })])).dashboard).toBe(wanted);
    },
  );

  it.each([
    [['--dashboard'], true],
    [['--no-dashboard'], false],
    [['--dashboard=yes'], true],
    [['--dashboard=On'], true],
    [['--dashboard=1'], true],
    [['--dashboard=no'], false],
    [['--dashboard=0'], false],
    [['--dashboard', 'yes'], true],
    [['--dashboard', 'off'], false],
    [['--dashboard', 'false'], false],
  ])('reads the flag %j as %s', async (argv, wanted) => {
    expect((await planSettings(argv)).dashboard).toBe(wanted);
  });

  it('reads the words for the options of a command too: PROVISIONER_YES=yes confirms a teardown', async () => {
    vi.stubEnv('PROVISIONER_YES', 'yes');
    await expect(main(['teardown'])).resolves.toBe(0);
    expect(vi.mocked(teardown).mock.calls[0]![1]).toEqual({ yes: true });
  });
});

describe('a boolean setting refuses any other value, naming the option, the value and the words it takes', () => {
  const ACCEPTED = 'valid values are true, false, 1, 0, yes, no, on, off (any case)';

  async function refused(argv: string[], text: string): Promise<void> {
    await expect(main(argv)).resolves.toBe(2);
    const lines = stderrLines(output);
    expect(lines, lines.join('\n')).toHaveLength(1);
    expect(lines[0]).toContain(text);
    expect(lines[0]).toContain(ACCEPTED);
    expect(up).not.toHaveBeenCalled();
    expect(teardown).not.toHaveBeenCalled();
  }

  it.each(['maybe', '', '2', 'y', 'enabled', ' yes'])('PROVISIONER_DASHBOARD=%j', async (word) => {
    vi.stubEnv('PROVISIONER_DASHBOARD', word);
    await refused(['plan'], `invalid --dashboard ${JSON.stringify(word)}`);
  });

  it.each([
    ['maybe', 'invalid --dashboard "maybe"'],
    ['', 'invalid --dashboard ""'],
    [2, 'invalid --dashboard 2'],
    [[true], 'invalid --dashboard [true]'],
  ])('%j in the config file', async (value, text) => {
    await refused(['plan', '--config', await configFile({ dashboard: value })], text);
  });

  it.each([
    [['--dashboard=maybe'], 'invalid --dashboard "maybe"'],
    [['--dashboard='], 'invalid --dashboard ""'],
    [['--prune=2'], 'invalid --prune "2"'],
  ])('the flag %j', async (argv, text) => {
    await refused(['plan', ...argv], text);
  });

  it('PROVISIONER_YES=sure, which must not confirm a teardown and must not pass as a no either', async () => {
    vi.stubEnv('PROVISIONER_YES', 'sure');
    await refused(['teardown'], 'invalid --yes "sure"');
  });
});
