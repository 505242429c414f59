import {
  DeleteRuleCommand,
  DescribeRuleCommand,
  ListTagsForResourceCommand,
  ListTargetsByRuleCommand,
  PutRuleCommand,
  PutTargetsCommand,
  RemoveTargetsCommand,
  TagResourceCommand,
} from '@aws-sdk/client-eventbridge';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  TARGET_ID,
  crawlerFailureSpec,
  failureRuleResource,
  jobCeilingSpec,
  jobFailureSpec,
  textTemplate,
  type FailureRuleSpec,
  type FailureRuleState,
} from '../../../src/resources/failure-rule.js';
import { eventsNotFound } from '../support/errors.js';
import { driftLabels, mockedStack, sentCommands, type MockedStack } from '../support/stack.js';

const STACK_TOPIC = 'arn:aws:sns:eu-west-1:123456789012:flight-delays-alerts';
const USER_TOPIC = 'arn:aws:sns:eu-west-1:123456789012:ops-pager';
const RUN_ID = `jr_${'ab12'.repeat(16)}`;

let t: MockedStack;
beforeEach(() => {
  t = mockedStack({ raw: { notify: ['ops@example.com'] } });
});

/** A "Glue Job State Change" event as Glue sends it to the default bus (EventBridge's sample). */
const failedJobEvent = {
  version: '0',
  id: 'abcdef00-1234-5678-9abc-def012345678',
  'detail-type': 'Glue Job State Change',
  source: 'aws.glue',
  account: '123456789012',
  time: '2027-04-01T06:42:17Z',
  region: 'eu-west-1',
  resources: [],
  detail: {
    jobName: 'flight-delays-features',
    severity: 'ERROR',
    state: 'FAILED',
    jobRunId: RUN_ID,
    message: 'An error occurred while calling o118.parquet. Path does not exist: s3://b/raw/flights',
  },
};

const failedCrawlEvent = {
  ...failedJobEvent,
  'detail-type': 'Glue Crawler State Change',
  detail: { crawlerName: 'flight-delays-raw-crawler', state: 'Failed', errorMessage: 'Service is unable to assume provided role.', message: 'Crawler Failed' },
};

/**
 * What EventBridge delivers for a text template: every <name> replaced by the value its JSON path
 * takes in the event, then each line read as a JSON string, the lines joined with line breaks.
 */
function render(spec: FailureRuleSpec, event: unknown): string {
  let text = spec.transformer.InputTemplate;
  for (const [name, path] of Object.entries(spec.transformer.InputPathsMap)) {
    const value = path
      .replace(/^\$\./, '')
      .split('.')
      .reduce<unknown>((node, key) => (node as Record<string, unknown> | undefined)?.[key], event);
    text = text.replaceAll(`<${name}>`, String(value));
  }
  return text
    .split('\n')
    .map((line) => JSON.parse(line) as string)
    .join('\n');
}

const CEILING = { maxUsd: 0.5, timeoutMinutes: 34 };

describe.each([
  ['job', (ctx: MockedStack['ctx']) => jobFailureSpec(ctx)],
  ['crawler', crawlerFailureSpec],
  ['cost ceiling', (ctx: MockedStack['ctx']) => jobCeilingSpec(ctx, CEILING)],
] as const)('the %s failure rule', (_what, specOf) => {
  it('keeps within what PutRule and PutTargets accept (botocore events 2015-10-07 model)', () => {
    const spec = specOf(t.ctx);
    expect(spec.name).toMatch(/^[.\-_A-Za-z0-9]{1,64}$/);
    expect(JSON.stringify(spec.pattern).length).toBeLessThanOrEqual(4096);
    expect(spec.description.length).toBeLessThanOrEqual(512);
    const paths = Object.entries(spec.transformer.InputPathsMap);
    expect(paths.length).toBeLessThanOrEqual(100);
    for (const [name, path] of paths) {
      expect(name).toMatch(/^[A-Za-z0-9_-]{1,256}$/);
      // Names beginning with "aws." are EventBridge's own variables.
      expect(name.startsWith('aws.')).toBe(false);
      expect(path.length).toBeLessThanOrEqual(256);
      expect(path).toMatch(/^\$\.[\w.-]+$/);
    }
    expect(spec.transformer.InputTemplate.length).toBeGreaterThanOrEqual(1);
    expect(spec.transformer.InputTemplate.length).toBeLessThanOrEqual(8192);
  });

  it('is text of one JSON string per line, whose every <name> is a path of the map', () => {
    const spec = specOf(t.ctx);
    for (const line of spec.transformer.InputTemplate.split('\n')) expect(typeof JSON.parse(line)).toBe('string');
    const used = [...spec.transformer.InputTemplate.matchAll(/<([A-Za-z0-9_-]+)>/g)].map((m) => m[1]);
    expect(new Set(used)).toEqual(new Set(Object.keys(spec.transformer.InputPathsMap)));
  });
});

