import {
  CreateTriggerCommand,
  DeleteTriggerCommand,
  GetTagsCommand,
  GetTriggerCommand,
  StartTriggerCommand,
  UpdateTriggerCommand,
  type Trigger,
} from '@aws-sdk/client-glue';
import { beforeEach, describe, expect, it } from 'vitest';
import { jobTriggerSpec, scheduleTriggerSpec, triggerDrift, triggerResource } from '../../../src/resources/trigger.js';
import { applyStep, planStep } from '../../../src/stack/plan.js';
import { glueNotFound } from '../support/errors.js';
import { driftLabels, glueResourceArn, mockedStack, ownershipIn, sentCommands, updateStep, type MockedStack } from '../support/stack.js';

const TAGS = { ManagedBy: 'glue-provisioner', Stack: 'flight-delays' };
const QUARTERLY = 'cron(0 6 1 1,4,7,10 ? *)';

let t: MockedStack;
beforeEach(() => {
  t = mockedStack();
  t.glue.on(GetTagsCommand).resolves({ Tags: TAGS });
});

/** The scheduled trigger as GetTrigger returns it. */
function scheduledAsGlueReturnsIt(overrides: Partial<Trigger> = {}): Trigger {
  return {
    Name: 'flight-delays-schedule',
    WorkflowName: 'flight-delays-pipeline',
    Id: 'trigger-id-1',
    Type: 'SCHEDULED',
    State: 'ACTIVATED',
    Description: 'Starts the crawl of stack flight-delays on schedule (UTC)',
    Schedule: QUARTERLY,
    Actions: [{ CrawlerName: 'flight-delays-raw-crawler', Arguments: {} }],
    ...overrides,
  };
}

function conditionalAsGlueReturnsIt(overrides: Partial<Trigger> = {}): Trigger {
  return {
    Name: 'flight-delays-on-crawl-success',
    WorkflowName: 'flight-delays-pipeline',
    Id: 'trigger-id-2',
    Type: 'CONDITIONAL',
    State: 'ACTIVATED',
    Description: 'Starts the job of stack flight-delays when the crawl succeeds',
    Actions: [{ JobName: 'flight-delays-features' }],
    Predicate: {
      Logical: 'AND',
      Conditions: [{ LogicalOperator: 'EQUALS', CrawlerName: 'flight-delays-raw-crawler', CrawlState: 'SUCCEEDED' }],
    },
    ...overrides,
  };
}

describe('trigger specs', () => {
  it('schedules the crawler in the workflow with the configured cron', () => {
    const s = mockedStack({ raw: { schedule: 'cron(30 2 ? * MON *)' } });
    expect(scheduleTriggerSpec(s.ctx)).toEqual({
      Name: 'flight-delays-schedule',
      WorkflowName: 'flight-delays-pipeline',
      Type: 'SCHEDULED',
      Description: 'Starts the crawl of stack flight-delays on schedule (UTC)',
      Schedule: 'cron(30 2 ? * MON *)',
      Actions: [{ CrawlerName: 'flight-delays-raw-crawler' }],
    });
    expect(scheduleTriggerSpec(t.ctx).Schedule).toBe(QUARTERLY);
  });

  it('starts the job when the crawl SUCCEEDED: Logical AND, EQUALS', () => {
    expect(jobTriggerSpec(t.ctx)).toEqual({
      Name: 'flight-delays-on-crawl-success',
      WorkflowName: 'flight-delays-pipeline',
      Type: 'CONDITIONAL',
      Description: 'Starts the job of stack flight-delays when the crawl succeeds',
      Predicate: {
        Logical: 'AND',
        Conditions: [{ LogicalOperator: 'EQUALS', CrawlerName: 'flight-delays-raw-crawler', CrawlState: 'SUCCEEDED' }],
      },
      Actions: [{ JobName: 'flight-delays-features' }],
    });
  });
});

