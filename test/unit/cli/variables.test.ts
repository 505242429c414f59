import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { main } from '../../../src/cli/main.js';
import { cycle } from '../../../src/commands/cycle.js';
import { exportResults, verifyExported } from '../../../src/commands/export.js';
import { logs } from '../../../src/commands/logs.js';
import { report } from '../../../src/commands/report.js';
import { runLocally, runPipelineToEnd, startPipelineRun } from '../../../src/commands/run.js';
import { runManifestStatus, status } from '../../../src/commands/status.js';
import { teardown } from '../../../src/commands/teardown.js';
import { unlock } from '../../../src/commands/unlock.js';
import { up } from '../../../src/commands/up.js';
import { KNOWN_FLAGS } from '../../../src/cli/option-sources.js';
import { variableName } from '../../../src/config/variables.js';
import { cleanCliEnvironment, stderrLines, type CapturedOutput } from '../support/cli.js';

// The commands themselves are not under test: whether they ran, and with what, is.
vi.mock('../../../src/commands/up.js', () => ({ up: vi.fn() }));
vi.mock('../../../src/commands/status.js', () => ({ status: vi.fn(), runManifestStatus: vi.fn() }));
vi.mock('../../../src/commands/teardown.js', () => ({ teardown: vi.fn() }));
vi.mock('../../../src/commands/run.js', () => ({ startPipelineRun: vi.fn(), runPipelineToEnd: vi.fn(), runLocally: vi.fn() }));
vi.mock('../../../src/commands/logs.js', () => ({ logs: vi.fn() }));
vi.mock('../../../src/commands/report.js', () => ({ report: vi.fn() }));
vi.mock('../../../src/commands/export.js', () => ({ exportResults: vi.fn(), verifyExported: vi.fn() }));
vi.mock('../../../src/commands/cycle.js', () => ({ cycle: vi.fn() }));
vi.mock('../../../src/commands/unlock.js', () => ({ unlock: vi.fn() }));

const COMMANDS = [up, status, runManifestStatus, teardown, startPipelineRun, runPipelineToEnd, runLocally, logs, report, exportResults, verifyExported, cycle, unlock];

/** Every command, with what it needs on the command line and the function it runs. */
const INVOCATIONS = [
  [['up'], up],
  [['plan'], up],
  [['status'], status],
  [['teardown'], teardown],
  [['run'], startPipelineRun],
  [['logs'], logs],
  [['report'], report],
  [['export', '--to', 'exported'], exportResults],
  [['cycle', '--to', 'exported'], cycle],
  [['unlock', '0b3f0c9e-1111-4222-8333-944455556666'], unlock],
] as const;

let output: CapturedOutput;
let workDir: string;

beforeEach(async () => {
  // No result to show: what each command was handed is what these tests look at.
  for (const command of COMMANDS) (vi.mocked(command) as unknown as { mockReset(): { mockResolvedValue(value: unknown): void } }).mockReset().mockResolvedValue({ exitCode: 0 });
  output = cleanCliEnvironment();
  workDir = await mkdtemp(path.join(tmpdir(), 'variables-test-'));
});

afterEach(async () => {
  vi.unstubAllEnvs();
  await rm(workDir, { recursive: true, force: true });
});

/** With PROVISIONER_LOCAL set, `run` is the local run; with PROVISIONER_RUN, `status` shows a run's manifest; with PROVISIONER_VERIFY, `export` verifies. */
function withLocal(command: (typeof COMMANDS)[number]): (typeof COMMANDS)[number] {
  if (command === status) return runManifestStatus;
  if (command === exportResults) return verifyExported;
  return command === startPipelineRun ? runLocally : command;
}

/** Runs the command; it must have run, once, and said nothing on stderr beyond `expectedLines`. */
async function ran(argv: readonly string[], command: (typeof COMMANDS)[number], expectedLines = 0): Promise<unknown[]> {
  const code = await main([...argv]);
  expect(code, stderrLines(output).join('\n')).toBe(0);
  expect(command).toHaveBeenCalledTimes(1);
  expect(stderrLines(output), stderrLines(output).join('\n')).toHaveLength(expectedLines);
  return vi.mocked(command).mock.calls[0]!;
}

