import { EntityNotFoundException, InternalServiceException } from '@aws-sdk/client-glue';
import { describe, expect, it, vi } from 'vitest';
import { ProvisionerError, StepError, UsageError } from '../../../src/core/errors.js';
import type { Found, ResourceDefinition, Tags, ResourceKind } from '../../../src/resources/resource.js';
import { TAGS_KEY, applyStep, decide, planStep } from '../../../src/stack/plan.js';
import { stackNames } from '../../../src/core/names.js';
import { stackTags } from '../../../src/core/tags.js';

interface State {
  size: number;
}

const OURS = stackTags('s');
/** What planStep and applyStep are handed: the stack's names and tags. */
const ctx = { names: stackNames('s', '123456789012', 'eu-west-1'), tags: OURS };

type Fake = ResourceDefinition<State, 'size'> & {
  find: ReturnType<typeof vi.fn>;
  create: ReturnType<typeof vi.fn>;
  update: ReturnType<typeof vi.fn>;
  addTags: ReturnType<typeof vi.fn>;
};

/**
 * A resource whose find and drift are scripted, and whose create/update/addTags calls are recorded.
 * `current` is the state found (with the stack's tags unless `tags` says otherwise), undefined when
 * missing, or the error find throws.
 */
function fakeResource(current: State | undefined | Error, options: { wanted?: number; tags?: Tags; kind?: string } = {}): Fake {
  const wanted = options.wanted ?? 3;
  return {
    // A kind of its own, so that no message could come from a real resource module.
    kind: (options.kind ?? 'widget') as ResourceKind,
    name: 'w-1',
    find: vi.fn(async (): Promise<Found<State> | undefined> => {
      if (current instanceof Error) throw current;
      return current && { state: current, tags: options.tags ?? OURS };
    }),
    drift: (c: State) => (c.size === wanted ? [] : ['size']),
    label: (key) => `${key} → ${wanted}`,
    createDetails: () => [`size ${wanted}`],
    create: vi.fn(async () => {}),
    update: vi.fn(async () => {}),
    addTags: vi.fn(async () => {}),
  };
}

/** Like fakeResource, but for what lives inside another resource: no tags, no addTags of its own. */
function untaggedResource(current: State | undefined): ResourceDefinition<State, 'size'> & { update: ReturnType<typeof vi.fn> } {
  const resource: Partial<Fake> = fakeResource(current, { tags: {} });
  delete resource.addTags;
  return resource as ResourceDefinition<State, 'size'> & { update: ReturnType<typeof vi.fn> };
}

describe('decide', () => {
  it('creates what does not exist, with the create details', () => {
    expect(decide('bucket', 'b', false, [], ['SSE-S3'])).toEqual({ kind: 'bucket', name: 'b', action: 'create', details: ['SSE-S3'] });
  });

  it('updates what drifted, listing the drift', () => {
    expect(decide('job', 'j', true, ['workers'], ['ignored'])).toEqual({ kind: 'job', name: 'j', action: 'update', details: ['workers'] });
  });

  it('leaves alone what is in sync', () => {
    expect(decide('job', 'j', true, [])).toEqual({ kind: 'job', name: 'j', action: 'no-op', details: [] });
  });
});

