import { PutRuleCommand, PutTargetsCommand, DescribeRuleCommand, ListTargetsByRuleCommand, ListTagsForResourceCommand } from '@aws-sdk/client-eventbridge';
import { CreateTriggerCommand, GetTagsCommand, UpdateTriggerCommand, type Trigger } from '@aws-sdk/client-glue';
import { CreateRoleCommand, PutRolePolicyCommand } from '@aws-sdk/client-iam';
import { GetBucketNotificationConfigurationCommand, PutBucketNotificationConfigurationCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  arrivalPattern,
  arrivalRoleResource,
  arrivalRuleResource,
  isArrivalMarker,
  notifyWorkflowPolicy,
  eventsTrustPolicy,
} from '../../../src/resources/arrival.js';
import { bucketEventsResource } from '../../../src/resources/bucket-events.js';
import { arrivalTriggerSpec, triggerResource } from '../../../src/resources/trigger.js';
import type { PlannedChange } from '../../../src/resources/resource.js';
import { deliversData, writeArrivalMarker } from '../../../src/stack/arrival-marker.js';
import { matchesWithMoto, objectCreatedEvent } from '../../support/event-pattern.js';
import { mockedStack, type MockedStack } from '../support/stack.js';

const BUCKET = 'flight-delays-123456789012-eu-west-1';
const WORKFLOW_ARN = 'arn:aws:glue:eu-west-1:123456789012:workflow/flight-delays-pipeline';
const EVENTS_ROLE_ARN = 'arn:aws:iam::123456789012:role/flight-delays-events-role';

let t: MockedStack;
beforeEach(() => {
  t = mockedStack({ raw: { startOn: 'arrival' } });
  t.events.on(PutTargetsCommand).resolves({ FailedEntryCount: 0 });
});

describe("the arrival rule's pattern", () => {
  // Checked by moto's own matcher against S3's event shape: moto's TestEventPattern answers nothing.
  it("matches a delivery's marker at the top of raw/ and below it, and nothing else", () => {
    const cases: [string, Record<string, unknown>, boolean][] = [
      ['the marker up writes', objectCreatedEvent(BUCKET, 'raw/_DELIVERED'), true],
      ['a marker one level down', objectCreatedEvent(BUCKET, 'raw/2025-Q1/_DELIVERED'), true],
      ['a data file', objectCreatedEvent(BUCKET, 'raw/flights/flights_2025_1.csv.gz'), false],
      ['a script', objectCreatedEvent(BUCKET, 'scripts/job.py'), false],
      ['an export or output', objectCreatedEvent(BUCKET, 'processed/features/_DELIVERED'), false],
      ['a marker outside raw/', objectCreatedEvent(BUCKET, '_DELIVERED'), false],
      ['a name that only ends like the marker', objectCreatedEvent(BUCKET, 'raw/flights_DELIVERED'), false],
      ['a longer name', objectCreatedEvent(BUCKET, 'raw/_DELIVERED.tmp'), false],
      ['the marker in another bucket', objectCreatedEvent('someone-elses-bucket', 'raw/_DELIVERED'), false],
      ['the marker deleted', objectCreatedEvent(BUCKET, 'raw/_DELIVERED', 'Object Deleted'), false],
    ];
    const matched = matchesWithMoto(arrivalPattern(BUCKET, '_DELIVERED'), cases.map(([, event]) => event));
    expect(Object.fromEntries(cases.map(([name], i) => [name, matched[i]]))).toEqual(Object.fromEntries(cases.map(([name, , wanted]) => [name, wanted])));
  });

  it('follows --arrival-marker', () => {
    const [ready, delivered] = matchesWithMoto(arrivalPattern(BUCKET, '.ready'), [objectCreatedEvent(BUCKET, 'raw/.ready'), objectCreatedEvent(BUCKET, 'raw/_DELIVERED')]);
    expect([ready, delivered]).toEqual([true, false]);
  });
});