describe('triggerDrift', () => {
  it('is empty for triggers as Glue returns them, activated or activating', () => {
    expect(triggerDrift(scheduleTriggerSpec(t.ctx), scheduledAsGlueReturnsIt())).toEqual([]);
    expect(triggerDrift(scheduleTriggerSpec(t.ctx), scheduledAsGlueReturnsIt({ State: 'ACTIVATING' }))).toEqual([]);
    expect(triggerDrift(jobTriggerSpec(t.ctx), conditionalAsGlueReturnsIt())).toEqual([]);
    expect(triggerDrift(jobTriggerSpec(t.ctx), conditionalAsGlueReturnsIt({ Predicate: { Conditions: conditionalAsGlueReturnsIt().Predicate!.Conditions } }))).toEqual([]);
  });

  it.each<[ReturnType<typeof triggerDrift>[number], Partial<Trigger>]>([
    ['type', { Type: 'ON_DEMAND' }],
    ['workflow', { WorkflowName: 'other' }],
    ['description', { Description: 'edited' }],
    ['schedule', { Schedule: 'cron(0 6 1 * ? *)' }],
    ['actions', { Actions: [{ CrawlerName: 'another-crawler' }] }],
    ['actions', { Actions: [{ CrawlerName: 'flight-delays-raw-crawler', Arguments: { '--x': '1' } }] }],
    ['predicate', { Predicate: { Logical: 'AND', Conditions: [{ LogicalOperator: 'EQUALS', CrawlerName: 'flight-delays-raw-crawler', CrawlState: 'FAILED' }] } }],
    ['state', { State: 'DEACTIVATED' }],
    ['state', { State: 'CREATED' }],
  ])('reports %s', (what, change) => {
    expect(triggerDrift(scheduleTriggerSpec(t.ctx), scheduledAsGlueReturnsIt(change))).toEqual([what]);
    // The drift keys of a trigger read in a plan as they are.
    expect(driftLabels(triggerResource(t.ctx, scheduleTriggerSpec(t.ctx)), scheduledAsGlueReturnsIt(change))).toEqual([what]);
  });
});

