import { GetDashboardCommand } from '@aws-sdk/client-cloudwatch';
import { CreateLogGroupCommand, FilterLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import {
  CreateEventBusCommand,
  DescribeRuleCommand,
  ListTagsForResourceCommand as ListRuleTagsCommand,
  ListTargetsByRuleCommand,
  PutEventsCommand,
  PutRuleCommand,
  PutTargetsCommand,
} from '@aws-sdk/client-eventbridge';
import { DescribeKeyCommand, GetKeyPolicyCommand, GetKeyRotationStatusCommand, ListResourceTagsCommand } from '@aws-sdk/client-kms';
import {
  CreateTopicCommand,
  GetTopicAttributesCommand,
  ListSubscriptionsByTopicCommand,
  ListTagsForResourceCommand as ListTopicTagsCommand,
} from '@aws-sdk/client-sns';
import { beforeAll, describe, expect, it } from 'vitest';
import { useEmulator } from './support/harness.js';

const STACK = 'alerts-stack';
const ACCOUNT = '123456789012';
const REGION = 'us-east-1';
const TOPIC = `${STACK}-alerts`;
const TOPIC_ARN = `arn:aws:sns:${REGION}:${ACCOUNT}:${TOPIC}`;
const JOB_RULE = `${STACK}-job-failed`;
const CRAWL_RULE = `${STACK}-crawl-failed`;
// The ceiling rule (--max-usd) is named whether it exists or not, so the policy stays the same either way;
// the drift rule sends the drift alert the job writes (drift-alert.test.ts).
const DRIFT_RULE = `${STACK}-drift`;
const RULE_ARNS = [JOB_RULE, CRAWL_RULE, `${STACK}-job-ceiling`, DRIFT_RULE].map((rule) => `arn:aws:events:${REGION}:${ACCOUNT}:rule/${rule}`);
const KEY_ALIAS = `alias/${STACK}-alerts`;
const DASHBOARD = `${STACK}-pipeline-${REGION}`;
const USER_TOPIC = 'ops-pager';
const USER_TOPIC_ARN = `arn:aws:sns:${REGION}:${ACCOUNT}:${USER_TOPIC}`;
const TAGS = { ManagedBy: 'glue-provisioner', Stack: STACK };
const NOTIFY = ['--notify', 'ops@example.com', '--notify', 'dev@example.com'];

/** A Glue state-change event as Glue sends it to the default bus. */
function glueEvent(detailType: string, detail: Record<string, string>) {
  return { Source: 'aws.glue', DetailType: detailType, Detail: JSON.stringify(detail), Resources: [] };
}
const jobEvent = (jobName: string, state: string) =>
  glueEvent('Glue Job State Change', { jobName, state, severity: 'ERROR', jobRunId: `jr_${'a'.repeat(64)}`, message: `${jobName} ${state}` });
const crawlEvent = (crawlerName: string, state: string) => glueEvent('Glue Crawler State Change', { crawlerName, state, errorMessage: `${crawlerName} ${state}` });

/** up, status and teardown with --notify, --notify-topic-arn and --dashboard against moto. */
describe('failure alerts and the dashboard', () => {
  const stack = useEmulator({ region: REGION, motoPatches: ['s3-eventbridge-readback'] });
  let dataDir: string;
  let jobDir: string;

  beforeAll(() => {
    dataDir = stack.temp.tinyRawData('alerts-data').dir;
    jobDir = stack.temp.jobCopy('alerts-job');
  });

  const cli = (...args: string[]) => stack.cli([...args, '--name', STACK, '--data-dir', dataDir, '--job-dir', jobDir]);
  const topicPolicy = async (arn: string) => JSON.parse((await stack.aws.sns.send(new GetTopicAttributesCommand({ TopicArn: arn }))).Attributes!.Policy!);
  const ruleTarget = async (rule: string) => (await stack.aws.events.send(new ListTargetsByRuleCommand({ Rule: rule }))).Targets ?? [];

  it('plan lists the key, topic, emails, both rules and the dashboard as creates, and changes nothing', async () => {
    stack.log.clear();
    const result = await cli('plan', ...NOTIFY, '--dashboard', '--json');
    expect(result.code, result.stderr).toBe(0);
    const changes = (JSON.parse(result.stdout) as { changes: { kind: string; name: string; action: string }[] }).changes;
    expect(changes.slice(-8).map((c) => `${c.action} ${c.kind} ${c.name}`)).toEqual([
      // A drift alert is an object the job writes: the bucket's events go to EventBridge.
      `create notifications s3://${STACK}-${ACCOUNT}-${REGION} to EventBridge`,
      `create key ${KEY_ALIAS}`,
      `create topic ${TOPIC}`,
      `create emails ${TOPIC}`,
      `create rule ${JOB_RULE}`,
      `create rule ${CRAWL_RULE}`,
      `create rule ${DRIFT_RULE}`,
      `create dashboard ${DASHBOARD}`,
    ]);
    expect(stack.log.mutating()).toEqual([]);
  });

  it('up --notify makes an encrypted topic that only the stack\'s failure rules may publish to, with the addresses subscribed', async () => {
    const result = await cli('up', ...NOTIFY, '--dashboard');
    expect(result.code, result.stderr).toBe(0);

    const attributes = (await stack.aws.sns.send(new GetTopicAttributesCommand({ TopicArn: TOPIC_ARN }))).Attributes!;
    expect(attributes.KmsMasterKeyId).toBe(KEY_ALIAS);
    expect(attributes.DisplayName).toBe(`${STACK} alerts`);
    const policy = await topicPolicy(TOPIC_ARN);
    // One statement: EventBridge may publish on behalf of these rules, and nobody else at all.
    expect(policy.Statement).toEqual([
      {
        Sid: 'FailureRulesPublish',
        Effect: 'Allow',
        Principal: { Service: 'events.amazonaws.com' },
        Action: 'sns:Publish',
        Resource: TOPIC_ARN,
        Condition: { ArnEquals: { 'aws:SourceArn': RULE_ARNS } },
      },
    ]);
    const topicTags = (await stack.aws.sns.send(new ListTopicTagsCommand({ ResourceArn: TOPIC_ARN }))).Tags;
    expect(Object.fromEntries((topicTags ?? []).map((t) => [t.Key, t.Value]))).toEqual(TAGS);
    const subscriptions = (await stack.aws.sns.send(new ListSubscriptionsByTopicCommand({ TopicArn: TOPIC_ARN }))).Subscriptions ?? [];
    expect(subscriptions.map((s) => `${s.Protocol} ${s.Endpoint}`).sort()).toEqual(['email dev@example.com', 'email ops@example.com']);
  });

  it('the topic\'s key lets EventBridge encrypt for it, rotates, and is the stack\'s', async () => {
    const key = (await stack.aws.kms.send(new DescribeKeyCommand({ KeyId: KEY_ALIAS }))).KeyMetadata!;
    expect(key.KeyState).toBe('Enabled');
    const policy = JSON.parse((await stack.aws.kms.send(new GetKeyPolicyCommand({ KeyId: key.KeyId, PolicyName: 'default' }))).Policy!);
    expect(policy.Statement).toContainEqual(
      expect.objectContaining({ Principal: { Service: 'events.amazonaws.com' }, Action: ['kms:GenerateDataKey*', 'kms:Decrypt'] }),
    );
    expect((await stack.aws.kms.send(new GetKeyRotationStatusCommand({ KeyId: key.KeyId }))).KeyRotationEnabled).toBe(true);
    const tags = (await stack.aws.kms.send(new ListResourceTagsCommand({ KeyId: key.KeyId }))).Tags ?? [];
    expect(Object.fromEntries(tags.map((t) => [t.TagKey, t.TagValue]))).toEqual(TAGS);
  });

  it('each rule is enabled, tagged, and sends a readable message to the topic', async () => {
    for (const rule of [JOB_RULE, CRAWL_RULE, DRIFT_RULE]) {
      const described = await stack.aws.events.send(new DescribeRuleCommand({ Name: rule }));
      expect(described.State).toBe('ENABLED');
      const tags = (await stack.aws.events.send(new ListRuleTagsCommand({ ResourceARN: described.Arn }))).Tags ?? [];
      expect(Object.fromEntries(tags.map((t) => [t.Key, t.Value]))).toEqual(TAGS);
      const [target, ...others] = await ruleTarget(rule);
      expect(others).toEqual([]);
      expect(target?.Arn).toBe(TOPIC_ARN);
      expect(target?.InputTransformer?.InputTemplate).toContain(`Stack ${STACK}`);
    }
  });

  it("the rules' patterns match a failed run of this stack's job or crawler and nothing else", async () => {
    // Moto has no TestEventPattern (it answers without a Result) and cannot deliver to SNS, so each
    // rule's own pattern goes on a probe rule on a bus of its own, sending to a log group; moto's
    // matcher then decides which sample events get through.
    await stack.aws.events.send(new CreateEventBusCommand({ Name: 'probe' }));
    const delivered: Record<string, string[]> = {};
    for (const rule of [JOB_RULE, CRAWL_RULE]) {
      const { EventPattern } = await stack.aws.events.send(new DescribeRuleCommand({ Name: rule }));
      const group = `/probe/${rule}`;
      await stack.aws.logs.send(new CreateLogGroupCommand({ logGroupName: group }));
      await stack.aws.events.send(new PutRuleCommand({ Name: `probe-${rule}`, EventBusName: 'probe', EventPattern }));
      await stack.aws.events.send(
        new PutTargetsCommand({ Rule: `probe-${rule}`, EventBusName: 'probe', Targets: [{ Id: 'log', Arn: `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:${group}` }] }),
      );
    }
    const samples = [
      ...['FAILED', 'TIMEOUT', 'STOPPED', 'ERROR', 'SUCCEEDED', 'RUNNING'].map((state) => jobEvent(`${STACK}-features`, state)),
      jobEvent('another-stack-features', 'FAILED'),
      crawlEvent(`${STACK}-raw-crawler`, 'Failed'),
      crawlEvent(`${STACK}-raw-crawler`, 'Succeeded'),
      crawlEvent('another-stack-raw-crawler', 'Failed'),
    ];
    const put = await stack.aws.events.send(new PutEventsCommand({ Entries: samples.map((s) => ({ ...s, EventBusName: 'probe' })) }));
    expect(put.FailedEntryCount).toBe(0);
    for (const rule of [JOB_RULE, CRAWL_RULE]) {
      const found = (await stack.aws.logs.send(new FilterLogEventsCommand({ logGroupName: `/probe/${rule}` }))).events ?? [];
      delivered[rule] = found.map((e) => (JSON.parse(e.message!) as { detail: { message?: string; errorMessage?: string } }).detail).map((d) => d.message ?? d.errorMessage ?? '');
    }
    expect(delivered[JOB_RULE]!.sort()).toEqual([`${STACK}-features ERROR`, `${STACK}-features FAILED`, `${STACK}-features STOPPED`, `${STACK}-features TIMEOUT`]);
    expect(delivered[CRAWL_RULE]).toEqual([`${STACK}-raw-crawler Failed`]);
  });

  it('up --dashboard makes the dashboard', async () => {
    const dashboard = await stack.aws.cloudwatch.send(new GetDashboardCommand({ DashboardName: DASHBOARD }));
    const body = JSON.parse(dashboard.DashboardBody!);
    expect(JSON.stringify(body)).toContain('glue.driver.aggregate.recordsRead');
    expect(JSON.stringify(body)).toContain(JOB_RULE);
  });

  it('a second up with the same flags changes nothing: zero mutating requests', async () => {
    stack.log.clear();
    const result = await cli('up', ...NOTIFY, '--dashboard');
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/0 created, 0 updated, 26 unchanged/);
    expect(stack.log.requests.some((r) => r.service === 'sns')).toBe(true);
    expect(stack.log.mutating().map((r) => `${r.service} ${r.operation}`)).toEqual([]);
  });

  it('status shows the alerts wired and who confirmed', async () => {
    const result = await cli('status', ...NOTIFY, '--dashboard', '--json');
    expect(result.code, result.stderr).toBe(0);
    const report = JSON.parse(result.stdout);
    expect(report.alerts).toEqual({
      target: 'stack-topic',
      topicArn: TOPIC_ARN,
      wired: true,
      // moto confirms email subscriptions at once; AWS waits for the link to be followed.
      confirmed: true,
      subscriptions: [
        { protocol: 'email', endpoint: 'ops@example.com', confirmed: true },
        { protocol: 'email', endpoint: 'dev@example.com', confirmed: true },
      ],
      problems: [],
    });
    const kinds = (report.resources as { kind: string; exists: boolean }[]).filter((r) => ['key', 'topic', 'rule', 'dashboard'].includes(r.kind));
    expect(kinds.map((r) => `${r.kind} ${r.exists}`)).toEqual(['key true', 'topic true', 'rule true', 'rule true', 'rule true', 'dashboard true']);
    const text = await cli('status', ...NOTIFY, '--dashboard');
    expect(text.stdout).toContain(`alerts: wired: failed runs go to topic ${TOPIC}; 2 of 2 subscriptions confirmed`);
  });

  it('up --notify-topic-arn sends to the user\'s topic, never changing it, and deletes the stack\'s topic, key and (without --dashboard) the dashboard', async () => {
    const userPolicy = {
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Principal: { Service: 'events.amazonaws.com' }, Action: 'sns:Publish', Resource: USER_TOPIC_ARN }],
    };
    await stack.aws.sns.send(new CreateTopicCommand({ Name: USER_TOPIC, Attributes: { Policy: JSON.stringify(userPolicy) } }));
    const before = (await stack.aws.sns.send(new GetTopicAttributesCommand({ TopicArn: USER_TOPIC_ARN }))).Attributes;

    stack.log.clear();
    const result = await cli('up', '--notify-topic-arn', USER_TOPIC_ARN);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain(`~ update rule      ${JOB_RULE}  (target)`);
    expect(result.stdout).toContain(`- delete dashboard ${DASHBOARD}`);
    expect(result.stdout).toContain(`- delete topic     ${TOPIC}`);
    expect(result.stdout).toContain(`- delete key       ${KEY_ALIAS}`);
    expect(result.stdout).toMatch(/0 created, 3 updated, 3 deleted, 19 unchanged/);

    for (const rule of [JOB_RULE, CRAWL_RULE, DRIFT_RULE]) expect((await ruleTarget(rule)).map((t) => t.Arn)).toEqual([USER_TOPIC_ARN]);
    await expect(stack.aws.sns.send(new GetTopicAttributesCommand({ TopicArn: TOPIC_ARN }))).rejects.toMatchObject({ name: 'NotFoundException' });
    await expect(stack.aws.cloudwatch.send(new GetDashboardCommand({ DashboardName: DASHBOARD }))).rejects.toThrow();
    await expect(stack.aws.kms.send(new DescribeKeyCommand({ KeyId: KEY_ALIAS }))).rejects.toMatchObject({ name: 'NotFoundException' });
    // Nothing was sent that names the user's topic except reads.
    expect(stack.log.mutating().filter((r) => r.body.includes(encodeURIComponent(USER_TOPIC_ARN)) && r.service === 'sns')).toEqual([]);
    expect((await stack.aws.sns.send(new GetTopicAttributesCommand({ TopicArn: USER_TOPIC_ARN }))).Attributes).toEqual(before);

    const status = JSON.parse((await cli('status', '--notify-topic-arn', USER_TOPIC_ARN, '--json')).stdout);
    expect(status.alerts).toMatchObject({ target: 'user-topic', topicArn: USER_TOPIC_ARN, wired: true, problems: ['the topic has no subscriptions: nobody receives the alerts'] });
  });

  it('up without alert flags deletes the rules; status then says alerts are off and lists none of them', async () => {
    const result = await cli('up');
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/0 created, 0 updated, 3 deleted, 18 unchanged/);
    for (const rule of [JOB_RULE, DRIFT_RULE]) {
      await expect(stack.aws.events.send(new DescribeRuleCommand({ Name: rule }))).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
    }
    // The user's topic stays.
    await expect(stack.aws.sns.send(new GetTopicAttributesCommand({ TopicArn: USER_TOPIC_ARN }))).resolves.toBeDefined();

    const status = JSON.parse((await cli('status', '--json')).stdout);
    expect(status.alerts.target).toBe('none');
    expect((status.resources as { kind: string }[]).map((r) => r.kind)).not.toContain('rule');
    stack.log.clear();
    const again = await cli('up');
    expect(again.stdout).toMatch(/0 created, 0 updated, 18 unchanged/);
    expect(stack.log.mutating()).toEqual([]);
  });

  it('teardown removes the topic with its subscriptions, both rules, the key\'s alias (the key waits for deletion) and the dashboard', async () => {
    const up = await cli('up', ...NOTIFY, '--dashboard');
    expect(up.code, up.stderr).toBe(0);
    const keyId = (await stack.aws.kms.send(new DescribeKeyCommand({ KeyId: KEY_ALIAS }))).KeyMetadata!.KeyId!;

    // No alert flags: teardown finds what an earlier up made all the same.
    const result = await stack.cli(['teardown', '--yes', '--name', STACK]);
    expect(result.code, result.stderr).toBe(0);
    for (const gone of [`dashboard ${DASHBOARD}`, `rule ${DRIFT_RULE}`, `rule ${CRAWL_RULE}`, `rule ${JOB_RULE}`, `topic ${TOPIC}`, `key ${KEY_ALIAS}`]) {
      expect(result.stdout).toContain(`deleted  ${gone}`);
    }
    await expect(stack.aws.sns.send(new GetTopicAttributesCommand({ TopicArn: TOPIC_ARN }))).rejects.toMatchObject({ name: 'NotFoundException' });
    await expect(stack.aws.sns.send(new ListSubscriptionsByTopicCommand({ TopicArn: TOPIC_ARN }))).rejects.toThrow();
    for (const rule of [JOB_RULE, CRAWL_RULE, DRIFT_RULE]) {
      await expect(stack.aws.events.send(new DescribeRuleCommand({ Name: rule }))).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
    }
    await expect(stack.aws.kms.send(new DescribeKeyCommand({ KeyId: KEY_ALIAS }))).rejects.toMatchObject({ name: 'NotFoundException' });
    expect((await stack.aws.kms.send(new DescribeKeyCommand({ KeyId: keyId }))).KeyMetadata?.KeyState).toBe('PendingDeletion');
    await expect(stack.aws.cloudwatch.send(new GetDashboardCommand({ DashboardName: DASHBOARD }))).rejects.toThrow();
    // Never the user's.
    await expect(stack.aws.sns.send(new GetTopicAttributesCommand({ TopicArn: USER_TOPIC_ARN }))).resolves.toBeDefined();

    const second = await stack.cli(['teardown', '--yes', '--name', STACK]);
    expect(second.code, second.stderr).toBe(0);
    expect(second.stderr).toContain('nothing to delete');
  });
});
