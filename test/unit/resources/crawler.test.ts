import {
  CreateCrawlerCommand,
  DeleteCrawlerCommand,
  GetCrawlerCommand,
  GetTagsCommand,
  TagResourceCommand,
  UpdateCrawlerCommand,
  type Crawler,
} from '@aws-sdk/client-glue';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { crawlerDrift, crawlerRemovable, crawlerResource, crawlerSpec } from '../../../src/resources/crawler.js';
import { glueInvalidInput, glueNotFound, rolePropagating } from '../support/errors.js';
import { glueResourceArn, mockedStack, sentCommands, type MockedStack } from '../support/stack.js';

const TAGS = { ManagedBy: 'glue-provisioner', Stack: 'flight-delays' };

let t: MockedStack;
beforeEach(() => {
  t = mockedStack({ raw: { bucket: 'data-bucket' } });
  t.glue.on(GetTagsCommand).resolves({ Tags: TAGS });
});
afterEach(() => {
  vi.useRealTimers();
});

/** The crawler as GetCrawler returns it once created from the spec: more fields, Glue's own formatting. */
function asGlueReturnsIt(): Crawler {
  return {
    Name: 'flight-delays-raw-crawler',
    Role: 'flight-delays-glue-role',
    DatabaseName: 'flight_delays',
    Description: 'Catalogs the raw data of stack flight-delays',
    Targets: {
      S3Targets: [{ Path: 's3://data-bucket/raw/', Exclusions: ['**.md', '**/_*', '**/.*'] }],
      JdbcTargets: [],
      DynamoDBTargets: [],
      CatalogTargets: [],
    },
    RecrawlPolicy: { RecrawlBehavior: 'CRAWL_NEW_FOLDERS_ONLY' },
    SchemaChangePolicy: { UpdateBehavior: 'LOG', DeleteBehavior: 'LOG' },
    LineageConfiguration: { CrawlerLineageSettings: 'DISABLE' },
    State: 'READY',
    CrawlElapsedTime: 0,
    CreationTime: new Date('2025-01-01T00:00:00Z'),
    Version: 1,
    Configuration:
      '{"Version":1.0,"CrawlerOutput":{"Partitions":{"AddOrUpdateBehavior":"InheritFromTable"}},"Grouping":{"TableLevelConfiguration":2,"TableGroupingPolicy":"CombineCompatibleSchemas"}}',
  };
}

describe('crawlerSpec', () => {
  it('crawls raw/ only, new folders only, logs schema changes, one table per folder, and has no schedule', () => {
    const spec = crawlerSpec(t.ctx);
    expect(spec.Role).toBe('arn:aws:iam::123456789012:role/flight-delays-glue-role');
    expect(spec.DatabaseName).toBe('flight_delays');
    expect(spec.Targets.S3Targets).toHaveLength(1);
    expect(spec.Targets.S3Targets?.[0]?.Path).toBe('s3://data-bucket/raw/');
    expect(Object.keys(spec.Targets)).toEqual(['S3Targets']);
    expect(spec.RecrawlPolicy).toEqual({ RecrawlBehavior: 'CRAWL_NEW_FOLDERS_ONLY' });
    expect(spec.SchemaChangePolicy).toEqual({ UpdateBehavior: 'LOG', DeleteBehavior: 'LOG' });
    const configuration = JSON.parse(spec.Configuration);
    expect(configuration.Version).toBe(1);
    expect(configuration.Grouping.TableLevelConfiguration).toBe(2);
    expect(spec).not.toHaveProperty('Schedule');
  });

  it('uses a role passed with --role-arn', () => {
    const s = mockedStack({ raw: { roleArn: 'arn:aws:iam::123456789012:role/team/shared-glue' } });
    expect(crawlerSpec(s.ctx).Role).toBe('arn:aws:iam::123456789012:role/team/shared-glue');
  });
});

describe('crawlerDrift', () => {
  const spec = () => crawlerSpec(t.ctx);

  it('is empty for the crawler as Glue returns it, role given by name or ARN', () => {
    expect(crawlerDrift(spec(), asGlueReturnsIt())).toEqual([]);
    expect(crawlerDrift(spec(), { ...asGlueReturnsIt(), Role: 'arn:aws:iam::123456789012:role/flight-delays-glue-role' })).toEqual([]);
  });

  it.each<[string, Partial<Crawler>]>([
    ['role', { Role: 'other-role' }],
    ['database', { DatabaseName: 'other_db' }],
    ['description', { Description: 'edited' }],
    ['targets', { Targets: { S3Targets: [{ Path: 's3://data-bucket/' }] } }],
    ['targets', { Targets: { S3Targets: [{ Path: 's3://data-bucket/raw/', Exclusions: ['**.md', '**/_*', '**/.*'] }, { Path: 's3://data-bucket/processed/' }] } }],
    ['recrawl policy', { RecrawlPolicy: { RecrawlBehavior: 'CRAWL_EVERYTHING' } }],
    ['schema change policy', { SchemaChangePolicy: { UpdateBehavior: 'UPDATE_IN_DATABASE', DeleteBehavior: 'LOG' } }],
    ['schema change policy', { SchemaChangePolicy: { UpdateBehavior: 'LOG', DeleteBehavior: 'DELETE_FROM_DATABASE' } }],
    ['configuration', { Configuration: '{"Version":1.0,"Grouping":{"TableLevelConfiguration":3}}' }],
    ['configuration', { Configuration: undefined }],
  ])('reports %s', (what, change) => {
    expect(crawlerDrift(spec(), { ...asGlueReturnsIt(), ...change })).toEqual([what]);
  });
});

