import { FilterLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { GetJobRunCommand, GetJobRunsCommand } from '@aws-sdk/client-glue';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { main } from '../../../src/cli/main.js';
import { cleanCliEnvironment } from '../support/cli.js';
import { mockEveryClient, sentThrough } from '../support/sdk.js';

/** main() as in main.test.ts: every SDK client class mocked, an endpoint nothing listens on. */
const mocks = mockEveryClient();
const allCalls = (): string[] => sentThrough(mocks);

const RUN = `jr_${'5'.repeat(64)}`;
let stderr: string[];
let stdout: string[];
let stdoutTty: boolean | undefined;

beforeEach(() => {
  for (const mock of Object.values(mocks)) mock.reset();
  ({ stderr, stdout } = cleanCliEnvironment());
  // Colour on, as on a terminal that takes it.
  vi.stubEnv('NO_COLOR', undefined);
  vi.stubEnv('TERM', 'xterm');
  stdoutTty = process.stdout.isTTY;
  mocks.sts.on(GetCallerIdentityCommand).resolves({ Account: '123456789012', Arn: 'arn:aws:iam::123456789012:user/me' });
});

afterEach(() => {
  vi.unstubAllEnvs();
  process.stdout.isTTY = stdoutTty as boolean;
});

function jobWithRun(state = 'FAILED'): void {
  mocks.glue.on(GetJobRunsCommand).resolves({ JobRuns: [{ Id: RUN, JobRunState: state as 'FAILED', StartedOn: new Date('2027-04-01T06:00:00Z') }] });
  mocks.glue.on(GetJobRunCommand).resolves({ JobRun: { Id: RUN, JobRunState: state as 'FAILED' } });
  mocks.logs.on(FilterLogEventsCommand).callsFake((input: { logGroupName: string }) => ({
    events:
      input.logGroupName === '/aws-glue/jobs/output'
        ? [{ logStreamName: RUN, timestamp: Date.UTC(2027, 3, 1, 6, 5), message: 'RUN_REPORT {"rows":{"read":10,"written":9,"rejected":1}}', eventId: '1' }]
        : [{ logStreamName: RUN, timestamp: Date.UTC(2027, 3, 1, 6, 6), message: 'Traceback: boom', eventId: '2' }],
  }));
}

describe('provisioner logs', () => {
  it('prints the newest run\'s lines, the run report in bold green on a terminal', async () => {
    jobWithRun();
    process.stdout.isTTY = true;
    await expect(main(['logs'])).resolves.toBe(0);
    const out = stdout.join('');
    expect(out).toContain(`job flight-delays-features, run ${RUN}: FAILED`);
    expect(out).toContain('\u001b[1;32m2027-04-01T06:05:00.000Z out RUN_REPORT {"rows":{"read":10,"written":9,"rejected":1}}\u001b[0m');
    expect(out).toContain('2027-04-01T06:06:00.000Z err Traceback: boom');
  });

  it('prints no colour off a terminal, nor with NO_COLOR', async () => {
    jobWithRun();
    process.stdout.isTTY = false;
    await main(['logs']);
    process.stdout.isTTY = true;
    vi.stubEnv('NO_COLOR', '1');
    await main(['logs']);
    expect(stdout.join('')).not.toContain('\u001b[');
  });

  it('prints one JSON object with --json, the run report parsed', async () => {
    jobWithRun();
    await expect(main(['logs', '--json', '--run', RUN])).resolves.toBe(0);
    const result = JSON.parse(stdout.join(''));
    expect(result).toMatchObject({ job: 'flight-delays-features', runId: RUN, state: 'FAILED', runReport: { rows: { read: 10, written: 9, rejected: 1 } } });
    expect(result.events).toHaveLength(2);
  });

  it('follows a run until it has ended, then exits 0', async () => {
    jobWithRun('SUCCEEDED');
    await expect(main(['logs', '--follow', '--poll-interval', '0.01'])).resolves.toBe(0);
    const out = stdout.join('');
    expect(out.match(/RUN_REPORT/g)).toHaveLength(1);
    expect(stderr.join('')).toContain(`job run ${RUN} ended SUCCEEDED`);
  });

  it.each([
    [['logs', '--run', 'wr_1'], 'invalid --run "wr_1": expected a Glue job run id'],
    [['logs', '--run'], 'invalid --run "": expected a Glue job run id'],
    [['logs', '--follow', '--poll-interval', '0'], 'invalid --poll-interval 0: expected a number greater than 0'],
    [['up', '--notify', 'not-an-address'], 'invalid --notify "not-an-address": not an email address'],
    [['up', '--notify-topic-arn', 'ops'], 'invalid --notify-topic-arn "ops"'],
  ])('refuses %j before any AWS call, in one line (exit 2)', async (argv, message) => {
    mocks.sts.reset();
    await expect(main(argv)).resolves.toBe(2);
    expect(stderr.join('')).toContain(message);
    expect(allCalls()).toEqual([]);
  });

  it('accepts --notify given twice: yargs hands over a list, which the option table takes', async () => {
    // Resolved settings are what up would use; plan with a missing data dir stops before AWS.
    await expect(main(['plan', '--notify', 'a@example.com', '--notify', 'b@example.com', '--data-dir', '/nonexistent/data'])).resolves.toBe(2);
    expect(stderr.join('')).not.toContain('--notify');
  });
});