describe('jobFailureSpec', () => {
  it('matches the stack\'s job in the states Glue ends a run in without success', () => {
    expect(jobFailureSpec(t.ctx).pattern).toEqual({
      source: ['aws.glue'],
      'detail-type': ['Glue Job State Change'],
      detail: { jobName: ['flight-delays-features'], state: ['FAILED', 'TIMEOUT', 'STOPPED', 'ERROR'] },
    });
  });

  it('makes a readable message: the stack, what failed, when, the error and a link to the run', () => {
    expect(render(jobFailureSpec(t.ctx), failedJobEvent)).toBe(
      [
        `Stack flight-delays: run ${RUN_ID} of the Glue job flight-delays-features ended FAILED.`,
        '',
        'When:  2027-04-01T06:42:17Z',
        'Error: An error occurred while calling o118.parquet. Path does not exist: s3://b/raw/flights',
        `Run:   https://eu-west-1.console.aws.amazon.com/gluestudio/home?region=eu-west-1#/job/flight-delays-features/run/${RUN_ID}`,
        `Logs:  provisioner logs --name flight-delays --region eu-west-1 --run ${RUN_ID}`,
      ].join('\n'),
    );
  });
});

describe('jobFailureSpec and jobCeilingSpec with a cost ceiling that sets the timeout', () => {
  const timedOut = { ...failedJobEvent, detail: { ...failedJobEvent.detail, state: 'TIMEOUT', message: 'Job run timed out' } };

  it('leave a TIMEOUT to the ceiling rule alone, so a run alerts once, and every other ending to the failure rule', () => {
    const failed = jobFailureSpec(t.ctx, CEILING).pattern as { detail: { state: string[] } };
    const ceiling = jobCeilingSpec(t.ctx, CEILING).pattern as { detail: { jobName: string[]; state: string[] } };
    expect(failed.detail.state).toEqual(['FAILED', 'STOPPED', 'ERROR']);
    expect(ceiling).toEqual({ source: ['aws.glue'], 'detail-type': ['Glue Job State Change'], detail: { jobName: ['flight-delays-features'], state: ['TIMEOUT'] } });
    // Together they cover exactly the endings of the rule without a ceiling, each once.
    expect([...failed.detail.state, ...ceiling.detail.state].sort()).toEqual([...((jobFailureSpec(t.ctx).pattern as { detail: { state: string[] } }).detail.state)].sort());
  });

  it('say that the ceiling stopped the run, how much and after how long', () => {
    const spec = jobCeilingSpec(t.ctx, CEILING);
    expect(spec.name).toBe('flight-delays-job-ceiling');
    const message = render(spec, timedOut);
    expect(message.split('\n')[0]).toBe(`Stack flight-delays: run ${RUN_ID} of the Glue job flight-delays-features was stopped by the cost ceiling of $0.50 (--max-usd) after 34 min.`);
    expect(message).toContain('Glue:    Job run timed out');
    expect(message).toContain('Raise --max-usd');
    expect(message).toContain(`Logs:    provisioner logs --name flight-delays --region eu-west-1 --run ${RUN_ID}`);
  });

  it('the ceiling rule is wanted only where asked, and with somewhere to send it', () => {
    expect(failureRuleResource(t.ctx, jobCeilingSpec(t.ctx, CEILING)).wanted).toBe(true);
    expect(failureRuleResource(t.ctx, jobCeilingSpec(t.ctx, CEILING), { wanted: false }).wanted).toBe(false);
    const none = mockedStack();
    expect(failureRuleResource(none.ctx, jobCeilingSpec(none.ctx, CEILING), { wanted: true }).wanted).toBe(false);
  });
});

