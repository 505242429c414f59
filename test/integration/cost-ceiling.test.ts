import path from 'node:path';
import { GetJobCommand, StartJobRunCommand } from '@aws-sdk/client-glue';
import { CreateLogGroupCommand, FilterLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { CreateEventBusCommand, DescribeRuleCommand, ListTargetsByRuleCommand, PutEventsCommand, PutRuleCommand, PutTargetsCommand } from '@aws-sdk/client-eventbridge';
import { GetTopicAttributesCommand } from '@aws-sdk/client-sns';
import { beforeAll, describe, expect, it } from 'vitest';
import { useEmulator } from './support/harness.js';
import type { LoggedRequest } from './support/request-log.js';
import { loadShapes, requestProblems } from './support/service-shapes.js';

const STACK = 'ceiling-stack';
const ACCOUNT = '123456789012';
const REGION = 'us-east-1';
const JOB = `${STACK}-features`;
const TOPIC_ARN = `arn:aws:sns:${REGION}:${ACCOUNT}:${STACK}-alerts`;
const FAILED_RULE = `${STACK}-job-failed`;
const CEILING_RULE = `${STACK}-job-ceiling`;
const NOTIFY = ['--notify', 'ops@example.com'];
// The tiny data asks for 2 G.1X workers: $0.44 a DPU-hour makes a minute $0.014667, so $0.50 buys 34 minutes.
const MAX_USD = ['--max-usd', '0.5'];
const CEILING_MINUTES = 34;

/** EventBridge's request shapes as botocore publishes them (scripts/glue_shapes.py). */
const EVENTS = loadShapes(path.resolve('test/integration/fixtures/events-shapes.json'));

/**
 * The job run Glue would report once it stopped a run at its timeout. Moto never ends a run that
 * way (its runs go from RUNNING to SUCCEEDED) nor copies the job's timeout or workers into it, so
 * the proxy answers the run reads with it while `timedOut` is set (answer).
 */
let timedOut: { id: string; startedOn: number } | undefined;
function timedOutRun() {
  return {
    Id: timedOut!.id,
    JobName: JOB,
    JobRunState: 'TIMEOUT',
    StartedOn: timedOut!.startedOn,
    CompletedOn: timedOut!.startedOn + CEILING_MINUTES * 60,
    ExecutionTime: CEILING_MINUTES * 60,
    Timeout: CEILING_MINUTES,
    WorkerType: 'G.1X',
    NumberOfWorkers: 2,
    ExecutionClass: 'STANDARD',
    ErrorMessage: 'Job run timed out',
  };
}
function answer(request: LoggedRequest) {
  if (request.service !== 'glue') return undefined;
  // Moto has no UpdateJob: the proxy answers as Glue does (job-settings.test.ts checks its shape).
  if (request.operation === 'UpdateJob') return { status: 200, body: JSON.stringify({ JobName: JOB }) };
  if (!timedOut) return undefined;
  if (request.operation === 'GetJobRuns') return { status: 200, body: JSON.stringify({ JobRuns: [timedOutRun()] }) };
  if (request.operation === 'GetJobRun') return { status: 200, body: JSON.stringify({ JobRun: timedOutRun() }) };
  return undefined;
}

const jobEvent = (state: string) => ({
  Source: 'aws.glue',
  DetailType: 'Glue Job State Change',
  Detail: JSON.stringify({ jobName: JOB, state, severity: 'ERROR', jobRunId: `jr_${'c'.repeat(64)}`, message: `${JOB} ${state}` }),
  Resources: [],
});

/** --max-usd against moto: the ceiling rule, each run's cost beside its ceiling, and exit 3 for a run the ceiling stopped. */
describe('the cost ceiling', () => {
  const stack = useEmulator({ region: REGION, requestLog: { respond: answer }, motoPatches: ['s3-eventbridge-readback'] });
  let dataDir: string;
  let jobDir: string;

  beforeAll(() => {
    dataDir = stack.temp.tinyRawData('ceiling-data').dir;
    jobDir = stack.temp.jobCopy('ceiling-job');
  });
  const cli = (...args: string[]) => stack.cli([...args, '--name', STACK, '--data-dir', dataDir, '--job-dir', jobDir]);
  const pattern = async (rule: string) => JSON.parse((await stack.aws.events.send(new DescribeRuleCommand({ Name: rule }))).EventPattern!);

  it('up --notify --max-usd sets the timeout and adds a rule for the TIMEOUT it causes, which the failure rule leaves to it', async () => {
    stack.log.clear();
    const result = await cli('up', ...NOTIFY, ...MAX_USD);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain(`+ create rule      ${CEILING_RULE}`);
    expect((await stack.aws.glue.send(new GetJobCommand({ JobName: JOB }))).Job?.Timeout).toBe(CEILING_MINUTES);

    expect((await pattern(FAILED_RULE)).detail.state).toEqual(['FAILED', 'STOPPED', 'ERROR']);
    expect((await pattern(CEILING_RULE)).detail).toEqual({ jobName: [JOB], state: ['TIMEOUT'] });
    const [target, ...others] = (await stack.aws.events.send(new ListTargetsByRuleCommand({ Rule: CEILING_RULE }))).Targets ?? [];
    expect(others).toEqual([]);
    expect(target?.Arn).toBe(TOPIC_ARN);
    expect(target?.InputTransformer?.InputTemplate).toContain(`was stopped by the cost ceiling of $0.50 (--max-usd) after ${CEILING_MINUTES} min.`);
    // The topic lets every one of the stack's failure rules publish, the ceiling rule's included.
    const policy = JSON.parse((await stack.aws.sns.send(new GetTopicAttributesCommand({ TopicArn: TOPIC_ARN }))).Attributes!.Policy!);
    expect(policy.Statement[0].Condition.ArnEquals['aws:SourceArn']).toContain(`arn:aws:events:${REGION}:${ACCOUNT}:rule/${CEILING_RULE}`);

    const sent = stack.log.requests.filter((r) => r.service === 'events' && (r.operation === 'PutRule' || r.operation === 'PutTargets'));
    expect(sent.filter((r) => r.body.includes(CEILING_RULE))).toHaveLength(2);
    expect(sent.flatMap((r) => requestProblems(EVENTS, r.operation, r.body))).toEqual([]);
  });

  it("a job run's TIMEOUT reaches the ceiling rule and no other, each other failure the failure rule", async () => {
    // Moto cannot deliver to SNS: each rule's own pattern goes on a probe rule sending to a log group.
    await stack.aws.events.send(new CreateEventBusCommand({ Name: 'probe' }));
    for (const rule of [FAILED_RULE, CEILING_RULE]) {
      const { EventPattern } = await stack.aws.events.send(new DescribeRuleCommand({ Name: rule }));
      await stack.aws.logs.send(new CreateLogGroupCommand({ logGroupName: `/probe/${rule}` }));
      await stack.aws.events.send(new PutRuleCommand({ Name: `probe-${rule}`, EventBusName: 'probe', EventPattern }));
      await stack.aws.events.send(
        new PutTargetsCommand({ Rule: `probe-${rule}`, EventBusName: 'probe', Targets: [{ Id: 'log', Arn: `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:/probe/${rule}` }] }),
      );
    }
    const states = ['FAILED', 'TIMEOUT', 'STOPPED', 'ERROR', 'SUCCEEDED'];
    const put = await stack.aws.events.send(new PutEventsCommand({ Entries: states.map((state) => ({ ...jobEvent(state), EventBusName: 'probe' })) }));
    expect(put.FailedEntryCount).toBe(0);
    const delivered = async (rule: string) =>
      ((await stack.aws.logs.send(new FilterLogEventsCommand({ logGroupName: `/probe/${rule}` }))).events ?? []).map((e) => (JSON.parse(e.message!) as { detail: { state: string } }).detail.state).sort();
    expect(await delivered(FAILED_RULE)).toEqual(['ERROR', 'FAILED', 'STOPPED']);
    expect(await delivered(CEILING_RULE)).toEqual(['TIMEOUT']);
  });

  it("status shows each job run's cost beside the ceiling that was in force", async () => {
    // The run as Glue starts it for this job: its timeout and workers are recorded with it.
    await stack.aws.glue.send(new StartJobRunCommand({ JobName: JOB, Timeout: CEILING_MINUTES, WorkerType: 'G.1X', NumberOfWorkers: 2 }));
    const result = await cli('status', ...NOTIFY, ...MAX_USD, '--json');
    expect(result.code, result.stderr).toBe(0);
    const report = JSON.parse(result.stdout);
    // 34 minutes of 2 DPU at $0.44 a DPU-hour.
    expect(report.jobRuns[0].ceiling).toEqual({ timeoutMinutes: CEILING_MINUTES, usd: 0.498667, maxUsd: 0.5, hit: false });
    expect(report.alerts).toMatchObject({ wired: true, problems: [] });
    const text = await cli('status', ...NOTIFY, ...MAX_USD);
    expect(text.stdout).toContain(`of ceiling $0.50 (--max-usd, ${CEILING_MINUTES} min)`);
    // Without --max-usd the same run's ceiling is its timeout's.
    const plain = JSON.parse((await cli('status', ...NOTIFY, '--json')).stdout);
    expect(plain.jobRuns[0].ceiling).toEqual({ timeoutMinutes: CEILING_MINUTES, usd: 0.498667, maxUsd: null, hit: false });
  });

  it('run --wait on a run the ceiling stopped says so and exits 3', async () => {
    timedOut = { id: `jr_${'d'.repeat(64)}`, startedOn: Math.floor(Date.now() / 1000) };
    try {
      const result = await cli('run', '--wait', ...NOTIFY, ...MAX_USD, '--timeout', '1', '--poll-interval', '0.2', '--json');
      expect(result.code, result.stderr).toBe(3);
      expect(result.stderr).toContain(`job run ${timedOut.id} stopped by the cost ceiling of $0.50 (--max-usd) after ${CEILING_MINUTES} min`);
      expect(JSON.parse(result.stdout)).toMatchObject({ succeeded: false, stoppedByCeiling: true, timedOut: false });

      // The same run judged with a --job-timeout shorter than what $0.50 buys: an ordinary failure.
      const other = await cli('run', '--wait', ...NOTIFY, '--max-usd', '5', '--job-timeout', String(CEILING_MINUTES), '--timeout', '1', '--poll-interval', '0.2');
      expect(other.code).toBe(1);
      expect(other.stdout).toMatch(/job run \S+ TIMEOUT: Job run timed out/);
    } finally {
      timedOut = undefined;
    }
  });

  it('up without --max-usd deletes the ceiling rule and gives TIMEOUT back to the failure rule', async () => {
    const result = await cli('up', ...NOTIFY);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain(`- delete rule      ${CEILING_RULE}`);
    expect(result.stdout).toContain(`~ update rule      ${FAILED_RULE}  (event pattern)`);
    await expect(stack.aws.events.send(new DescribeRuleCommand({ Name: CEILING_RULE }))).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
    expect((await pattern(FAILED_RULE)).detail.state).toEqual(['FAILED', 'TIMEOUT', 'STOPPED', 'ERROR']);
  });

  it('teardown finds and deletes the ceiling rule whatever the flags', async () => {
    expect((await cli('up', ...NOTIFY, ...MAX_USD)).code).toBe(0);
    const result = await stack.cli(['teardown', '--yes', '--name', STACK]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain(`- deleted  rule ${CEILING_RULE}`);
    await expect(stack.aws.events.send(new DescribeRuleCommand({ Name: CEILING_RULE }))).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
  });
});
