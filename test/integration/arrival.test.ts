import path from 'node:path';
import { CreateLogGroupCommand, FilterLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { DescribeRuleCommand, ListTargetsByRuleCommand, PutRuleCommand, PutTargetsCommand } from '@aws-sdk/client-eventbridge';
import { GetTriggerCommand, GetWorkflowCommand } from '@aws-sdk/client-glue';
import { GetRoleCommand, GetRolePolicyCommand } from '@aws-sdk/client-iam';
import { GetBucketNotificationConfigurationCommand } from '@aws-sdk/client-s3';
import { beforeAll, describe, expect, it } from 'vitest';
import { arrivalPattern } from '../../src/resources/arrival.js';
import { useEmulator } from './support/harness.js';
import { loadShapes, requestProblems } from './support/service-shapes.js';

const STACK = 'arrival-stack';
const ACCOUNT = '123456789012';
const REGION = 'us-east-1';
const BUCKET = `${STACK}-${ACCOUNT}-${REGION}`;
const RULE = `${STACK}-on-arrival`;
const TRIGGER = `${STACK}-on-arrival`;
const ROLE = `${STACK}-events-role`;
const WORKFLOW = `${STACK}-pipeline`;
const WORKFLOW_ARN = `arn:aws:glue:${REGION}:${ACCOUNT}:workflow/${WORKFLOW}`;
const PROBE_GROUP = '/probe/arrivals';
/** EventBridge's and Glue's request shapes as botocore publishes them (scripts/glue_shapes.py). */
const EVENTS = loadShapes(path.resolve('test/integration/fixtures/events-shapes.json'));
const GLUE_TRIGGER = loadShapes(path.resolve('test/integration/fixtures/glue-trigger-shapes.json'));

interface Change {
  kind: string;
  name: string;
  action: string;
}

/**
 * --start-on arrival against moto, as far as moto goes. Moto delivers S3's "Object Created" events
 * to EventBridge once the bucket's EventBridgeConfiguration is set, and EventBridge's to Logs and SQS
 * targets only: a Glue workflow target raises inside moto and stops the event reaching any rule
 * after it. So a probe rule, made before `up` makes the stack's (moto tries rules in the order they
 * were made), carries the very pattern the stack's rule gets and sends to a log group of the test's;
 * the stack's rule is checked to hold that same pattern. Moto hides EventBridgeConfiguration when
 * read back, so this file starts moto with the s3-eventbridge-readback patch (scripts/moto_patches.py).
 */
describe('a quarter starts when it arrives', () => {
  const stack = useEmulator({ region: REGION, motoPatches: ['s3-eventbridge-readback'] });
  let dataDir: string;
  let jobDir: string;

  beforeAll(async () => {
    dataDir = stack.temp.tinyRawData('arrival-data').dir;
    jobDir = stack.temp.jobCopy('arrival-job');
    await stack.aws.logs.send(new CreateLogGroupCommand({ logGroupName: PROBE_GROUP }));
    await stack.aws.events.send(new PutRuleCommand({ Name: 'probe-arrivals', EventPattern: JSON.stringify(arrivalPattern(BUCKET, '_DELIVERED')) }));
    await stack.aws.events.send(
      new PutTargetsCommand({ Rule: 'probe-arrivals', Targets: [{ Id: 'log', Arn: `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:${PROBE_GROUP}` }] }),
    );
  });

  const cli = (...args: string[]) => stack.cli([...args, '--name', STACK, '--data-dir', dataDir, '--job-dir', jobDir]);
  const arrivals = async (): Promise<string[]> => {
    const found = (await stack.aws.logs.send(new FilterLogEventsCommand({ logGroupName: PROBE_GROUP }))).events ?? [];
    return found.map((e) => (JSON.parse(e.message!) as { detail: { object: { key: string } } }).detail.object.key);
  };
  const changesOf = (stdout: string): Change[] => (JSON.parse(stdout) as { changes: Change[] }).changes;
  const changed = (changes: readonly Change[]) => changes.filter((c) => c.action !== 'no-op').map((c) => `${c.action} ${c.kind} ${c.name}`);
  const triggerExists = async (name: string) =>
    stack.aws.glue.send(new GetTriggerCommand({ Name: name })).then(
      () => true,
      () => false,
    );

  it('up --start-on arrival builds the start, then writes the marker, whose event alone gets through the pattern', async () => {
    stack.log.clear();
    const result = await cli('up', '--start-on', 'arrival');
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('Wrote raw/_DELIVERED after the upload');
    // Every data file was written before the marker, and none of them matched: only the marker arrived.
    expect(await arrivals()).toEqual(['raw/_DELIVERED']);
    const puts = stack.log.requests.filter((r) => r.service === 's3' && r.method === 'PUT' && r.path.startsWith(`/${BUCKET}/raw/`)).map((r) => r.path);
    expect(puts.at(-1)).toBe(`/${BUCKET}/raw/_DELIVERED`);
  });

  it("the stack's rule holds the probe's pattern and hands the event to the workflow through the events role", async () => {
    const rule = await stack.aws.events.send(new DescribeRuleCommand({ Name: RULE }));
    expect(JSON.parse(rule.EventPattern!)).toEqual(arrivalPattern(BUCKET, '_DELIVERED'));
    expect(rule.State).toBe('ENABLED');
    const targets = (await stack.aws.events.send(new ListTargetsByRuleCommand({ Rule: RULE }))).Targets ?? [];
    expect(targets.map(({ Id, Arn, RoleArn }) => ({ Id, Arn, RoleArn }))).toEqual([{ Id: 'workflow', Arn: WORKFLOW_ARN, RoleArn: `arn:aws:iam::${ACCOUNT}:role/${ROLE}` }]);
    const role = (await stack.aws.iam.send(new GetRoleCommand({ RoleName: ROLE }))).Role!;
    expect(JSON.parse(decodeURIComponent(role.AssumeRolePolicyDocument!)).Statement).toEqual([
      { Effect: 'Allow', Principal: { Service: 'events.amazonaws.com' }, Action: 'sts:AssumeRole' },
    ]);
    const policy = await stack.aws.iam.send(new GetRolePolicyCommand({ RoleName: ROLE, PolicyName: `${STACK}-notify-workflow` }));
    expect(JSON.parse(decodeURIComponent(policy.PolicyDocument!)).Statement).toEqual([{ Sid: 'NotifyWorkflow', Effect: 'Allow', Action: 'glue:notifyEvent', Resource: WORKFLOW_ARN }]);
  });

  it('the workflow starts on an EVENT trigger that starts the crawler, one run at a time, with no schedule', async () => {
    const trigger = (await stack.aws.glue.send(new GetTriggerCommand({ Name: TRIGGER }))).Trigger!;
    expect(trigger).toMatchObject({ Type: 'EVENT', WorkflowName: WORKFLOW, Actions: [expect.objectContaining({ CrawlerName: `${STACK}-raw-crawler` })] });
    expect(await triggerExists(`${STACK}-schedule`)).toBe(false);
    expect((await stack.aws.glue.send(new GetWorkflowCommand({ Name: WORKFLOW }))).Workflow?.MaxConcurrentRuns).toBe(1);
    expect((await stack.aws.s3.send(new GetBucketNotificationConfigurationCommand({ Bucket: BUCKET }))).EventBridgeConfiguration).toEqual({});
  });

  it("every rule, target and trigger request fits botocore's shapes", () => {
    const events = stack.log.requests.filter((r) => r.service === 'events' && (r.operation === 'PutRule' || r.operation === 'PutTargets'));
    const glue = stack.log.requests.filter((r) => r.service === 'glue' && r.operation === 'CreateTrigger');
    expect(events.length).toBeGreaterThanOrEqual(2);
    expect(glue.some((r) => r.body.includes('"EVENT"'))).toBe(true);
    expect([...events.flatMap((r) => requestProblems(EVENTS, r.operation, r.body)), ...glue.flatMap((r) => requestProblems(GLUE_TRIGGER, r.operation, r.body))]).toEqual([]);
  });

  it('a second up changes nothing and writes no marker: nothing was delivered', async () => {
    stack.log.clear();
    const result = await cli('up', '--start-on', 'arrival');
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).not.toContain('_DELIVERED');
    expect(stack.log.mutating().map((r) => `${r.service} ${r.operation}`)).toEqual([]);
    expect(await arrivals()).toEqual(['raw/_DELIVERED']);
  });

  it('status shows the stack starts on arrival and when the marker was written', async () => {
    const result = await cli('status', '--start-on', 'arrival', '--json');
    expect(result.code, result.stderr).toBe(0);
    const start = (JSON.parse(result.stdout) as { start: Record<string, unknown> }).start;
    // Moto fires no EVENT trigger, so no run an arrival started is there to show.
    expect(start).toEqual({ on: 'arrival', marker: 'raw/_DELIVERED', markerWrittenOn: expect.any(String), lastArrivalRun: null });
  });

  it('back on schedule, the plan swaps the start and nothing else; up converges in place', async () => {
    const plan = await cli('plan', '--json');
    expect(plan.code, plan.stderr).toBe(0);
    expect(changed(changesOf(plan.stdout))).toEqual([`create trigger ${STACK}-schedule`, `delete rule ${RULE}`, `delete role ${ROLE}`, `delete trigger ${TRIGGER}`]);
    const up = await cli('up');
    expect(up.code, up.stderr).toBe(0);
    expect(await triggerExists(`${STACK}-schedule`)).toBe(true);
    expect(await triggerExists(TRIGGER)).toBe(false);
    const again = await cli('plan', '--json');
    expect(changed(changesOf(again.stdout))).toEqual([]);
  });

  it('and on arrival again, the same the other way', async () => {
    const plan = await cli('plan', '--start-on', 'arrival', '--json');
    expect(changed(changesOf(plan.stdout))).toEqual([`create trigger ${TRIGGER}`, `create role ${ROLE}`, `create rule ${RULE}`, `delete trigger ${STACK}-schedule`]);
    const up = await cli('up', '--start-on', 'arrival');
    expect(up.code, up.stderr).toBe(0);
    expect(changed(changesOf((await cli('plan', '--start-on', 'arrival', '--json')).stdout))).toEqual([]);
  });

  it('teardown removes the rule with its target, the role and the trigger', async () => {
    const result = await cli('teardown', '--yes', '--json');
    expect(result.code, result.stderr).toBe(0);
    const deleted = (JSON.parse(result.stdout) as { deleted: string[] }).deleted;
    expect(deleted).toEqual(expect.arrayContaining([`rule ${RULE}`, `role ${ROLE}`, `trigger ${TRIGGER}`]));
    await expect(stack.aws.events.send(new DescribeRuleCommand({ Name: RULE }))).rejects.toThrow();
    expect(await triggerExists(TRIGGER)).toBe(false);
  });
});
