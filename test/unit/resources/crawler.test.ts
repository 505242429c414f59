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
import { StepError } from '../../../src/core/errors.js';
import { crawlerDrift, crawlerResource, crawlerSpec } from '../../../src/resources/crawler.js';
import { applyStep, planStep } from '../../../src/stack/plan.js';
import { glueInvalidInput, glueNotFound, rolePropagating } from '../support/errors.js';
import { driftLabels, glueResourceArn, mockedStack, ownershipIn, sentCommands, updateStep, type MockedStack } from '../support/stack.js';

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

  it('is empty for a crawler without a schedule, however Glue says so', () => {
    expect(crawlerDrift(spec(), { ...asGlueReturnsIt(), Schedule: undefined })).toEqual([]);
    expect(crawlerDrift(spec(), { ...asGlueReturnsIt(), Schedule: { State: 'NOT_SCHEDULED' } })).toEqual([]);
    expect(crawlerDrift(spec(), { ...asGlueReturnsIt(), Schedule: { ScheduleExpression: '', State: 'NOT_SCHEDULED' } })).toEqual([]);
  });

  it.each<[string, ReturnType<typeof crawlerDrift>[number], Partial<Crawler>]>([
    ['role', 'role', { Role: 'other-role' }],
    ['database', 'database', { DatabaseName: 'other_db' }],
    ['description', 'description', { Description: 'edited' }],
    ['targets', 'targets', { Targets: { S3Targets: [{ Path: 's3://data-bucket/' }] } }],
    ['targets', 'targets', { Targets: { S3Targets: [{ Path: 's3://data-bucket/raw/', Exclusions: ['**.md', '**/_*', '**/.*'] }, { Path: 's3://data-bucket/processed/' }] } }],
    ['recrawl policy', 'recrawlPolicy', { RecrawlPolicy: { RecrawlBehavior: 'CRAWL_EVERYTHING' } }],
    ['schema change policy', 'schemaChangePolicy', { SchemaChangePolicy: { UpdateBehavior: 'UPDATE_IN_DATABASE', DeleteBehavior: 'LOG' } }],
    ['schema change policy', 'schemaChangePolicy', { SchemaChangePolicy: { UpdateBehavior: 'LOG', DeleteBehavior: 'DELETE_FROM_DATABASE' } }],
    ['configuration', 'configuration', { Configuration: '{"Version":1.0,"Grouping":{"TableLevelConfiguration":3}}' }],
    ['configuration', 'configuration', { Configuration: undefined }],
    ['schedule', 'schedule', { Schedule: { ScheduleExpression: 'cron(0 12 * * ? *)', State: 'SCHEDULED' } }],
    ['schedule', 'schedule', { Schedule: { ScheduleExpression: 'cron(0 12 * * ? *)', State: 'NOT_SCHEDULED' } }],
  ])('reports %s', (what, key, change) => {
    expect(crawlerDrift(spec(), { ...asGlueReturnsIt(), ...change })).toEqual([key]);
    expect(driftLabels(crawlerResource(t.ctx), { ...asGlueReturnsIt(), ...change })).toEqual([what]);
  });
});