describe('planStep', () => {
  it('plans a create for a missing resource and changes nothing', async () => {
    const resource = fakeResource(undefined);
    const step = await planStep(ctx, resource);
    expect(step.change).toEqual({ kind: 'widget', name: 'w-1', action: 'create', details: ['size 3'] });
    expect(step.found).toBeUndefined();
    expect(step.keys).toEqual([]);
    expect(resource.create).not.toHaveBeenCalled();
    expect(resource.update).not.toHaveBeenCalled();
    expect(resource.addTags).not.toHaveBeenCalled();
  });

  it('plans an update with the drift in the words of its labels, and a no-op when in sync', async () => {
    const drifted = await planStep(ctx, fakeResource({ size: 1 }));
    expect(drifted.change).toMatchObject({ action: 'update', details: ['size → 3'] });
    expect(drifted.keys).toEqual(['size']);
    expect(drifted.found).toEqual({ state: { size: 1 }, tags: OURS });
    expect((await planStep(ctx, fakeResource({ size: 3 }))).change).toMatchObject({ action: 'no-op', details: [] });
  });

  it('names the resource when describing fails, keeping the cause', async () => {
    const cause = new InternalServiceException({ message: 'Internal error\nmore lines', $metadata: {} });
    const failure = await planStep(ctx, fakeResource(cause)).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(StepError);
    expect((failure as StepError).message).toBe('describe widget w-1 failed: InternalServiceException: Internal error');
    expect((failure as StepError).cause).toBe(cause);
    expect((failure as StepError).exitCode).toBe(1);
  });

  it('keeps a user fault a user fault (exit 2)', async () => {
    const failure = await planStep(ctx, fakeResource(new ProvisionerError('bucket b is not ours', 'user'))).catch((e: unknown) => e);
    expect((failure as StepError).fault).toBe('user');
    expect((failure as StepError).exitCode).toBe(2);
    expect((failure as Error).message).toBe('describe widget w-1 failed: bucket b is not ours');
  });

  it.each([
    ['no tags at all', {}],
    ["another stack's tags", { ManagedBy: 'glue-provisioner', Stack: 'other' }],
    ["another tool's tags", { ManagedBy: 'terraform', Stack: 's' }],
    ['only the Stack tag', { Stack: 's' }],
  ])('never adopts an existing resource with %s: a user fault naming it, and nothing changes', async (_what, tags) => {
    const resource = fakeResource({ size: 1 }, { tags });
    const failure = await planStep(ctx, resource).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(StepError);
    expect(failure).toMatchObject({ step: 'describe', resource: 'widget w-1', fault: 'user' });
    expect((failure as StepError).exitCode).toBe(2);
    expect((failure as Error).message).toBe(
      'describe widget w-1 failed: widget w-1 already exists and is not tagged as stack "s"\'s; choose another --name, or remove it',
    );
    expect((failure as StepError).cause).toBeInstanceOf(ProvisionerError);
    expect(resource.create).not.toHaveBeenCalled();
    expect(resource.update).not.toHaveBeenCalled();
    expect(resource.addTags).not.toHaveBeenCalled();
  });

  it('tells the owner of a foreign bucket to choose another --bucket or --name', async () => {
    const failure = await planStep(ctx, fakeResource({ size: 3 }, { kind: 'bucket', tags: {} })).catch((e: unknown) => e);
    expect((failure as Error).message).toBe(
      'describe bucket w-1 failed: bucket w-1 already exists and is not tagged as stack "s"\'s; choose another --bucket or --name',
    );
  });

  it("adds the tags key, shown as 'tags', when an owned resource lacks some of the stack's tags", async () => {
    const wider = { ...ctx, tags: { ...OURS, Team: 'data' } };
    const tagsOnly = await planStep(wider, fakeResource({ size: 3 }));
    expect(tagsOnly.keys).toEqual([TAGS_KEY]);
    expect(tagsOnly.change).toEqual({ kind: 'widget', name: 'w-1', action: 'update', details: ['tags'] });
    const both = await planStep(wider, fakeResource({ size: 1 }));
    expect(both.keys).toEqual(['size', 'tags']);
    expect(both.change.details).toEqual(['size → 3', 'tags']);
  });

  it('keeps others\' tags without drift: only missing stack tags count', async () => {
    const step = await planStep(ctx, fakeResource({ size: 3 }, { tags: { ...OURS, CostCenter: 'data' } }));
    expect(step.change.action).toBe('no-op');
  });

  it('judges neither ownership nor tags of what has no tags of its own (objects inside the bucket)', async () => {
    const step = await planStep(ctx, untaggedResource({ size: 1 }));
    expect(step.keys).toEqual(['size']);
    expect(step.change).toMatchObject({ action: 'update', details: ['size → 3'] });
    expect((await planStep(ctx, untaggedResource({ size: 3 }))).change.action).toBe('no-op');
  });
});