describe('the arrival rule', () => {
  it('is created with that pattern and one target, the workflow, through the events role', async () => {
    await arrivalRuleResource(t.ctx).create();
    const rule = t.events.commandCalls(PutRuleCommand)[0]!.args[0].input;
    expect(rule.Name).toBe('flight-delays-on-arrival');
    expect(JSON.parse(rule.EventPattern!)).toEqual(arrivalPattern(BUCKET, '_DELIVERED'));
    expect(t.events.commandCalls(PutTargetsCommand)[0]!.args[0].input).toEqual({
      Rule: 'flight-delays-on-arrival',
      Targets: [{ Id: 'workflow', Arn: WORKFLOW_ARN, RoleArn: EVENTS_ROLE_ARN }],
    });
  });

  it('drifts on a target without the role, and is wanted only under --start-on arrival', async () => {
    t.events.on(DescribeRuleCommand).resolves({
      Name: 'flight-delays-on-arrival',
      EventPattern: JSON.stringify(arrivalPattern(BUCKET, '_DELIVERED')),
      Description: (await rule()).description,
      State: 'ENABLED',
    });
    t.events.on(ListTagsForResourceCommand).resolves({ Tags: [] });
    t.events.on(ListTargetsByRuleCommand).resolves({ Targets: [{ Id: 'workflow', Arn: WORKFLOW_ARN }] });
    const resource = arrivalRuleResource(t.ctx);
    const found = await resource.find();
    expect(resource.drift(found!.state)).toEqual(['target']);
    expect(resource.wanted).toBe(true);
    expect(arrivalRuleResource(mockedStack().ctx).wanted).toBe(false);
  });
});

async function rule(): Promise<{ description: string }> {
  await arrivalRuleResource(t.ctx).create();
  return { description: t.events.commandCalls(PutRuleCommand).at(-1)!.args[0].input.Description! };
}

describe('the events role', () => {
  it('is trusted by EventBridge alone and may only notify the stack\'s workflow', async () => {
    await arrivalRoleResource(t.ctx).create();
    const role = t.iam.commandCalls(CreateRoleCommand)[0]!.args[0].input;
    expect(role.RoleName).toBe('flight-delays-events-role');
    expect(JSON.parse(role.AssumeRolePolicyDocument!)).toEqual({
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Principal: { Service: 'events.amazonaws.com' }, Action: 'sts:AssumeRole' }],
    });
    const policy = t.iam.commandCalls(PutRolePolicyCommand)[0]!.args[0].input;
    expect(policy.PolicyName).toBe('flight-delays-notify-workflow');
    expect(JSON.parse(policy.PolicyDocument!)).toEqual({
      Version: '2012-10-17',
      Statement: [{ Sid: 'NotifyWorkflow', Effect: 'Allow', Action: 'glue:notifyEvent', Resource: WORKFLOW_ARN }],
    });
    expect(notifyWorkflowPolicy(t.ctx)).toEqual(JSON.parse(policy.PolicyDocument!));
    expect(eventsTrustPolicy).toEqual(JSON.parse(role.AssumeRolePolicyDocument!));
  });
});

describe('the arrival trigger', () => {
  const eventTrigger = (overrides: Partial<Trigger> = {}): Trigger => ({
    ...arrivalTriggerSpec(t.ctx),
    State: 'ACTIVATED',
    // Glue reads the batch window back with its default when none was set.
    EventBatchingCondition: { BatchSize: 1, BatchWindow: 900 },
    ...overrides,
  });

  it('is an EVENT trigger of the workflow that starts the crawler at the first event, active from its creation', async () => {
    t.glue.on(GetTagsCommand).resolves({ Tags: { ManagedBy: 'glue-provisioner', Stack: 'flight-delays' } });
    await triggerResource(t.ctx, arrivalTriggerSpec(t.ctx)).create();
    const input = t.glue.commandCalls(CreateTriggerCommand)[0]!.args[0].input;
    expect(input).toMatchObject({
      Name: 'flight-delays-on-arrival',
      WorkflowName: 'flight-delays-pipeline',
      Type: 'EVENT',
      EventBatchingCondition: { BatchSize: 1 },
      Actions: [{ CrawlerName: 'flight-delays-raw-crawler' }],
      StartOnCreation: true,
    });
    expect(input.Schedule).toBeUndefined();
  });

  it('is in sync as Glue reads it back, and drifts on another batch size', () => {
    const resource = triggerResource(t.ctx, arrivalTriggerSpec(t.ctx));
    expect(resource.drift(eventTrigger())).toEqual([]);
    expect(resource.drift(eventTrigger({ EventBatchingCondition: { BatchSize: 5, BatchWindow: 900 } }))).toEqual(['batching']);
  });

  it('sends its batching condition when it updates it', async () => {
    await triggerResource(t.ctx, arrivalTriggerSpec(t.ctx)).update(eventTrigger(), ['batching']);
    expect(t.glue.commandCalls(UpdateTriggerCommand)[0]!.args[0].input.TriggerUpdate?.EventBatchingCondition).toEqual({ BatchSize: 1 });
  });
});

