import {
  DeleteDashboardsCommand,
  GetDashboardCommand,
  ListTagsForResourceCommand,
  PutDashboardCommand,
  TagResourceCommand,
} from '@aws-sdk/client-cloudwatch';
import { beforeEach, describe, expect, it } from 'vitest';
import { dashboardBody, dashboardResource, dashboardTags } from '../../../src/resources/dashboard.js';
import { dashboardNotFound } from '../support/errors.js';
import { mockedStack, sentCommands, type MockedStack } from '../support/stack.js';

const NAME = 'flight-delays-pipeline-eu-west-1';
const ARN = `arn:aws:cloudwatch::123456789012:dashboard/${NAME}`;
const TAGS = { ManagedBy: 'glue-provisioner', Stack: 'flight-delays' };

type Widget = { type: string; properties: Record<string, unknown> };

let t: MockedStack;
beforeEach(() => {
  t = mockedStack({ raw: { dashboard: true } });
});

const widgets = (stack: MockedStack): Widget[] => (dashboardBody(stack.ctx) as { widgets: Widget[] }).widgets;

describe('dashboardBody', () => {
  it('charts the metrics Glue sends for the stack\'s job with --enable-metrics, over every run', () => {
    const metrics = widgets(t)
      .filter((w) => w.type === 'metric')
      .flatMap((w) => w.properties.metrics as unknown[][])
      .filter((m) => m[0] === 'Glue');
    expect(metrics.map((m) => m[1])).toEqual([
      'glue.driver.aggregate.recordsRead',
      'glue.driver.aggregate.elapsedTime',
      'glue.driver.jvm.heap.usage',
      'glue.ALL.jvm.heap.usage',
      'glue.ALL.s3.filesystem.read_bytes',
      'glue.ALL.s3.filesystem.write_bytes',
    ]);
    for (const m of metrics) expect(m.slice(2, 6)).toEqual(['JobName', 'flight-delays-features', 'JobRunId', 'ALL']);
    for (const w of widgets(t).filter((x) => x.type !== 'text')) expect(w.properties.region).toBe('eu-west-1');
  });

  it('reads the rows written per run from the job\'s RUN_REPORT line (Glue has no metric for them), and the crawler\'s last runs', () => {
    const queries = widgets(t)
      .filter((w) => w.type === 'log')
      .map((w) => String(w.properties.query));
    expect(queries[0]).toContain(`SOURCE '/aws-glue/jobs/output' | filter @message like 'RUN_REPORT {"job_name":"flight-delays-features"'`);
    expect(queries[0]).toContain(`parse @message '"rows":{"read":*,"written":*,"rejected":*}' as rowsRead, rowsWritten, rowsQuarantined`);
    expect(queries[1]).toContain(`SOURCE '/aws-glue/crawlers' | filter @logStream = 'flight-delays-raw-crawler'`);
  });

  it('adds the failure rules\' deliveries when alerts are on', () => {
    expect(JSON.stringify(dashboardBody(t.ctx))).not.toContain('AWS/Events');
    const alerted = mockedStack({ raw: { dashboard: true, notify: ['ops@example.com'] } });
    const events = widgets(alerted)
      .flatMap((w) => (w.properties.metrics as unknown[][] | undefined) ?? [])
      .filter((m) => m[0] === 'AWS/Events');
    expect(events.map((m) => `${m[1]} ${m[3]}`)).toEqual([
      'Invocations flight-delays-job-failed',
      'FailedInvocations flight-delays-job-failed',
      'Invocations flight-delays-crawl-failed',
      'FailedInvocations flight-delays-crawl-failed',
    ]);
  });

  it('opens with a header naming the stack and that up rewrites the dashboard', () => {
    expect(widgets(t)[0]).toMatchObject({ type: 'text' });
    expect(widgets(t)[0]!.properties.markdown).toContain('Managed by glue-provisioner for stack `flight-delays`');
  });
});

describe('dashboardTags', () => {
  const body = () => dashboardBody(t.ctx);

  it('are the tags CloudWatch keeps', () => {
    expect(dashboardTags({ Owner: 'bob' }, body(), 'flight-delays')).toEqual({ Owner: 'bob' });
  });

  it('are read from the header when CloudWatch keeps none, for this stack only', () => {
    expect(dashboardTags({}, body(), 'flight-delays')).toEqual(TAGS);
    expect(dashboardTags({}, body(), 'other-stack')).toEqual({});
    expect(dashboardTags({}, { widgets: [{ type: 'text', properties: { markdown: 'hand made' } }] }, 'flight-delays')).toEqual({});
    expect(dashboardTags({}, 'not json', 'flight-delays')).toEqual({});
  });
});

describe('dashboardResource', () => {
  it('is found with its body and tags; absent when CloudWatch has no such dashboard', async () => {
    t.cloudwatch.on(GetDashboardCommand).resolves({ DashboardName: NAME, DashboardArn: ARN, DashboardBody: JSON.stringify(dashboardBody(t.ctx)) });
    t.cloudwatch.on(ListTagsForResourceCommand).resolves({ Tags: [{ Key: 'ManagedBy', Value: 'glue-provisioner' }, { Key: 'Stack', Value: 'flight-delays' }] });
    const dashboard = dashboardResource(t.ctx);
    const found = await dashboard.find();
    expect(found?.tags).toEqual(TAGS);
    expect(dashboard.drift(found!.state)).toEqual([]);
    expect(t.cloudwatch.commandCalls(ListTagsForResourceCommand)[0]!.args[0].input).toEqual({ ResourceARN: ARN });

    t.cloudwatch.on(GetDashboardCommand).rejects(dashboardNotFound());
    await expect(dashboard.find()).resolves.toBeUndefined();
  });

  it('drifts when its widgets were changed', () => {
    expect(dashboardResource(t.ctx).drift({ arn: ARN, body: { widgets: [] } })).toEqual(['widgets']);
  });

  it('creates with the tags in PutDashboard, updates without (CloudWatch ignores them then), deletes by name', async () => {
    t.cloudwatch.on(PutDashboardCommand).resolves({ DashboardValidationMessages: [] });
    const dashboard = dashboardResource(t.ctx);
    await dashboard.create();
    await dashboard.update({ arn: ARN, body: {} }, ['widgets']);
    await dashboard.addTags!({ Stack: 'flight-delays' }, {});
    await dashboard.destroy!();
    expect(sentCommands(t)).toEqual(['PutDashboardCommand', 'PutDashboardCommand', 'TagResourceCommand', 'DeleteDashboardsCommand']);
    const [create, update] = t.cloudwatch.commandCalls(PutDashboardCommand).map((c) => c.args[0].input);
    expect(create).toMatchObject({ DashboardName: NAME, Tags: [{ Key: 'ManagedBy', Value: 'glue-provisioner' }, { Key: 'Stack', Value: 'flight-delays' }] });
    expect(JSON.parse(create!.DashboardBody!)).toEqual(dashboardBody(t.ctx));
    expect(update!.Tags).toBeUndefined();
    expect(t.cloudwatch.commandCalls(TagResourceCommand)[0]!.args[0].input.ResourceARN).toBe(ARN);
    expect(t.cloudwatch.commandCalls(DeleteDashboardsCommand)[0]!.args[0].input).toEqual({ DashboardNames: [NAME] });
  });

  it('is wanted with --dashboard only', () => {
    expect(dashboardResource(t.ctx).wanted).toBe(true);
    expect(dashboardResource(mockedStack().ctx).wanted).toBe(false);
  });
});
