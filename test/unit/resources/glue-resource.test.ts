import { AccessDeniedException, GetTagsCommand, TagResourceCommand } from '@aws-sdk/client-glue';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { glueArn, glueResource, type GlueResourceSpec } from '../../../src/resources/glue-resource.js';
import { applyStep } from '../../../src/stack/plan.js';
import { glueNotFound } from '../support/errors.js';
import { mockedStack, ownershipIn, sentCommands, updateStep, type MockedStack } from '../support/stack.js';

const ARN = 'arn:aws:glue:eu-west-1:123456789012:job/j';
const TAGS = { ManagedBy: 'glue-provisioner', Stack: 'flight-delays' };

interface State {
  readonly size: number;
}

let t: MockedStack;
beforeEach(() => {
  t = mockedStack();
});

/** A Glue resource whose Get, Create, Update and Delete calls are scripted and recorded; null: Get answers nothing. */
function spec(found: State | null | Error = { size: 3 }) {
  return {
    type: 'job',
    name: 'j',
    labels: { size: 'size' },
    get: vi.fn(async (): Promise<State | undefined> => {
      if (found instanceof Error) throw found;
      return found ?? undefined;
    }),
    drift: (state: State): 'size'[] => (state.size === 3 ? [] : ['size']),
    create: vi.fn(async () => {}),
    update: vi.fn(async () => {}),
    delete: vi.fn(async () => {}),
  } satisfies GlueResourceSpec<State, 'size'>;
}

describe('glueArn', () => {
  it('names the resource in the partition, region and account', () => {
    expect(glueArn(t.ctx.aws, 'job', 'j')).toBe(ARN);
    const cn = mockedStack({ region: 'cn-north-1', partition: 'aws-cn' });
    expect(glueArn(cn.ctx.aws, 'trigger', 'x')).toBe('arn:aws-cn:glue:cn-north-1:123456789012:trigger/x');
  });
});

describe('glueResource.find', () => {
  it('reads the tags of the ARN, and none for a resource that is gone', async () => {
    t.glue.on(GetTagsCommand).resolvesOnce({ Tags: { a: '1' } }).rejectsOnce(glueNotFound());
    const resource = glueResource(t.ctx, spec());
    await expect(resource.find()).resolves.toEqual({ state: { size: 3 }, tags: { a: '1' } });
    await expect(resource.find()).resolves.toEqual({ state: { size: 3 }, tags: {} });
    expect(t.glue.commandCalls(GetTagsCommand)[0]?.args[0].input).toEqual({ ResourceArn: ARN });
  });

  it('is undefined when the Get call says not found or returns nothing, whatever the tags read alongside say', async () => {
    t.glue.on(GetTagsCommand).rejects(glueNotFound());
    await expect(glueResource(t.ctx, spec(glueNotFound())).find()).resolves.toBeUndefined();
    t.glue.on(GetTagsCommand).rejects(new AccessDeniedException({ message: 'no', $metadata: {} }));
    await expect(glueResource(t.ctx, spec(null)).find()).resolves.toBeUndefined();
    expect(t.glue.commandCalls(GetTagsCommand)).toHaveLength(2);
  });

  it('passes on Get errors other than not found', async () => {
    const denied = new AccessDeniedException({ message: 'no', $metadata: {} });
    await expect(glueResource(t.ctx, spec(denied)).find()).rejects.toBe(denied);
  });

  it('leaves ownership to the stack: a resource with foreign tags is found as it is', async () => {
    t.glue.on(GetTagsCommand).resolves({ Tags: { Stack: 'someone-else' } });
    await expect(glueResource(t.ctx, spec()).find()).resolves.toEqual({ state: { size: 3 }, tags: { Stack: 'someone-else' } });
  });
});

describe('ownership of a Glue resource', () => {
  it('is absent when the resource does not exist, though its tags say owned', async () => {
    t.glue.on(GetTagsCommand).resolves({ Tags: TAGS });
    await expect(ownershipIn(t, glueResource(t.ctx, spec(glueNotFound())))).resolves.toBe('absent');
  });

  it('is owned or foreign by the tags', async () => {
    t.glue.on(GetTagsCommand).resolvesOnce({ Tags: TAGS }).resolvesOnce({ Tags: {} });
    await expect(ownershipIn(t, glueResource(t.ctx, spec()))).resolves.toBe('owned');
    await expect(ownershipIn(t, glueResource(t.ctx, spec()))).resolves.toBe('foreign');
  });
});