describe('crawlerFailureSpec', () => {
  it('matches failed crawls of the stack\'s crawler', () => {
    expect(crawlerFailureSpec(t.ctx).pattern).toEqual({
      source: ['aws.glue'],
      'detail-type': ['Glue Crawler State Change'],
      detail: { crawlerName: ['flight-delays-raw-crawler'], state: ['Failed'] },
    });
  });

  it('says that the job did not run, with the error and a link to the crawler', () => {
    const message = render(crawlerFailureSpec(t.ctx), failedCrawlEvent);
    expect(message).toContain('Stack flight-delays: the crawl of the Glue crawler flight-delays-raw-crawler Failed, so the job did not run.');
    expect(message).toContain('Error:   Service is unable to assume provided role.');
    expect(message).toContain('https://eu-west-1.console.aws.amazon.com/glue/home?region=eu-west-1#/v2/data-catalog/crawlers/view/flight-delays-raw-crawler');
  });
});

describe('textTemplate', () => {
  it('quotes each line as JSON, escaping quotes and backslashes', () => {
    expect(textTemplate(['a "b"', 'c\\d'])).toBe('"a \\"b\\""\n"c\\\\d"');
  });
});

describe('failureRuleResource', () => {
  const spec = () => jobFailureSpec(t.ctx);
  const inSync = (topic = STACK_TOPIC): FailureRuleState => ({
    rule: { Name: spec().name, Arn: `arn:aws:events:eu-west-1:123456789012:rule/${spec().name}`, EventPattern: JSON.stringify(spec().pattern), State: 'ENABLED', Description: spec().description },
    targets: [{ Id: TARGET_ID, Arn: topic, InputTransformer: spec().transformer }],
  });

  it('is found with its tags and targets; absent when EventBridge knows no such rule', async () => {
    const state = inSync();
    t.events.on(DescribeRuleCommand).resolves(state.rule);
    t.events.on(ListTagsForResourceCommand).resolves({ Tags: [{ Key: 'ManagedBy', Value: 'glue-provisioner' }, { Key: 'Stack', Value: 'flight-delays' }] });
    t.events.on(ListTargetsByRuleCommand).resolves({ Targets: state.targets as never });
    const rule = failureRuleResource(t.ctx, spec());
    const found = await rule.find();
    expect(found?.tags).toEqual({ ManagedBy: 'glue-provisioner', Stack: 'flight-delays' });
    expect(rule.drift(found!.state)).toEqual([]);

    t.events.on(DescribeRuleCommand).rejects(eventsNotFound());
    await expect(rule.find()).resolves.toBeUndefined();
  });

  it('drifts on its pattern, description, state and a target other than the alert topic', () => {
    const rule = failureRuleResource(t.ctx, spec());
    const state = inSync();
    expect(
      driftLabels(rule, { rule: { ...state.rule, EventPattern: '{"source":["aws.glue"]}', Description: 'x', State: 'DISABLED' }, targets: state.targets }),
    ).toEqual(['event pattern', 'description', 'state']);
    expect(rule.drift({ ...state, targets: [...state.targets, { Id: 'by-hand', Arn: 'arn:aws:sqs:eu-west-1:123456789012:q' }] })).toEqual(['target']);
    expect(rule.drift({ ...state, targets: [] })).toEqual(['target']);
    expect(rule.drift({ ...state, targets: [{ ...state.targets[0]!, InputTransformer: { InputTemplate: '"x"' } }] })).toEqual(['target']);
    // Switching to --notify-topic-arn moves the target.
    const mine = mockedStack({ raw: { notifyTopicArn: USER_TOPIC } });
    expect(failureRuleResource(mine.ctx, jobFailureSpec(mine.ctx)).drift(state)).toEqual(['target']);
    expect(failureRuleResource(mine.ctx, jobFailureSpec(mine.ctx)).drift(inSync(USER_TOPIC))).toEqual([]);
  });

  it('creates the rule enabled, with the stack\'s tags, then its one target', async () => {
    t.events.on(PutTargetsCommand).resolves({ FailedEntryCount: 0, FailedEntries: [] });
    await failureRuleResource(t.ctx, spec()).create();
    expect(sentCommands(t)).toEqual(['PutRuleCommand', 'PutTargetsCommand']);
    const rule = t.events.commandCalls(PutRuleCommand)[0]!.args[0].input;
    expect(rule).toMatchObject({ Name: 'flight-delays-job-failed', State: 'ENABLED', Description: spec().description });
    expect(JSON.parse(rule.EventPattern!)).toEqual(spec().pattern);
    expect(rule.Tags).toEqual([{ Key: 'ManagedBy', Value: 'glue-provisioner' }, { Key: 'Stack', Value: 'flight-delays' }]);
    expect(t.events.commandCalls(PutTargetsCommand)[0]!.args[0].input).toEqual({
      Rule: 'flight-delays-job-failed',
      Targets: [{ Id: TARGET_ID, Arn: STACK_TOPIC, InputTransformer: spec().transformer }],
    });
  });

  it('fails when PutTargets refuses the target (it answers 200 with failed entries)', async () => {
    t.events.on(PutTargetsCommand).resolves({ FailedEntryCount: 1, FailedEntries: [{ TargetId: TARGET_ID, ErrorCode: 'ValidationException', ErrorMessage: 'bad template' }] });
    await expect(failureRuleResource(t.ctx, spec()).create()).rejects.toThrow('PutTargets refused the alert topic target: ValidationException bad template');
  });

  it('updates the rule without tags, and the target, removing targets added by hand', async () => {
    t.events.on(PutTargetsCommand).resolves({ FailedEntryCount: 0 });
    const state = inSync();
    const withExtra = { ...state, targets: [...state.targets, { Id: 'by-hand', Arn: 'arn:aws:sqs:eu-west-1:123456789012:q' }] };
    await failureRuleResource(t.ctx, spec()).update(withExtra, ['state', 'target']);
    expect(sentCommands(t)).toEqual(['PutRuleCommand', 'PutTargetsCommand', 'RemoveTargetsCommand']);
    expect(t.events.commandCalls(PutRuleCommand)[0]!.args[0].input.Tags).toBeUndefined();
    expect(t.events.commandCalls(RemoveTargetsCommand)[0]!.args[0].input).toEqual({ Rule: 'flight-delays-job-failed', Ids: ['by-hand'] });
  });

  it('tags by ARN, and is deleted after its targets', async () => {
    t.events.on(ListTargetsByRuleCommand).resolvesOnce({ Targets: [{ Id: TARGET_ID, Arn: STACK_TOPIC }], NextToken: 'more' }).resolves({ Targets: [{ Id: 'by-hand', Arn: 'x' }] });
    const rule = failureRuleResource(t.ctx, spec());
    await rule.addTags!({ Stack: 'flight-delays' }, {});
    await rule.destroy!();
    expect(t.events.commandCalls(TagResourceCommand)[0]!.args[0].input).toEqual({
      ResourceARN: 'arn:aws:events:eu-west-1:123456789012:rule/flight-delays-job-failed',
      Tags: [{ Key: 'Stack', Value: 'flight-delays' }],
    });
    expect(t.events.commandCalls(RemoveTargetsCommand)[0]!.args[0].input).toEqual({ Rule: 'flight-delays-job-failed', Ids: [TARGET_ID, 'by-hand'] });
    expect(t.events.commandCalls(DeleteRuleCommand)[0]!.args[0].input).toEqual({ Name: 'flight-delays-job-failed' });
  });

  it('is wanted with --notify or --notify-topic-arn', () => {
    expect(failureRuleResource(t.ctx, spec()).wanted).toBe(true);
    const mine = mockedStack({ raw: { notifyTopicArn: USER_TOPIC } });
    expect(failureRuleResource(mine.ctx, jobFailureSpec(mine.ctx)).wanted).toBe(true);
    const none = mockedStack();
    expect(failureRuleResource(none.ctx, jobFailureSpec(none.ctx)).wanted).toBe(false);
  });
});
