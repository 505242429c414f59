import {
  DeleteDashboardsCommand,
  GetDashboardCommand,
  ListTagsForResourceCommand,
  PutDashboardCommand,
  TagResourceCommand,
} from '@aws-sdk/client-cloudwatch';
import { orUndefined } from '../aws/errors.js';
import { tagList, tagRecord } from '../aws/tags.js';
import type { StackContext } from '../core/context.js';
import { MANAGED_BY_TAG, MANAGED_BY_VALUE, STACK_TAG } from '../core/tags.js';
import { sameJson } from '../util/json.js';
import { alertTarget } from './alerts.js';
import { labelsFrom, type ResourceDefinition, type Tags } from './resource.js';

export interface DashboardState {
  readonly arn: string;
  /** The body as JSON, or the text CloudWatch returned when it is not JSON. */
  readonly body: unknown;
}

type DashboardKey = 'widgets';

/** Where the job's driver prints, and so its RUN_REPORT line. */
const JOB_OUTPUT_LOG_GROUP = '/aws-glue/jobs/output';
const CRAWLER_LOG_GROUP = '/aws-glue/crawlers';

/** The dashboard shows about the last year: four quarterly runs. One point a day is enough for that. */
const TIME_RANGE = '-P400D';
const PERIOD = 86_400;

const header = (stack: string): string => `Managed by ${MANAGED_BY_VALUE} for stack \`${stack}\``;

/**
 * Glue's job metrics (sent because the job sets --enable-metrics; namespace Glue, JobRunId ALL sums
 * every run) and the job's own run reports. Glue has a metric for records read but none for records
 * written, so the rows read, written and quarantined per run come from the RUN_REPORT line the job
 * prints (one JSON line, job_name first; see glue-job/report.py), through CloudWatch Logs Insights.
 */
export function dashboardBody(ctx: Pick<StackContext, 'aws' | 'names' | 'settings'>): Record<string, unknown> {
  const { region } = ctx.aws;
  const { job, crawler, stack } = ctx.names;
  const glue = (metric: string, type: 'count' | 'gauge', options: Record<string, unknown>) => [
    'Glue',
    metric,
    'JobName',
    job,
    'JobRunId',
    'ALL',
    'Type',
    type,
    options,
  ];
  const metricWidget = (x: number, y: number, title: string, metrics: unknown[][], extra: Record<string, unknown> = {}) => ({
    type: 'metric',
    x,
    y,
    width: 12,
    height: 6,
    properties: { title, region, view: 'timeSeries', period: PERIOD, stacked: false, metrics, ...extra },
  });
  const logWidget = (x: number, y: number, title: string, query: string) => ({
    type: 'log',
    x,
    y,
    width: 24,
    height: 6,
    properties: { title, region, view: 'table', query },
  });

  const widgets: Record<string, unknown>[] = [
    {
      type: 'text',
      x: 0,
      y: 0,
      width: 24,
      height: 2,
      properties: {
        markdown: `# ${stack}\n${header(stack)}: \`provisioner up --dashboard\` writes this dashboard, so changes made here are lost. Glue job \`${job}\`, crawler \`${crawler}\`, ${region}.`,
      },
    },
    metricWidget(0, 2, 'Rows read per day (job)', [glue('glue.driver.aggregate.recordsRead', 'count', { stat: 'Sum', label: 'rows read' })]),
    // Glue reports the run time in milliseconds.
    metricWidget(12, 2, 'Run time (job, minutes)', [
      [{ expression: 'elapsed / 60000', label: 'minutes', id: 'minutes' }],
      glue('glue.driver.aggregate.elapsedTime', 'count', { stat: 'Maximum', id: 'elapsed', visible: false }),
    ]),
    metricWidget(
      0,
      8,
      'Memory used (share of the heap)',
      [
        glue('glue.driver.jvm.heap.usage', 'gauge', { stat: 'Maximum', label: 'driver' }),
        glue('glue.ALL.jvm.heap.usage', 'gauge', { stat: 'Maximum', label: 'executors' }),
      ],
      { yAxis: { left: { min: 0, max: 1, showUnits: false } } },
    ),
    metricWidget(12, 8, 'S3 bytes read and written (job)', [
      glue('glue.ALL.s3.filesystem.read_bytes', 'count', { stat: 'Sum', label: 'read' }),
      glue('glue.ALL.s3.filesystem.write_bytes', 'count', { stat: 'Sum', label: 'written' }),
    ]),
    logWidget(
      0,
      14,
      'Job runs: rows read, written and quarantined (from the run report)',
      `SOURCE '${JOB_OUTPUT_LOG_GROUP}' | filter @message like 'RUN_REPORT {"job_name":"${job}"'` +
        ` | parse @message '"rows":{"read":*,"written":*,"rejected":*}' as rowsRead, rowsWritten, rowsQuarantined` +
        ` | parse @message '"duration_seconds":*,' as seconds` +
        ` | sort @timestamp desc | display @timestamp, @logStream as run, rowsRead, rowsWritten, rowsQuarantined, seconds | limit 20`,
    ),
    logWidget(
      0,
      20,
      'Crawler: last runs',
      `SOURCE '${CRAWLER_LOG_GROUP}' | filter @logStream = '${crawler}' and (@message like /BENCHMARK/ or @message like /ERROR/)` +
        ' | sort @timestamp desc | display @timestamp, @message | limit 30',
    ),
  ];
  if (alertTarget(ctx.settings) !== 'none') {
    widgets.push({
      type: 'metric',
      x: 0,
      y: 26,
      width: 24,
      height: 6,
      properties: {
        title: 'Failure alerts sent (FailedInvocations: an alert that could not be delivered)',
        region,
        view: 'timeSeries',
        period: PERIOD,
        stacked: false,
        metrics: [ctx.names.jobFailureRule, ctx.names.crawlerFailureRule].flatMap((rule) => [
          ['AWS/Events', 'Invocations', 'RuleName', rule, { stat: 'Sum', label: `${rule} sent` }],
          ['AWS/Events', 'FailedInvocations', 'RuleName', rule, { stat: 'Sum', label: `${rule} failed` }],
        ]),
      },
    });
  }
  return { start: TIME_RANGE, periodOverride: 'inherit', widgets };
}

