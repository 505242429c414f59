import path from 'node:path';
import { CreateLogGroupCommand, FilterLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { DescribeRuleCommand, ListTargetsByRuleCommand, PutRuleCommand, PutTargetsCommand } from '@aws-sdk/client-eventbridge';
import { GetBucketNotificationConfigurationCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { beforeAll, describe, expect, it } from 'vitest';
import { driftAlertPattern } from '../../src/resources/drift-rule.js';
import { useEmulator } from './support/harness.js';
import { loadShapes, requestProblems } from './support/service-shapes.js';

const STACK = 'drift-stack';
const ACCOUNT = '123456789012';
const REGION = 'us-east-1';
const BUCKET = `${STACK}-${ACCOUNT}-${REGION}`;
const RULE = `${STACK}-drift`;
const TOPIC_ARN = `arn:aws:sns:${REGION}:${ACCOUNT}:${STACK}-alerts`;
const PROBE_GROUP = '/probe/drift';
const NOTIFY = ['--notify', 'ops@example.com', '--drift-threshold', '0.25'];

/** EventBridge's request shapes as botocore publishes them (scripts/glue_shapes.py). */
const EVENTS = loadShapes(path.resolve('test/integration/fixtures/events-shapes.json'));

/**
 * The drift alert against moto: the job's alert object, written to the bucket, reaches a rule with
 * the stack's drift pattern. Moto delivers S3's events to EventBridge once the bucket's
 * EventBridgeConfiguration is set, and EventBridge's to Logs targets, not SNS (an SNS target raises
 * inside moto and stops delivery to the rules after it): a probe rule made before `up` carries the
 * drift rule's very pattern and sends to a log group of the test's, and the stack's rule is checked
 * to hold that pattern. Moto hides EventBridgeConfiguration when read back: the s3-eventbridge-readback
 * patch (scripts/moto_patches.py) answers as S3 does.
 */
describe('an alert when a run ends with drift above the threshold', () => {
  const stack = useEmulator({ region: REGION, motoPatches: ['s3-eventbridge-readback'] });
  let dataDir: string;
  let jobDir: string;

  beforeAll(async () => {
    dataDir = stack.temp.tinyRawData('drift-data').dir;
    jobDir = stack.temp.jobCopy('drift-job');
    await stack.aws.logs.send(new CreateLogGroupCommand({ logGroupName: PROBE_GROUP }));
    await stack.aws.events.send(new PutRuleCommand({ Name: 'probe-drift', EventPattern: JSON.stringify(driftAlertPattern(BUCKET)) }));
    await stack.aws.events.send(new PutTargetsCommand({ Rule: 'probe-drift', Targets: [{ Id: 'log', Arn: `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:${PROBE_GROUP}` }] }));
  });
  const cli = (...args: string[]) => stack.cli([...args, '--name', STACK, '--data-dir', dataDir, '--job-dir', jobDir]);

  it('up --notify makes the drift rule, sends the bucket\'s events to EventBridge, and gives the job the threshold', async () => {
    stack.log.clear();
    const result = await cli('up', ...NOTIFY);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain(`+ create rule      ${RULE}`);
    const rule = await stack.aws.events.send(new DescribeRuleCommand({ Name: RULE }));
    expect(JSON.parse(rule.EventPattern!)).toEqual(driftAlertPattern(BUCKET));
    const targets = (await stack.aws.events.send(new ListTargetsByRuleCommand({ Rule: RULE }))).Targets ?? [];
    expect(targets.map((t) => t.Arn)).toEqual([TOPIC_ARN]);
    expect(targets[0]?.InputTransformer?.InputTemplate).toContain('drifted above PSI 0.25 (--drift-threshold)');
    expect((await stack.aws.s3.send(new GetBucketNotificationConfigurationCommand({ Bucket: BUCKET }))).EventBridgeConfiguration).toEqual({});
    const createJob = stack.log.requests.find((r) => r.service === 'glue' && r.operation === 'CreateJob');
    expect(JSON.parse(createJob!.body).DefaultArguments['--drift_threshold']).toBe('0.25');

    const sent = stack.log.requests.filter((r) => r.service === 'events' && (r.operation === 'PutRule' || r.operation === 'PutTargets'));
    expect(sent.filter((r) => r.body.includes(RULE))).toHaveLength(2);
    expect(sent.flatMap((r) => requestProblems(EVENTS, r.operation, r.body))).toEqual([]);
  });

  it("the job's drift alert reaches the rule's pattern; its run reports and drift profiles do not", async () => {
    const alert = 'processed/reports/drift_alert-20270101T060500Z.json';
    for (const Key of ['processed/reports/run_report.json', 'processed/drift/year=2027/quarter=1/part-0.parquet', alert]) {
      await stack.aws.s3.send(new PutObjectCommand({ Bucket: BUCKET, Key, Body: '{}' }));
    }
    const found = (await stack.aws.logs.send(new FilterLogEventsCommand({ logGroupName: PROBE_GROUP }))).events ?? [];
    expect(found.map((e) => (JSON.parse(e.message!) as { detail: { object: { key: string } } }).detail.object.key)).toEqual([alert]);
  });

  it('a second up changes nothing, and status counts the drift rule among the alerts', async () => {
    stack.log.clear();
    const again = await cli('up', ...NOTIFY);
    expect(again.code, again.stderr).toBe(0);
    expect(stack.log.mutating().map((r) => `${r.service} ${r.operation}`)).toEqual([]);
    const status = JSON.parse((await cli('status', ...NOTIFY, '--json')).stdout);
    expect(status.alerts).toMatchObject({ wired: true, problems: [] });
  });

  it('teardown deletes the drift rule', async () => {
    const result = await stack.cli(['teardown', '--yes', '--name', STACK]);
    expect(result.code, result.stderr).toBe(0);
    await expect(stack.aws.events.send(new DescribeRuleCommand({ Name: RULE }))).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
  });
});