describe('crawlerResource', () => {
  it('finds a missing crawler as undefined', async () => {
    t.glue.on(GetCrawlerCommand).rejects(glueNotFound());
    await expect(crawlerResource(t.ctx).find()).resolves.toBeUndefined();
    // The tags are read alongside, by the ARN the name gives: one round trip.
    expect(sentCommands(t).sort()).toEqual(['GetCrawlerCommand', 'GetTagsCommand']);
  });

  it('has no drift when the crawler and its tags are as wanted', async () => {
    t.glue.on(GetCrawlerCommand).resolves({ Crawler: asGlueReturnsIt() });
    const resource = crawlerResource(t.ctx);
    const found = await resource.find();
    expect(found).toEqual({ state: asGlueReturnsIt(), tags: TAGS });
    expect(resource.drift(found!.state)).toEqual([]);
    expect((await planStep(t.ctx, resource)).change).toMatchObject({ action: 'no-op', details: [] });
    expect(t.glue.commandCalls(GetCrawlerCommand)[0]?.args[0].input).toEqual({ Name: 'flight-delays-raw-crawler' });
    expect(t.glue.commandCalls(GetTagsCommand)[0]?.args[0].input).toEqual({
      ResourceArn: glueResourceArn(t.ctx, 'crawler', 'flight-delays-raw-crawler'),
    });
  });

  it("refuses, when planning, to adopt a crawler of the same name that carries another stack's tags", async () => {
    t.glue.on(GetCrawlerCommand).resolves({ Crawler: asGlueReturnsIt() });
    t.glue.on(GetTagsCommand).resolves({ Tags: { ManagedBy: 'glue-provisioner', Stack: 'someone-else' } });
    const failure = await planStep(t.ctx, crawlerResource(t.ctx)).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(StepError);
    expect(failure).toMatchObject({
      step: 'describe',
      fault: 'user',
      message: expect.stringContaining('crawler flight-delays-raw-crawler already exists and is not tagged as stack "flight-delays"'),
    });
    expect((failure as StepError).cause).toMatchObject({
      fault: 'user',
      message: expect.stringContaining('crawler flight-delays-raw-crawler already exists and is not tagged as stack "flight-delays"'),
    });
  });

  it('shows the crawl state in status', () => {
    expect(crawlerResource(t.ctx).summarize!({ ...asGlueReturnsIt(), State: 'RUNNING' })).toEqual({ state: 'RUNNING' });
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
    const state = { ...asGlueReturnsIt(), RecrawlPolicy: { RecrawlBehavior: 'CRAWL_EVERYTHING' as const } };
    const drift = resource.drift(state);
    expect(drift).toEqual(['recrawlPolicy']);
    expect(driftLabels(resource, state)).toEqual(['recrawl policy']);
    await resource.update(state, drift);
    expect(sentCommands(t)).toEqual(['UpdateCrawlerCommand']);
    expect(t.glue.commandCalls(UpdateCrawlerCommand)[0]?.args[0].input).toEqual({ Name: 'flight-delays-raw-crawler', ...crawlerSpec(t.ctx) });
  });

  it('removes a schedule added by hand: UpdateCrawler with an empty Schedule, the rest of the spec alike', async () => {
    const resource = crawlerResource(t.ctx);
    const state = { ...asGlueReturnsIt(), Schedule: { ScheduleExpression: 'cron(0 12 * * ? *)', State: 'SCHEDULED' as const } };
    const drift = resource.drift(state);
    expect(drift).toEqual(['schedule']);
    await resource.update(state, drift);
    expect(sentCommands(t)).toEqual(['UpdateCrawlerCommand']);
    expect(t.glue.commandCalls(UpdateCrawlerCommand)[0]?.args[0].input).toEqual({ Name: 'flight-delays-raw-crawler', ...crawlerSpec(t.ctx), Schedule: '' });
  });

  it('plans the removal of a hand-made schedule as an update of the crawler', async () => {
    t.glue.on(GetCrawlerCommand).resolves({ Crawler: { ...asGlueReturnsIt(), Schedule: { ScheduleExpression: 'cron(0 12 * * ? *)', State: 'SCHEDULED' } } });
    expect((await planStep(t.ctx, crawlerResource(t.ctx))).change).toMatchObject({ action: 'update', details: ['schedule'] });
  });

  it('only tags a crawler whose tags are missing (applyStep)', async () => {
    const resource = crawlerResource(t.ctx);
    const step = updateStep(t.ctx, resource, { state: asGlueReturnsIt(), tags: {} });
    expect(step.keys).toEqual(['tags']);
    expect(step.change).toMatchObject({ action: 'update', details: ['tags'] });
    await applyStep(t.ctx, step);
    expect(sentCommands(t)).toEqual(['TagResourceCommand']);
    expect(t.glue.commandCalls(TagResourceCommand)[0]?.args[0].input.TagsToAdd).toEqual(TAGS);
  });
});

describe('crawlerResource ownership and destroy', () => {
  it('is absent, owned or foreign, and deletes by name', async () => {
    const resource = crawlerResource(t.ctx);
    t.glue.on(GetCrawlerCommand).rejects(glueNotFound());
    await expect(ownershipIn(t, resource)).resolves.toBe('absent');
    t.glue.on(GetCrawlerCommand).resolves({ Crawler: asGlueReturnsIt() });
    await expect(ownershipIn(t, resource)).resolves.toBe('owned');
    t.glue.on(GetTagsCommand).resolves({ Tags: { ManagedBy: 'glue-provisioner', Stack: 'other' } });
    await expect(ownershipIn(t, resource)).resolves.toBe('foreign');
    await resource.destroy!();
    expect(t.glue.commandCalls(DeleteCrawlerCommand)[0]?.args[0].input).toEqual({ Name: 'flight-delays-raw-crawler' });
  });
});
