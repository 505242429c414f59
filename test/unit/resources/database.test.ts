import {
  AccessDeniedException,
  BatchDeleteTableCommand,
  CreateDatabaseCommand,
  DeleteDatabaseCommand,
  GetDatabaseCommand,
  GetTablesCommand,
  GetTagsCommand,
  TagResourceCommand,
  UpdateDatabaseCommand,
} from '@aws-sdk/client-glue';
import { beforeEach, describe, expect, it } from 'vitest';
import { databaseResource } from '../../../src/resources/database.js';
import { applyStep, planStep } from '../../../src/stack/plan.js';
import { glueNotFound } from '../support/errors.js';
import { driftLabels, glueResourceArn, mockedStack, ownershipIn, sentCommands, updateStep, type MockedStack } from '../support/stack.js';

const DESCRIPTION = 'Raw flight tables crawled by stack flight-delays';
const TAGS = { ManagedBy: 'glue-provisioner', Stack: 'flight-delays' };

let t: MockedStack;
let arn: string;
beforeEach(() => {
  t = mockedStack();
  arn = glueResourceArn(t.ctx, 'database', 'flight_delays');
});

describe('databaseResource', () => {
  it('finds a missing database as undefined, its tags read alongside', async () => {
    t.glue.on(GetDatabaseCommand).rejects(glueNotFound('Database flight_delays not found.'));
    await expect(databaseResource(t.ctx).find()).resolves.toBeUndefined();
    expect(sentCommands(t).sort()).toEqual(['GetDatabaseCommand', 'GetTagsCommand']);
  });

  it('reads the description and the tags of the database ARN', async () => {
    t.glue.on(GetDatabaseCommand).resolves({ Database: { Name: 'flight_delays', Description: DESCRIPTION, CatalogId: '123456789012' } });
    t.glue.on(GetTagsCommand, { ResourceArn: arn }).resolves({ Tags: TAGS });
    const resource = databaseResource(t.ctx);
    const found = await resource.find();
    expect(found).toEqual({ state: { description: DESCRIPTION }, tags: TAGS });
    expect(resource.drift(found!.state)).toEqual([]);
    expect(t.glue.commandCalls(GetDatabaseCommand)[0]?.args[0].input).toEqual({ Name: 'flight_delays' });
  });

  it('passes on errors other than not found', async () => {
    t.glue.on(GetDatabaseCommand).rejects(new AccessDeniedException({ message: 'no', $metadata: {} }));
    await expect(databaseResource(t.ctx).find()).rejects.toBeInstanceOf(AccessDeniedException);
  });

  it('reports a changed description; planStep reports missing tags', async () => {
    const resource = databaseResource(t.ctx);
    expect(resource.drift({ description: 'hand edited' })).toEqual(['description']);
    expect(driftLabels(resource, { description: 'hand edited' })).toEqual(['description']);
    expect(resource.drift({ description: DESCRIPTION })).toEqual([]);

    t.glue.on(GetDatabaseCommand).resolves({ Database: { Name: 'flight_delays', Description: DESCRIPTION } });
    t.glue.on(GetTagsCommand, { ResourceArn: arn }).resolves({ Tags: TAGS });
    // Ours by its two ownership tags, but without a further tag the stack puts on what it creates.
    const step = await planStep({ names: t.ctx.names, tags: { ...TAGS, Team: 'data' } }, resource);
    expect(step.keys).toEqual(['tags']);
    expect(step.change).toEqual({ kind: 'database', name: 'flight_delays', action: 'update', details: ['tags'] });
    // Without the Stack tag it is not this stack's: refused, never tagged.
    t.glue.on(GetTagsCommand, { ResourceArn: arn }).resolves({ Tags: { ManagedBy: 'glue-provisioner' } });
    await expect(planStep(t.ctx, resource)).rejects.toMatchObject({ step: 'describe', fault: 'user' });
  });

  it('creates the database with the stack tags', async () => {
    t.glue.on(GetTagsCommand).resolves({ Tags: TAGS });
    await databaseResource(t.ctx).create();
    expect(t.glue.commandCalls(CreateDatabaseCommand)[0]?.args[0].input).toEqual({
      DatabaseInput: { Name: 'flight_delays', Description: DESCRIPTION },
      Tags: TAGS,
    });
    expect(t.glue.commandCalls(TagResourceCommand)).toHaveLength(0);
  });

  it('adds the tags itself when CreateDatabase did not apply them', async () => {
    t.glue.on(GetTagsCommand).resolves({ Tags: {} });
    await databaseResource(t.ctx).create();
    expect(t.glue.commandCalls(TagResourceCommand)[0]?.args[0].input).toEqual({ ResourceArn: arn, TagsToAdd: TAGS });
  });

  it('updates the description with the whole database input, and adds only missing tags, tags first (applyStep)', async () => {
    const resource = databaseResource(t.ctx);
    const step = updateStep(t.ctx, resource, { state: { description: undefined }, tags: { ManagedBy: 'glue-provisioner', Team: 'data' } });
    expect(step.keys).toEqual(['description', 'tags']);
    await applyStep(t.ctx, step);
    expect(sentCommands(t)).toEqual(['TagResourceCommand', 'UpdateDatabaseCommand']);
    expect(t.glue.commandCalls(UpdateDatabaseCommand)[0]?.args[0].input).toEqual({
      Name: 'flight_delays',
      DatabaseInput: { Name: 'flight_delays', Description: DESCRIPTION },
    });
    expect(t.glue.commandCalls(TagResourceCommand)[0]?.args[0].input).toEqual({ ResourceArn: arn, TagsToAdd: { Stack: 'flight-delays' } });
    expect(t.glue.commandCalls(GetTagsCommand)).toHaveLength(0);
  });
});