describe('glueResource.create', () => {
  it('passes the stack tags to the create call, and adds none when they were all applied', async () => {
    t.glue.on(GetTagsCommand).resolves({ Tags: TAGS });
    const s = spec();
    await glueResource(t.ctx, s).create();
    expect(s.create).toHaveBeenCalledWith(TAGS);
    expect(sentCommands(t)).toEqual(['GetTagsCommand']);
    expect(t.glue.commandCalls(GetTagsCommand)[0]?.args[0].input).toEqual({ ResourceArn: ARN });
  });

  it('reads the tags back itself and adds only the missing ones', async () => {
    t.glue.on(GetTagsCommand).resolves({ Tags: { ManagedBy: 'glue-provisioner', Team: 'data' } });
    await glueResource(t.ctx, spec()).create();
    expect(sentCommands(t)).toEqual(['GetTagsCommand', 'TagResourceCommand']);
    expect(t.glue.commandCalls(TagResourceCommand)[0]?.args[0].input).toEqual({ ResourceArn: ARN, TagsToAdd: { Stack: 'flight-delays' } });
  });

  it('adds every stack tag when the create call kept none', async () => {
    t.glue.on(GetTagsCommand).resolves({ Tags: {} });
    await glueResource(t.ctx, spec()).create();
    expect(t.glue.commandCalls(TagResourceCommand)[0]?.args[0].input).toEqual({ ResourceArn: ARN, TagsToAdd: TAGS });
  });

  it('tags nothing when the create call fails', async () => {
    const s = spec();
    s.create.mockRejectedValue(new AccessDeniedException({ message: 'no', $metadata: {} }));
    await expect(glueResource(t.ctx, s).create()).rejects.toBeInstanceOf(AccessDeniedException);
    expect(t.glue.calls()).toHaveLength(0);
  });
});

describe('glueResource tags, update and destroy', () => {
  it('adds exactly the tags it is given by ARN', async () => {
    await glueResource(t.ctx, spec()).addTags!({ b: '2' }, { a: '1' });
    expect(sentCommands(t)).toEqual(['TagResourceCommand']);
    expect(t.glue.commandCalls(TagResourceCommand)[0]?.args[0].input).toEqual({ ResourceArn: ARN, TagsToAdd: { b: '2' } });
  });

  it('repairs only the missing tags through applyStep, without reading them again', async () => {
    const resource = glueResource(t.ctx, spec());
    const step = updateStep(t.ctx, resource, { state: { size: 3 }, tags: { ManagedBy: 'glue-provisioner', z: '0' } });
    expect(step.keys).toEqual(['tags']);
    await applyStep(t.ctx, step);
    expect(sentCommands(t)).toEqual(['TagResourceCommand']);
    expect(t.glue.commandCalls(TagResourceCommand)[0]?.args[0].input).toEqual({ ResourceArn: ARN, TagsToAdd: { Stack: 'flight-delays' } });
  });

  it('adds no tags when none are missing', async () => {
    const s = spec();
    const resource = glueResource(t.ctx, s);
    const step = updateStep(t.ctx, resource, { state: { size: 1 }, tags: { ...TAGS, z: '0' } });
    expect(step.keys).toEqual(['size']);
    await applyStep(t.ctx, step);
    expect(t.glue.calls()).toHaveLength(0);
    expect(s.update).toHaveBeenCalledWith({ size: 1 }, ['size']);
  });

  it('hands drift, labels, updates and deletes to the spec', async () => {
    const s = spec();
    const resource = glueResource(t.ctx, s);
    expect(resource.kind).toBe('job');
    expect(resource.name).toBe('j');
    expect(resource.drift({ size: 1 })).toEqual(['size']);
    expect(resource.label('size')).toBe('size');
    expect(resource.createDetails).toBeUndefined();
    expect(resource.summarize).toBeUndefined();
    await resource.update({ size: 1 }, ['size']);
    expect(s.update).toHaveBeenCalledWith({ size: 1 }, ['size']);
    await resource.destroy!();
    expect(s.delete).toHaveBeenCalledTimes(1);
    expect(t.glue.calls()).toHaveLength(0);
  });

  it('passes create details and the status summary through when the spec has them', () => {
    const resource = glueResource(t.ctx, { ...spec(), createDetails: () => ['big'], summarize: (state: State) => ({ state: `size ${state.size}` }) });
    expect(resource.createDetails!()).toEqual(['big']);
    expect(resource.summarize!({ size: 2 })).toEqual({ state: 'size 2' });
  });
});
