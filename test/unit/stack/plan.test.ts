import { EntityNotFoundException, InternalServiceException } from '@aws-sdk/client-glue';
import { describe, expect, it, vi } from 'vitest';
import { ProvisionerError, StepError, UsageError } from '../../../src/errors.js';
import { applyStep, decide, planStep } from '../../../src/stack/plan.js';
import type { Resource } from '../../../src/resources/resource.js';

interface State {
  size: number;
}

/** A resource whose describe and drift are scripted, and whose create/update calls are recorded. */
function fakeResource(current: State | undefined | Error, wanted = 3): Resource<State> & { create: ReturnType<typeof vi.fn>; update: ReturnType<typeof vi.fn> } {
  return {
    kind: 'widget',
    name: 'w-1',
    describe: vi.fn(async () => {
      if (current instanceof Error) throw current;
      return current;
    }),
    drift: (c: State) => (c.size === wanted ? [] : [`size ${c.size} → ${wanted}`]),
    createDetails: () => [`size ${wanted}`],
    create: vi.fn(async () => {}),
    update: vi.fn(async () => {}),
  };
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
    const step = await planStep(resource);
    expect(step.change).toEqual({ kind: 'widget', name: 'w-1', action: 'create', details: ['size 3'] });
    expect(step.current).toBeUndefined();
    expect(resource.create).not.toHaveBeenCalled();
    expect(resource.update).not.toHaveBeenCalled();
  });

  it('plans an update with the drift, and a no-op when in sync', async () => {
    expect((await planStep(fakeResource({ size: 1 }))).change).toMatchObject({ action: 'update', details: ['size 1 → 3'] });
    expect((await planStep(fakeResource({ size: 3 }))).change).toMatchObject({ action: 'no-op', details: [] });
  });

  it('names the resource when describing fails, keeping the cause', async () => {
    const cause = new InternalServiceException({ message: 'Internal error\nmore lines', $metadata: {} });
    const failure = await planStep(fakeResource(cause)).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(StepError);
    expect((failure as StepError).message).toBe('describe widget w-1 failed: InternalServiceException: Internal error');
    expect((failure as StepError).cause).toBe(cause);
    expect((failure as StepError).exitCode).toBe(1);
  });

  it("keeps a user fault a user fault (exit 2), e.g. a bucket that is not the stack's", async () => {
    const failure = await planStep(fakeResource(new ProvisionerError('bucket b is not ours', 'user'))).catch((e: unknown) => e);
    expect((failure as StepError).fault).toBe('user');
    expect((failure as StepError).exitCode).toBe(2);
    expect((failure as Error).message).toBe('describe widget w-1 failed: bucket b is not ours');
  });
});

describe('applyStep', () => {
  it('creates a missing resource', async () => {
    const resource = fakeResource(undefined);
    await applyStep(await planStep(resource));
    expect(resource.create).toHaveBeenCalledTimes(1);
    expect(resource.update).not.toHaveBeenCalled();
  });

  it('updates a drifted resource with what it found and the drift', async () => {
    const resource = fakeResource({ size: 1 });
    await applyStep(await planStep(resource));
    expect(resource.update).toHaveBeenCalledWith({ size: 1 }, ['size 1 → 3']);
    expect(resource.create).not.toHaveBeenCalled();
  });

  it('does nothing for a resource in sync', async () => {
    const resource = fakeResource({ size: 3 });
    await applyStep(await planStep(resource));
    expect(resource.create).not.toHaveBeenCalled();
    expect(resource.update).not.toHaveBeenCalled();
  });

  it('names the step and the resource when applying fails', async () => {
    const resource = fakeResource(undefined);
    resource.create.mockRejectedValue(new EntityNotFoundException({ message: 'Database x not found', $metadata: {} }));
    const failure = await applyStep(await planStep(resource)).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(StepError);
    expect((failure as Error).message).toBe('create widget w-1 failed: EntityNotFoundException: Database x not found');

    const drifted = fakeResource({ size: 1 });
    drifted.update.mockRejectedValue(new UsageError('bad'));
    const updateFailure = await applyStep(await planStep(drifted)).catch((e: unknown) => e);
    expect((updateFailure as Error).message).toBe('update widget w-1 failed: bad');
    expect((updateFailure as StepError).exitCode).toBe(2);
  });
});