describe('applyStep', () => {
  it('creates a missing resource', async () => {
    const resource = fakeResource(undefined);
    await applyStep(ctx, await planStep(ctx, resource));
    expect(resource.create).toHaveBeenCalledTimes(1);
    expect(resource.update).not.toHaveBeenCalled();
    expect(resource.addTags).not.toHaveBeenCalled();
  });

  it('updates a drifted resource with what it found and the drift keys', async () => {
    const resource = fakeResource({ size: 1 });
    await applyStep(ctx, await planStep(ctx, resource));
    expect(resource.update).toHaveBeenCalledWith({ size: 1 }, ['size']);
    expect(resource.create).not.toHaveBeenCalled();
    expect(resource.addTags).not.toHaveBeenCalled();
  });

  it('does nothing for a resource in sync', async () => {
    const resource = fakeResource({ size: 3 });
    await applyStep(ctx, await planStep(ctx, resource));
    expect(resource.create).not.toHaveBeenCalled();
    expect(resource.update).not.toHaveBeenCalled();
    expect(resource.addTags).not.toHaveBeenCalled();
  });

  it('adds the missing tags first, keeping the current ones, then updates the rest without the tags key', async () => {
    const wider = { ...ctx, tags: { ...OURS, Team: 'data' } };
    const current = { ...OURS, CostCenter: 'x' };
    const resource = fakeResource({ size: 1 }, { tags: current });
    const order: string[] = [];
    resource.addTags.mockImplementation(async () => void order.push('addTags'));
    resource.update.mockImplementation(async () => void order.push('update'));
    await applyStep(wider, await planStep(wider, resource));
    expect(order).toEqual(['addTags', 'update']);
    expect(resource.addTags).toHaveBeenCalledWith({ Team: 'data' }, current);
    expect(resource.update).toHaveBeenCalledWith({ size: 1 }, ['size']);
  });

  it('only tags a resource whose settings are in sync', async () => {
    const wider = { ...ctx, tags: { ...OURS, Team: 'data' } };
    const resource = fakeResource({ size: 3 });
    await applyStep(wider, await planStep(wider, resource));
    expect(resource.addTags).toHaveBeenCalledWith({ Team: 'data' }, OURS);
    expect(resource.update).not.toHaveBeenCalled();
  });

  it('changes no setting when tagging fails', async () => {
    const wider = { ...ctx, tags: { ...OURS, Team: 'data' } };
    const resource = fakeResource({ size: 1 });
    resource.addTags.mockRejectedValue(new InternalServiceException({ message: 'throttled', $metadata: {} }));
    const failure = await applyStep(wider, await planStep(wider, resource)).catch((e: unknown) => e);
    expect((failure as Error).message).toBe('update widget w-1 failed: InternalServiceException: throttled');
    expect(resource.update).not.toHaveBeenCalled();
  });

  it('names the step and the resource when applying fails', async () => {
    const resource = fakeResource(undefined);
    resource.create.mockRejectedValue(new EntityNotFoundException({ message: 'Database x not found', $metadata: {} }));
    const failure = await applyStep(ctx, await planStep(ctx, resource)).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(StepError);
    expect((failure as Error).message).toBe('create widget w-1 failed: EntityNotFoundException: Database x not found');

    const drifted = fakeResource({ size: 1 });
    drifted.update.mockRejectedValue(new UsageError('bad'));
    const updateFailure = await applyStep(ctx, await planStep(ctx, drifted)).catch((e: unknown) => e);
    expect((updateFailure as Error).message).toBe('update widget w-1 failed: bad');
    expect((updateFailure as StepError).exitCode).toBe(2);
  });
});
