import {
  CreateCrawlerCommand,
  DeleteCrawlerCommand,
  GetCrawlerCommand,
  UpdateCrawlerCommand,
  type Crawler,
  type CrawlerTargets,
  type RecrawlPolicy,
  type SchemaChangePolicy,
} from '@aws-sdk/client-glue';
import type { StackContext } from '../core/context.js';
import { sameJson } from '../util/json.js';
import { PREFIX, s3Uri } from '../core/names.js';
import { glueResource } from './glue-resource.js';
import type { ResourceDefinition } from './resource.js';

export interface CrawlerSpec {
  readonly Role: string;
  readonly DatabaseName: string;
  readonly Description: string;
  readonly Targets: CrawlerTargets;
  readonly RecrawlPolicy: RecrawlPolicy;
  readonly SchemaChangePolicy: SchemaChangePolicy;
  readonly Configuration: string;
}

/**
 * Crawls raw/ only. New quarters arrive as new folders, so only new folders are crawled; a schema
 * change is logged, never applied by deleting tables; each top-level folder under raw/ (level 2
 * counting the bucket's top folder as 1) becomes one table, its Hive folders partitions. No schedule:
 * the workflow's trigger starts it, which is what lets the conditional trigger fire after it.
 */
export function crawlerSpec(ctx: Pick<StackContext, 'names' | 'roleArn'>): CrawlerSpec {
  return {
    Role: ctx.roleArn,
    DatabaseName: ctx.names.database,
    Description: `Catalogs the raw data of stack ${ctx.names.stack}`,
    Targets: { S3Targets: [{ Path: s3Uri(ctx.names.bucket, PREFIX.raw), Exclusions: ['**.md', '**/_*', '**/.*'] }] },
    RecrawlPolicy: { RecrawlBehavior: 'CRAWL_NEW_FOLDERS_ONLY' },
    // CRAWL_NEW_FOLDERS_ONLY requires LOG for both behaviours.
    SchemaChangePolicy: { UpdateBehavior: 'LOG', DeleteBehavior: 'LOG' },
    Configuration: JSON.stringify({
      Version: 1.0,
      Grouping: { TableGroupingPolicy: 'CombineCompatibleSchemas', TableLevelConfiguration: 2 },
      CrawlerOutput: { Partitions: { AddOrUpdateBehavior: 'InheritFromTable' } },
    }),
  };
}

type CrawlerKey = 'role' | 'database' | 'description' | 'targets' | 'recrawlPolicy' | 'schemaChangePolicy' | 'configuration' | 'schedule';

const LABELS: Readonly<Record<CrawlerKey, string>> = {
  role: 'role',
  database: 'database',
  description: 'description',
  targets: 'targets',
  recrawlPolicy: 'recrawl policy',
  schemaChangePolicy: 'schema change policy',
  configuration: 'configuration',
  schedule: 'schedule',
};

export function crawlerDrift(spec: CrawlerSpec, crawler: Crawler): CrawlerKey[] {
  const drift: CrawlerKey[] = [];
  if (roleName(crawler.Role) !== roleName(spec.Role)) drift.push('role');
  if (crawler.DatabaseName !== spec.DatabaseName) drift.push('database');
  if (crawler.Description !== spec.Description) drift.push('description');
  const targets = (crawler.Targets?.S3Targets ?? []).map((t) => ({ Path: t.Path, Exclusions: t.Exclusions ?? [] }));
  if (!sameJson(targets, spec.Targets.S3Targets)) drift.push('targets');
  if (crawler.RecrawlPolicy?.RecrawlBehavior !== spec.RecrawlPolicy.RecrawlBehavior) drift.push('recrawlPolicy');
  if (
    crawler.SchemaChangePolicy?.UpdateBehavior !== spec.SchemaChangePolicy.UpdateBehavior ||
    crawler.SchemaChangePolicy?.DeleteBehavior !== spec.SchemaChangePolicy.DeleteBehavior
  ) {
    drift.push('schemaChangePolicy');
  }
  if (!sameJson(parseConfiguration(crawler.Configuration), JSON.parse(spec.Configuration))) drift.push('configuration');
  // The spec has no schedule: one added by hand would crawl outside the workflow, and its crawls
  // would not fire the job's trigger.
  if (crawler.Schedule?.ScheduleExpression) drift.push('schedule');
  return drift;
}

/** Glue reports the role as given: a name or an ARN. Compare the names. */
function roleName(role: string | undefined): string | undefined {
  return role?.split('/').pop();
}

function parseConfiguration(text: string | undefined): unknown {
  try {
    return text ? JSON.parse(text) : undefined;
  } catch {
    return text;
  }
}

export function crawlerResource(ctx: StackContext): ResourceDefinition<Crawler, CrawlerKey> {
  const { glue } = ctx.aws;
  const Name = ctx.names.crawler;
  const spec = crawlerSpec(ctx);
  return glueResource(ctx, {
    type: 'crawler',
    name: Name,
    labels: LABELS,
    // Runs as the stack's role, which Glue may not see yet when it was created moments ago.
    assumesRole: true,
    get: async () => (await glue.send(new GetCrawlerCommand({ Name }))).Crawler,
    drift: (crawler) => crawlerDrift(spec, crawler),
    createDetails: () => [`over ${s3Uri(ctx.names.bucket, PREFIX.raw)}`, 'new folders only'],
    create: (Tags) => glue.send(new CreateCrawlerCommand({ Name, ...spec, Tags })),
    // UpdateCrawler leaves a schedule that is not mentioned as it is; an empty one removes it.
    update: (_crawler, keys) =>
      glue.send(new UpdateCrawlerCommand({ Name, ...spec, ...(keys.includes('schedule') ? { Schedule: '' } : {}) })),
    delete: () => glue.send(new DeleteCrawlerCommand({ Name })),
    summarize: (crawler) => ({ state: crawler.State }),
  });
}