describe('triggerResource', () => {
  it('finds a missing trigger as undefined', async () => {
    t.glue.on(GetTriggerCommand).rejects(glueNotFound());
    await expect(triggerResource(t.ctx, scheduleTriggerSpec(t.ctx)).find()).resolves.toBeUndefined();
    // The tags are read alongside, by the ARN the name gives: one round trip.
    expect(sentCommands(t).sort()).toEqual(['GetTagsCommand', 'GetTriggerCommand']);
  });

  it('has no drift when the trigger and its tags are as wanted', async () => {
    t.glue.on(GetTriggerCommand).resolves({ Trigger: scheduledAsGlueReturnsIt() });
    const resource = triggerResource(t.ctx, scheduleTriggerSpec(t.ctx));
    const found = await resource.find();
    expect(found).toEqual({ state: scheduledAsGlueReturnsIt(), tags: TAGS });
    expect(resource.drift(found!.state)).toEqual([]);
    expect((await planStep(t.ctx, resource)).change).toMatchObject({ action: 'no-op', details: [] });
    expect(t.glue.commandCalls(GetTriggerCommand)[0]?.args[0].input).toEqual({ Name: 'flight-delays-schedule' });
    expect(t.glue.commandCalls(GetTagsCommand)[0]?.args[0].input).toEqual({
      ResourceArn: glueResourceArn(t.ctx, 'trigger', 'flight-delays-schedule'),
    });
  });

  it('creates the scheduled trigger started, in the workflow, with tags', async () => {
    await triggerResource(t.ctx, scheduleTriggerSpec(t.ctx)).create();
    expect(t.glue.commandCalls(CreateTriggerCommand)[0]?.args[0].input).toEqual({
      Name: 'flight-delays-schedule',
      WorkflowName: 'flight-delays-pipeline',
      Type: 'SCHEDULED',
      Description: 'Starts the crawl of stack flight-delays on schedule (UTC)',
      Schedule: QUARTERLY,
      Actions: [{ CrawlerName: 'flight-delays-raw-crawler' }],
      StartOnCreation: true,
      Tags: TAGS,
    });
  });

  it('creates the conditional trigger started, in the workflow, with tags', async () => {
    await triggerResource(t.ctx, jobTriggerSpec(t.ctx)).create();
    const input = t.glue.commandCalls(CreateTriggerCommand)[0]!.args[0].input;
    expect(input).toMatchObject({ Type: 'CONDITIONAL', StartOnCreation: true, WorkflowName: 'flight-delays-pipeline', Tags: TAGS });
    expect(input.Predicate).toEqual(jobTriggerSpec(t.ctx).Predicate);
    expect(input).not.toHaveProperty('Schedule');
  });

  it('updates a changed schedule in place with the full trigger definition', async () => {
    const s = mockedStack({ raw: { schedule: 'monthly' } });
    const resource = triggerResource(s.ctx, scheduleTriggerSpec(s.ctx));
    const state = scheduledAsGlueReturnsIt();
    const drift = resource.drift(state);
    expect(drift).toEqual(['schedule']);
    await resource.update(state, drift);
    expect(sentCommands(s)).toEqual(['UpdateTriggerCommand']);
    expect(s.glue.commandCalls(UpdateTriggerCommand)[0]?.args[0].input).toEqual({
      Name: 'flight-delays-schedule',
      TriggerUpdate: {
        Name: 'flight-delays-schedule',
        Description: 'Starts the crawl of stack flight-delays on schedule (UTC)',
        Actions: [{ CrawlerName: 'flight-delays-raw-crawler' }],
        Schedule: 'cron(0 6 1 * ? *)',
      },
    });
  });

  it('updates a changed predicate with the predicate and no schedule', async () => {
    const resource = triggerResource(t.ctx, jobTriggerSpec(t.ctx));
    const stale = conditionalAsGlueReturnsIt({
      Predicate: { Logical: 'ANY', Conditions: [{ LogicalOperator: 'EQUALS', CrawlerName: 'flight-delays-raw-crawler', CrawlState: 'FAILED' }] },
    });
    await resource.update(stale, resource.drift(stale));
    expect(t.glue.commandCalls(UpdateTriggerCommand)[0]?.args[0].input.TriggerUpdate).toEqual({
      Name: 'flight-delays-on-crawl-success',
      Description: 'Starts the job of stack flight-delays when the crawl succeeds',
      Actions: [{ JobName: 'flight-delays-features' }],
      Predicate: jobTriggerSpec(t.ctx).Predicate,
    });
  });

  it('replaces a trigger of another type: delete, then create', async () => {
    const resource = triggerResource(t.ctx, scheduleTriggerSpec(t.ctx));
    const state = scheduledAsGlueReturnsIt({ Type: 'ON_DEMAND', Schedule: undefined });
    const drift = resource.drift(state);
    expect(drift).toContain('type');
    await resource.update(state, drift);
    expect(sentCommands(t).filter((c) => c !== 'GetTagsCommand')).toEqual(['DeleteTriggerCommand', 'CreateTriggerCommand']);
    expect(t.glue.commandCalls(DeleteTriggerCommand)[0]?.args[0].input).toEqual({ Name: 'flight-delays-schedule' });
    expect(t.glue.commandCalls(CreateTriggerCommand)[0]?.args[0].input).toMatchObject({ Type: 'SCHEDULED', Schedule: QUARTERLY, StartOnCreation: true });
    expect(t.glue.commandCalls(UpdateTriggerCommand)).toHaveLength(0);
  });

  it('replaces a trigger that sits in another workflow', async () => {
    const resource = triggerResource(t.ctx, jobTriggerSpec(t.ctx));
    const state = conditionalAsGlueReturnsIt({ WorkflowName: 'old-pipeline' });
    await resource.update(state, resource.drift(state));
    expect(sentCommands(t).filter((c) => c !== 'GetTagsCommand')).toEqual(['DeleteTriggerCommand', 'CreateTriggerCommand']);
  });

  it('starts a deactivated trigger and changes nothing else', async () => {
    const resource = triggerResource(t.ctx, jobTriggerSpec(t.ctx));
    const state = conditionalAsGlueReturnsIt({ State: 'DEACTIVATED' });
    const drift = resource.drift(state);
    expect(drift).toEqual(['state']);
    await resource.update(state, drift);
    expect(sentCommands(t)).toEqual(['StartTriggerCommand']);
    expect(t.glue.commandCalls(StartTriggerCommand)[0]?.args[0].input).toEqual({ Name: 'flight-delays-on-crawl-success' });
  });

  it('only tags a trigger whose tags are missing (applyStep)', async () => {
    const resource = triggerResource(t.ctx, jobTriggerSpec(t.ctx));
    const step = updateStep(t.ctx, resource, { state: conditionalAsGlueReturnsIt(), tags: {} });
    expect(step.keys).toEqual(['tags']);
    await applyStep(t.ctx, step);
    expect(sentCommands(t)).toEqual(['TagResourceCommand']);
  });

  it('shows type, state and schedule in status', () => {
    expect(triggerResource(t.ctx, scheduleTriggerSpec(t.ctx)).summarize!(scheduledAsGlueReturnsIt())).toEqual({
      type: 'SCHEDULED',
      state: 'ACTIVATED',
      schedule: QUARTERLY,
    });
    expect(triggerResource(t.ctx, jobTriggerSpec(t.ctx)).summarize!(conditionalAsGlueReturnsIt({ State: 'DEACTIVATED' }))).toEqual({
      type: 'CONDITIONAL',
      state: 'DEACTIVATED',
      schedule: undefined,
    });
  });
});

describe('triggerResource ownership and destroy', () => {
  it('finds ownership by tags and deletes by name', async () => {
    t.glue.on(GetTriggerCommand).rejects(glueNotFound());
    const resource = triggerResource(t.ctx, scheduleTriggerSpec(t.ctx));
    await expect(ownershipIn(t, resource)).resolves.toBe('absent');
    t.glue.on(GetTriggerCommand).resolves({ Trigger: scheduledAsGlueReturnsIt() });
    t.glue.on(GetTagsCommand).resolves({ Tags: { Stack: 'flight-delays' } });
    await expect(ownershipIn(t, resource)).resolves.toBe('foreign');

    await resource.destroy!();
    expect(t.glue.commandCalls(DeleteTriggerCommand)[0]?.args[0].input).toEqual({ Name: 'flight-delays-schedule' });
  });
});