describe('databaseResource ownership and destroy', () => {
  it('is absent, owned or foreign', async () => {
    const resource = databaseResource(t.ctx);
    t.glue.on(GetDatabaseCommand).rejects(glueNotFound());
    await expect(ownershipIn(t, resource)).resolves.toBe('absent');
    t.glue.on(GetDatabaseCommand).resolves({ Database: { Name: 'flight_delays' } });
    t.glue.on(GetTagsCommand, { ResourceArn: arn }).resolves({ Tags: TAGS });
    await expect(ownershipIn(t, resource)).resolves.toBe('owned');
    t.glue.on(GetTagsCommand, { ResourceArn: arn }).resolves({ Tags: { Stack: 'flight-delays' } });
    await expect(ownershipIn(t, resource)).resolves.toBe('foreign');
  });

  it('deletes all tables in batches of at most 100 before the database', async () => {
    const names = Array.from({ length: 250 }, (_, i) => `table_${i}`);
    t.glue
      .on(GetTablesCommand)
      .resolvesOnce({ TableList: names.slice(0, 120).map((Name) => ({ Name })), NextToken: 'more' })
      .resolvesOnce({ TableList: names.slice(120).map((Name) => ({ Name })) });
    await databaseResource(t.ctx).destroy!();

    const batches = t.glue.commandCalls(BatchDeleteTableCommand).map((c) => c.args[0].input);
    expect(batches.map((b) => b.TablesToDelete?.length)).toEqual([100, 100, 50]);
    for (const batch of batches) expect(batch.DatabaseName).toBe('flight_delays');
    expect(batches.flatMap((b) => b.TablesToDelete)).toEqual(names);
    expect(t.glue.commandCalls(GetTablesCommand)[1]?.args[0].input).toMatchObject({ DatabaseName: 'flight_delays', NextToken: 'more' });
    expect(sentCommands(t).at(-1)).toBe('DeleteDatabaseCommand');
    expect(t.glue.commandCalls(DeleteDatabaseCommand)[0]?.args[0].input).toEqual({ Name: 'flight_delays' });
  });

  it('deletes an empty database without BatchDeleteTable', async () => {
    t.glue.on(GetTablesCommand).resolves({ TableList: [] });
    await databaseResource(t.ctx).destroy!();
    expect(sentCommands(t)).toEqual(['GetTablesCommand', 'DeleteDatabaseCommand']);
  });
});