describe('crawlerResource', () => {
  it('describes a missing crawler as undefined', async () => {
    t.glue.on(GetCrawlerCommand).rejects(glueNotFound());
    await expect(crawlerResource(t.ctx).describe()).resolves.toBeUndefined();
    expect(sentCommands(t)).toEqual(['GetCrawlerCommand']);
  });

  it('has no drift when the crawler and its tags are as wanted', async () => {
    t.glue.on(GetCrawlerCommand).resolves({ Crawler: asGlueReturnsIt() });
    const resource = crawlerResource(t.ctx);
    const state = await resource.describe();
    expect(resource.drift(state!)).toEqual([]);
    expect(t.glue.commandCalls(GetTagsCommand)[0]?.args[0].input).toEqual({
      ResourceArn: glueResourceArn(t.ctx, 'crawler', 'flight-delays-raw-crawler'),
    });
  });

  it('refuses to adopt a crawler of the same name that carries another stack\'s tags', async () => {
    t.glue.on(GetCrawlerCommand).resolves({ Crawler: asGlueReturnsIt() });
    t.glue.on(GetTagsCommand).resolves({ Tags: { ManagedBy: 'glue-provisioner', Stack: 'someone-else' } });
    await expect(crawlerResource(t.ctx).describe()).rejects.toMatchObject({
      fault: 'user',
      message: expect.stringContaining('crawler flight-delays-raw-crawler already exists and is not tagged as stack "flight-delays"'),
    });
  });

  it('creates the crawler from the spec with tags and without a schedule', async () => {
    await crawlerResource(t.ctx).create();
    const input = t.glue.commandCalls(CreateCrawlerCommand)[0]!.args[0].input;
    expect(input).toEqual({ Name: 'flight-delays-raw-crawler', ...crawlerSpec(t.ctx), Tags: TAGS });
    expect(input).not.toHaveProperty('Schedule');
    expect(t.glue.commandCalls(TagResourceCommand)).toHaveLength(0);
  });

  it('retries CreateCrawler while the new role propagates, then succeeds', async () => {
    vi.useFakeTimers();
    t.glue.on(CreateCrawlerCommand).rejectsOnce(rolePropagating()).rejectsOnce(rolePropagating()).resolves({});
    const created = crawlerResource(t.ctx).create();
    await vi.advanceTimersByTimeAsync(10_000);
    await created;
    expect(t.glue.commandCalls(CreateCrawlerCommand)).toHaveLength(3);
  });

  it('does not retry other invalid input', async () => {
    t.glue.on(CreateCrawlerCommand).rejects(glueInvalidInput('Invalid S3 path'));
    await expect(crawlerResource(t.ctx).create()).rejects.toThrow('Invalid S3 path');
    expect(t.glue.commandCalls(CreateCrawlerCommand)).toHaveLength(1);
  });

  it('updates a drifted crawler with the whole spec', async () => {
    const resource = crawlerResource(t.ctx);
    const state = { crawler: { ...asGlueReturnsIt(), RecrawlPolicy: { RecrawlBehavior: 'CRAWL_EVERYTHING' as const } }, tags: TAGS };
    const drift = resource.drift(state);
    expect(drift).toEqual(['recrawl policy']);
    await resource.update(state, drift);
    expect(sentCommands(t)).toEqual(['UpdateCrawlerCommand']);
    expect(t.glue.commandCalls(UpdateCrawlerCommand)[0]?.args[0].input).toEqual({ Name: 'flight-delays-raw-crawler', ...crawlerSpec(t.ctx) });
  });

  it('only tags a crawler whose tags are missing', async () => {
    const resource = crawlerResource(t.ctx);
    const state = { crawler: asGlueReturnsIt(), tags: {} };
    const drift = resource.drift(state);
    expect(drift).toEqual(['tags']);
    await resource.update(state, drift);
    expect(sentCommands(t)).toEqual(['TagResourceCommand']);
    expect(t.glue.commandCalls(TagResourceCommand)[0]?.args[0].input.TagsToAdd).toEqual(TAGS);
  });
});

describe('crawlerRemovable', () => {
  it('is absent, owned or foreign, and deletes by name', async () => {
    const removable = crawlerRemovable(t.ctx);
    t.glue.on(GetCrawlerCommand).rejects(glueNotFound());
    await expect(removable.ownership()).resolves.toBe('absent');
    t.glue.on(GetCrawlerCommand).resolves({ Crawler: asGlueReturnsIt() });
    await expect(removable.ownership()).resolves.toBe('owned');
    t.glue.on(GetTagsCommand).resolves({ Tags: { ManagedBy: 'glue-provisioner', Stack: 'other' } });
    await expect(removable.ownership()).resolves.toBe('foreign');
    await removable.destroy();
    expect(t.glue.commandCalls(DeleteCrawlerCommand)[0]?.args[0].input).toEqual({ Name: 'flight-delays-raw-crawler' });
  });
});