describe("the bucket's events", () => {
  const queue = { Id: 'theirs', QueueArn: 'arn:aws:sqs:eu-west-1:123456789012:q', Events: ['s3:ObjectCreated:*' as const] };

  it('turns EventBridge on and sends back the queue someone else set up', async () => {
    t.s3.on(GetBucketNotificationConfigurationCommand).resolves({ QueueConfigurations: [queue] });
    const resource = bucketEventsResource(t.ctx);
    const found = await resource.find();
    expect(resource.drift(found!.state)).toEqual(['eventBridge']);
    await resource.update(found!.state, ['eventBridge']);
    expect(t.s3.commandCalls(PutBucketNotificationConfigurationCommand)[0]!.args[0].input).toEqual({
      Bucket: BUCKET,
      NotificationConfiguration: { QueueConfigurations: [queue], EventBridgeConfiguration: {} },
    });
  });

  it('is in sync once EventBridge is on', async () => {
    t.s3.on(GetBucketNotificationConfigurationCommand).resolves({ EventBridgeConfiguration: {} });
    const resource = bucketEventsResource(t.ctx);
    expect(resource.drift((await resource.find())!.state)).toEqual([]);
  });
});

describe('the marker', () => {
  const raw = (action: PlannedChange['action'], details: string[]): PlannedChange[] => [{ kind: 'objects', name: `s3://${BUCKET}/raw/`, action, details }];

  it('is written only when up sends some data under --start-on arrival', () => {
    expect(deliversData(t.ctx, raw('create', ['upload 2 files (1 KiB)']), 2)).toBe(true);
    expect(deliversData(t.ctx, raw('create', ['upload 0 files (0 B)']), 0)).toBe(false);
    expect(deliversData(t.ctx, raw('update', ['upload raw/flights/a.csv']), 1)).toBe(true);
    // A record repaired, a file pruned: nothing delivered.
    expect(deliversData(t.ctx, raw('update', ['record']), 1)).toBe(false);
    expect(deliversData(t.ctx, raw('update', ['delete raw/old.csv']), 1)).toBe(false);
    expect(deliversData(t.ctx, raw('no-op', []), 1)).toBe(false);
    expect(deliversData(mockedStack().ctx, raw('create', ['upload 2 files (1 KiB)']), 2)).toBe(false);
  });

  it('is an empty object at raw/<marker>', async () => {
    expect(await writeArrivalMarker(t.ctx)).toBe('raw/_DELIVERED');
    expect(t.s3.commandCalls(PutObjectCommand)[0]!.args[0].input).toMatchObject({ Bucket: BUCKET, Key: 'raw/_DELIVERED', Body: '' });
  });

  it('is kept by --prune wherever under raw/ it is, and only under --start-on arrival', () => {
    expect(isArrivalMarker(t.ctx.settings, 'raw/_DELIVERED')).toBe(true);
    expect(isArrivalMarker(t.ctx.settings, 'raw/2025-Q1/_DELIVERED')).toBe(true);
    expect(isArrivalMarker(t.ctx.settings, 'raw/flights/a.csv')).toBe(false);
    expect(isArrivalMarker(t.ctx.settings, 'scripts/_DELIVERED')).toBe(false);
    expect(isArrivalMarker(mockedStack().ctx.settings, 'raw/_DELIVERED')).toBe(false);
  });
});