describe('a variable exported for one command does not break the others', () => {
  // What a CI job exports for the one command that takes it.
  const FOR_ONE_COMMAND = { PROVISIONER_YES: 'true', PROVISIONER_FORCE: 'true', PROVISIONER_TIMEOUT: '30', PROVISIONER_TEARDOWN_ON_FAILURE: 'true' };

  it.each(INVOCATIONS)('%j runs with PROVISIONER_YES, _FORCE, _TIMEOUT and _TEARDOWN_ON_FAILURE set', async (argv, command) => {
    for (const [key, value] of Object.entries(FOR_ONE_COMMAND)) vi.stubEnv(key, value);
    await ran(argv, command);
  });

  it('still hands each variable to the commands that take it', async () => {
    for (const [key, value] of Object.entries(FOR_ONE_COMMAND)) vi.stubEnv(key, value);
    expect((await ran(['teardown'], teardown))[1]).toEqual({ yes: true });
    // `run` takes --timeout only with --wait, which follows the run to its end.
    expect((await ran(['run', '--wait'], runPipelineToEnd))[1]).toMatchObject({ timeoutMinutes: 30 });
    expect((await ran(['export', '--to', 'x'], exportResults))[1]).toMatchObject({ force: true });
    expect((await ran(['cycle', '--to', 'x'], cycle))[1]).toMatchObject({ yes: true, force: true, timeoutMinutes: 30, teardownOnFailure: true });
  });

  it('does not even read a variable of another command: an invalid PROVISIONER_TIMEOUT does not stop plan', async () => {
    vi.stubEnv('PROVISIONER_TIMEOUT', 'soon');
    await ran(['plan'], up);
  });

  it('gives up no --dry-run from PROVISIONER_DRY_RUN under plan, which takes none, and gives one to up', async () => {
    vi.stubEnv('PROVISIONER_DRY_RUN', 'true');
    expect((await ran(['up'], up))[1]).toEqual({ dryRun: true });
  });
});