/**
 * The stack's tags as a dashboard carries them. Tags are the record, but CloudWatch has kept tags of
 * dashboards only since recently, and emulators keep none: then the header this tool writes on every
 * dashboard it makes names the stack, and stands in for the tags.
 */
export function dashboardTags(tags: Tags, body: unknown, stack: string): Tags {
  if (Object.keys(tags).length > 0) return tags;
  const widgets = (body as { widgets?: { type?: string; properties?: { markdown?: string } }[] } | undefined)?.widgets;
  const markdown = Array.isArray(widgets) && widgets[0]?.type === 'text' ? widgets[0].properties?.markdown : undefined;
  return typeof markdown === 'string' && markdown.includes(header(stack)) ? { [MANAGED_BY_TAG]: MANAGED_BY_VALUE, [STACK_TAG]: stack } : {};
}

/** `--dashboard`: one CloudWatch dashboard of the job's metrics, its run reports and the crawler's runs. */
export function dashboardResource(ctx: StackContext): ResourceDefinition<DashboardState, DashboardKey> {
  const { cloudwatch } = ctx.aws;
  const DashboardName = ctx.names.dashboard;
  const body = dashboardBody(ctx);
  const put = async (withTags: boolean): Promise<void> => {
    const { DashboardValidationMessages } = await cloudwatch.send(
      new PutDashboardCommand({
        DashboardName,
        DashboardBody: JSON.stringify(body),
        // Tags count only when the dashboard is created; later ones go through TagResource.
        ...(withTags ? { Tags: tagList(ctx.tags) } : {}),
      }),
    );
    for (const message of DashboardValidationMessages ?? []) {
      ctx.logger.warn(`dashboard ${DashboardName}: ${message.DataPath ?? ''} ${message.Message ?? ''}`.replace(/\s+/g, ' ').trim());
    }
  };

  return {
    kind: 'dashboard',
    name: DashboardName,
    wanted: ctx.settings.dashboard,
    label: labelsFrom<DashboardKey>({ widgets: 'widgets' }),

    async find() {
      const dashboard = await orUndefined(cloudwatch.send(new GetDashboardCommand({ DashboardName })));
      if (!dashboard?.DashboardName) return undefined;
      const arn = dashboard.DashboardArn ?? `arn:${ctx.aws.partition}:cloudwatch::${ctx.aws.accountId}:dashboard/${DashboardName}`;
      const current = parseBody(dashboard.DashboardBody);
      const tags = tagRecord((await orUndefined(cloudwatch.send(new ListTagsForResourceCommand({ ResourceARN: arn }))))?.Tags);
      return { state: { arn, body: current }, tags: dashboardTags(tags, current, ctx.names.stack) };
    },

    drift: (current) => (sameJson(current.body, body) ? [] : ['widgets']),

    createDetails() {
      return ['job metrics, run reports, crawler runs'];
    },

    create: () => put(true),

    update: () => put(false),

    async addTags(missing) {
      // Dashboards are global: their ARN has no region.
      const arn = `arn:${ctx.aws.partition}:cloudwatch::${ctx.aws.accountId}:dashboard/${DashboardName}`;
      await cloudwatch.send(new TagResourceCommand({ ResourceARN: arn, Tags: tagList(missing) }));
    },

    async destroy() {
      await cloudwatch.send(new DeleteDashboardsCommand({ DashboardNames: [DashboardName] }));
    },
  };
}

function parseBody(text: string | undefined): unknown {
  try {
    return text ? JSON.parse(text) : undefined;
  } catch {
    return text;
  }
}
