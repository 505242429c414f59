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
import { orUndefined } from '../aws/errors.js';
import { glueArn, s3Uri, type StackContext } from '../stack/context.js';
import { sameJson } from '../util/json.js';
import { PREFIX } from '../stack/names.js';
import { missingTags } from '../aws/tags.js';
import { retryWhileRolePropagates } from '../util/wait.js';
import { addMissingGlueTags, glueRemovable, readGlueTags } from './glue-tags.js';
import { assertOwnedByStack } from './ownership.js';
import type { Removable, Resource } from './resource.js';

export interface CrawlerState {
  readonly crawler: Crawler;
  readonly tags: Record<string, string>;
}

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

export function crawlerDrift(spec: CrawlerSpec, crawler: Crawler): string[] {
  const drift: string[] = [];
  if (roleName(crawler.Role) !== roleName(spec.Role)) drift.push('role');
  if (crawler.DatabaseName !== spec.DatabaseName) drift.push('database');
  if (crawler.Description !== spec.Description) drift.push('description');
  const targets = (crawler.Targets?.S3Targets ?? []).map((t) => ({ Path: t.Path, Exclusions: t.Exclusions ?? [] }));
  if (!sameJson(targets, spec.Targets.S3Targets)) drift.push('targets');
  if (crawler.RecrawlPolicy?.RecrawlBehavior !== spec.RecrawlPolicy.RecrawlBehavior) drift.push('recrawl policy');
  if (
    crawler.SchemaChangePolicy?.UpdateBehavior !== spec.SchemaChangePolicy.UpdateBehavior ||
    crawler.SchemaChangePolicy?.DeleteBehavior !== spec.SchemaChangePolicy.DeleteBehavior
  ) {
    drift.push('schema change policy');
  }
  if (!sameJson(parseConfiguration(crawler.Configuration), JSON.parse(spec.Configuration))) drift.push('configuration');
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

export function crawlerResource(ctx: StackContext): Resource<CrawlerState> {
  const { glue } = ctx.aws;
  const Name = ctx.names.crawler;
  const arn = glueArn(ctx.aws, 'crawler', Name);
  const spec = crawlerSpec(ctx);

  return {
    kind: 'crawler',
    name: Name,
    async describe() {
      const found = await orUndefined(glue.send(new GetCrawlerCommand({ Name })));
      if (!found?.Crawler) return undefined;
      const tags = await readGlueTags(glue, arn);
      assertOwnedByStack('crawler', Name, tags, ctx.names.stack);
      return { crawler: found.Crawler, tags };
    },
    drift(current) {
      const drift = crawlerDrift(spec, current.crawler);
      if (Object.keys(missingTags(ctx.tags, current.tags)).length > 0) drift.push('tags');
      return drift;
    },
    createDetails() {
      return [`over ${s3Uri(ctx.names.bucket, PREFIX.raw)}`, 'new folders only'];
    },
    async create() {
      await retryWhileRolePropagates(
        () => glue.send(new CreateCrawlerCommand({ Name, ...spec, Tags: { ...ctx.tags } })),
        ctx.logger,
        { signal: ctx.signal },
      );
      await addMissingGlueTags(glue, arn, ctx.tags);
    },
    async update(current, drift) {
      if (drift.some((d) => d !== 'tags')) {
        await retryWhileRolePropagates(() => glue.send(new UpdateCrawlerCommand({ Name, ...spec })), ctx.logger, {
          signal: ctx.signal,
        });
      }
      if (drift.includes('tags')) await addMissingGlueTags(glue, arn, ctx.tags, current.tags);
    },
  };
}

export function crawlerRemovable(ctx: StackContext): Removable {
  const { glue } = ctx.aws;
  const Name = ctx.names.crawler;
  return glueRemovable(
    ctx,
    'crawler',
    Name,
    () => glue.send(new GetCrawlerCommand({ Name })),
    () => glue.send(new DeleteCrawlerCommand({ Name })),
  );
}