describe('every command runs with every known variable set', () => {
  /** A valid value for every variable the tool knows, the config file's path among them. */
  async function everyVariable(): Promise<Record<string, string>> {
    const data = path.join(workDir, 'rawdata');
    await mkdir(data);
    const config = path.join(workDir, 'config.json');
    await writeFile(config, '{}');
    return {
      // Every command's options.
      PROVISIONER_NAME: 'every-variable',
      PROVISIONER_REGION: 'eu-west-2',
      PROVISIONER_ENDPOINT_URL: 'http://127.0.0.1:9',
      PROVISIONER_BUCKET: 'every-variable-bucket',
      PROVISIONER_DATA_DIR: data,
      PROVISIONER_JOB_DIR: workDir,
      PROVISIONER_CONTRACT: path.join(data, 'contract.json'),
      PROVISIONER_MAX_BAD_ROWS: '0.5%',
      PROVISIONER_CONFIG: config,
      PROVISIONER_SCHEDULE: 'weekly',
      PROVISIONER_START_ON: 'arrival',
      PROVISIONER_ARRIVAL_MARKER: '_READY',
      PROVISIONER_ROLE_ARN: 'arn:aws:iam::123456789012:role/glue',
      PROVISIONER_KMS_KEY: 'alias/data-key',
      PROVISIONER_WORKER_TYPE: 'G.2X',
      PROVISIONER_WORKERS: '4',
      PROVISIONER_JOB_TIMEOUT: '60',
      PROVISIONER_GLUE_VERSION: '5.1',
      PROVISIONER_EXECUTION_CLASS: 'FLEX',
      PROVISIONER_PYTHON_MODULES: 'pyarrow==17.0.0',
      PROVISIONER_JOB_RUN_QUEUING: 'true',
      PROVISIONER_EXPECTED_MINUTES: '20',
      PROVISIONER_MAX_USD: '50',
      PROVISIONER_DRIFT_THRESHOLD: '0.3',
      PROVISIONER_SPARK_MEMORY: '4g',
      PROVISIONER_RETENTION_DAYS: '7',
      PROVISIONER_ATHENA_SCAN_LIMIT_MB: '100',
      PROVISIONER_PRUNE: 'true',
      PROVISIONER_NOTIFY: 'ops@example.com',
      PROVISIONER_DASHBOARD: 'true',
      PROVISIONER_MAX_REQUESTS: '16',
      PROVISIONER_MAX_MEMORY: '32',
      PROVISIONER_MULTIPART_THRESHOLD: '128',
      PROVISIONER_LOG_LEVEL: 'info',
      PROVISIONER_LOG_FORMAT: 'pretty',
      PROVISIONER_JSON: 'true',
      // The options of one command or a few.
      PROVISIONER_DRY_RUN: 'true',
      PROVISIONER_RUNS: '3',
      PROVISIONER_YES: 'true',
      PROVISIONER_WAIT: 'true',
      PROVISIONER_TIMEOUT: '30',
      PROVISIONER_POLL_INTERVAL: '7',
      PROVISIONER_LOCAL: 'true',
      PROVISIONER_PYTHON: 'python3.11',
      PROVISIONER_RUN: 'jr_0123',
      PROVISIONER_FOLLOW: 'true',
      PROVISIONER_FROM: 'exported',
      PROVISIONER_OUT: 'page.html',
      PROVISIONER_OPEN: 'true',
      PROVISIONER_TO: 'exported',
      PROVISIONER_ONLY: 'features',
      PROVISIONER_FORCE: 'true',
      PROVISIONER_VERIFY: 'true',
      PROVISIONER_TEARDOWN_ON_FAILURE: 'true',
    };
  }

  // All but PROVISIONER_NOTIFY_TOPIC_ARN, which the tests below set in place of PROVISIONER_NOTIFY.
  it('sets every variable some option reads, and no other', async () => {
    expect([...Object.keys(await everyVariable()), 'PROVISIONER_NOTIFY_TOPIC_ARN'].sort()).toEqual(KNOWN_FLAGS.map(variableName).sort());
  });

  it.each(INVOCATIONS)('%j', async (argv, command) => {
    for (const [key, value] of Object.entries(await everyVariable())) vi.stubEnv(key, value);
    const [env] = await ran(argv, withLocal(command));
    expect((env as { settings: { name: string; dashboard: boolean } }).settings).toMatchObject({
      name: 'every-variable',
      dashboard: true,
      workers: 4,
      startOn: 'arrival',
      arrivalMarker: '_READY',
    });
  });

  // The two alert targets exclude each other, so they cannot both be set: this is the other one.
  it.each(INVOCATIONS)('%j with PROVISIONER_NOTIFY_TOPIC_ARN in place of PROVISIONER_NOTIFY', async (argv, command) => {
    for (const [key, value] of Object.entries(await everyVariable())) vi.stubEnv(key, value);
    vi.stubEnv('PROVISIONER_NOTIFY', undefined);
    vi.stubEnv('PROVISIONER_NOTIFY_TOPIC_ARN', 'arn:aws:sns:eu-west-2:123456789012:alerts');
    await ran(argv, withLocal(command));
  });

  it('hands each command the values of the variables it takes', async () => {
    for (const [key, value] of Object.entries(await everyVariable())) vi.stubEnv(key, value);
    expect((await ran(['up'], up))[1]).toEqual({ dryRun: true });
    expect((await ran(['status'], runManifestStatus))[1]).toBe('jr_0123');
    vi.stubEnv('PROVISIONER_RUN', undefined);
    expect((await ran(['status'], status))[1]).toEqual({ runs: 3 });
    vi.stubEnv('PROVISIONER_RUN', 'jr_0123');
    // With PROVISIONER_LOCAL the run is local, which takes the Python and nothing of --wait's.
    expect((await ran(['run'], runLocally))[1]).toEqual({ python: 'python3.11' });
    vi.stubEnv('PROVISIONER_LOCAL', 'false');
    expect((await ran(['run'], runPipelineToEnd))[1]).toEqual({ timeoutMinutes: 30, pollSeconds: 7 });
    vi.stubEnv('PROVISIONER_LOCAL', 'true');
    expect((await ran(['logs'], logs))[1]).toEqual({ runId: 'jr_0123', follow: true, pollSeconds: 7 });
    expect((await ran(['report'], report))[1]).toEqual({ from: 'exported', out: 'page.html', open: true });
    expect((await ran(['export'], verifyExported))[1]).toEqual({ to: 'exported' });
    vi.stubEnv('PROVISIONER_VERIFY', 'false');
    expect((await ran(['export'], exportResults))[1]).toEqual({ to: 'exported', only: 'features', force: true });
  });
});

describe('an unknown PROVISIONER_* variable', () => {
  it.each([
    ['PROVISIONER_DASHBORD', 'PROVISIONER_DASHBOARD'],
    ['PROVISIONER_DATADIR', 'PROVISIONER_DATA_DIR'],
    ['PROVISIONER_WORKER', 'PROVISIONER_WORKERS'],
    ['PROVISIONER_TEARDOWN_ON_FAIL', 'PROVISIONER_TEARDOWN_ON_FAILURE'],
  ])('%s is ignored with one warning naming %s', async (variable, nearest) => {
    vi.stubEnv(variable, 'true');
    await ran(['plan'], up, 1);
    const [line] = stderrLines(output);
    expect(line).toContain(variable);
    expect(line).toContain(`did you mean ${nearest}?`);
  });

  it('is warned about by every command, once', async () => {
    vi.stubEnv('PROVISIONER_DASHBORD', 'true');
    for (const [argv, command] of INVOCATIONS) {
      output.stderr.length = 0;
      vi.mocked(command).mockClear();
      await ran(argv, command, 1);
    }
  });
});
