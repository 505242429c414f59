import { CreateLogGroupCommand, CreateLogStreamCommand, PutLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { CreateJobCommand, StartJobRunCommand } from '@aws-sdk/client-glue';
import { beforeAll, describe, expect, it } from 'vitest';
import { useEmulator } from './support/harness.js';

const STACK = 'logs-stack';
const JOB = `${STACK}-features`;
const OUTPUT = '/aws-glue/jobs/output';
const ERROR = '/aws-glue/jobs/error';
const REPORT = 'RUN_REPORT {"job_name":"logs-stack-features","rows":{"read":22,"written":20,"rejected":2}}';
/** An hour ago, to the second: CloudWatch Logs refuses events from the future or weeks back. */
const T0 = Math.floor(Date.now() / 1000) * 1000 - 3_600_000;
const at = (ms: number): string => new Date(T0 + ms).toISOString();

/** `provisioner logs` reading the streams Glue would write, written here into moto's CloudWatch Logs. */
describe('provisioner logs', () => {
  // The CLI reads moto's CloudWatch Logs directly: nothing here counts its requests.
  const stack = useEmulator({ proxy: 'none' });
  let firstRun: string;
  let lastRun: string;

  const write = async (group: string, stream: string, lines: [number, string][]) => {
    await stack.aws.logs.send(new CreateLogStreamCommand({ logGroupName: group, logStreamName: stream }));
    await stack.aws.logs.send(new PutLogEventsCommand({ logGroupName: group, logStreamName: stream, logEvents: lines.map(([ms, message]) => ({ timestamp: T0 + ms, message })) }));
  };

  beforeAll(async () => {
    // Only the job matters to `logs`: made here directly rather than through a whole `up`.
    await stack.aws.glue.send(new CreateJobCommand({ Name: JOB, Role: 'arn:aws:iam::123456789012:role/r', Command: { Name: 'glueetl', ScriptLocation: 's3://b/job.py' } }));
    firstRun = (await stack.aws.glue.send(new StartJobRunCommand({ JobName: JOB }))).JobRunId!;
    lastRun = (await stack.aws.glue.send(new StartJobRunCommand({ JobName: JOB }))).JobRunId!;
    await stack.aws.logs.send(new CreateLogGroupCommand({ logGroupName: OUTPUT }));
    await stack.aws.logs.send(new CreateLogGroupCommand({ logGroupName: ERROR }));
    await write(OUTPUT, lastRun, [
      [1_000, 'reading raw/flights'],
      [5_000, REPORT],
    ]);
    await write(ERROR, lastRun, [
      [2_000, 'INFO SparkContext: Running Spark version 3.5.4'],
      [4_000, 'WARN TaskSetManager: Lost task 0.0'],
    ]);
    await write(ERROR, `${lastRun}_g-7`, [[3_000, 'INFO Executor: Running task 0.0']]);
    await write(OUTPUT, firstRun, [[500, 'the first run']]);
  });

  const cli = (...args: string[]) => stack.cli([...args, '--name', STACK]);

  it('shows the newest run\'s output and error streams, oldest first, and no other run\'s', async () => {
    const result = await cli('logs');
    expect(result.code, result.stderr).toBe(0);
    const lines = result.stdout.trim().split('\n');
    expect(lines[0]).toMatch(new RegExp(`^job ${JOB}, run ${lastRun}: `));
    expect(lines.slice(1)).toEqual([
      `${at(1_000)} out reading raw/flights`,
      `${at(2_000)} err INFO SparkContext: Running Spark version 3.5.4`,
      `${at(3_000)} err [g-7] INFO Executor: Running task 0.0`,
      `${at(4_000)} err WARN TaskSetManager: Lost task 0.0`,
      `${at(5_000)} out ${REPORT}`,
    ]);
    expect(result.stdout).not.toContain('the first run');
    // Not a terminal: no colour codes in what a script reads.
    expect(result.stdout).not.toContain('\u001b[');
  });

  it('highlights the run report line on a terminal', async () => {
    const result = await stack.cliOnTerminal(['logs', '--name', STACK]);
    expect(result.code, result.stdout).toBe(0);
    expect(result.stdout).toContain(`\u001b[1;32m${at(5_000)} out ${REPORT}\u001b[0m`);
    expect(result.stdout).toContain(`${at(1_000)} out reading raw/flights\r\n`);
  });

  it('shows a given run with --run', async () => {
    const result = await cli('logs', '--run', firstRun);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout.trim().split('\n').slice(1)).toEqual([`${at(500)} out the first run`]);
  });

  it('prints the lines and the parsed run report as JSON with --json', async () => {
    const result = await cli('logs', '--json');
    expect(result.code, result.stderr).toBe(0);
    const parsed = JSON.parse(result.stdout);
    expect(parsed).toMatchObject({ job: JOB, runId: lastRun, runReport: { rows: { read: 22, written: 20, rejected: 2 } } });
    expect(parsed.events[2]).toEqual({ time: at(3_000), source: 'error', stream: `${lastRun}_g-7`, message: 'INFO Executor: Running task 0.0' });
  });

  it('follows a run until it has ended, showing each line once', async () => {
    const result = await cli('logs', '--follow', '--poll-interval', '0.2');
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout.match(/RUN_REPORT/g)).toHaveLength(1);
    expect(result.stdout.match(/reading raw\/flights/g)).toHaveLength(1);
    expect(result.stderr).toMatch(new RegExp(`job run ${lastRun} ended SUCCEEDED`));
  });

  it('refuses a run the job does not have, and a stack whose job never ran, in one line (exit 2)', async () => {
    const unknown = `jr_${'0'.repeat(64)}`;
    const result = await cli('logs', '--run', unknown);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`invalid --run "${unknown}": job ${JOB} has no such run`);

    const other = await stack.cli(['logs', '--name', 'no-such-stack']);
    expect(other.code).toBe(2);
    expect(other.stderr).toContain('job no-such-stack-features does not exist: run `provisioner up` first');
  });
});
