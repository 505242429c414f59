import { isAccessDenied, isAlreadyExists, isNotFound } from '../aws/errors.js';
import { missingTags } from '../aws/tags.js';
import { StepError, describeCause } from '../core/errors.js';
import type { Action, AnyResource, Found, PlannedChange, ResourceKind } from '../resources/resource.js';
import type { StackContext } from '../core/context.js';
import { assertOwnedByStack, isOwnedBy, isUnfinished } from './ownership.js';

/** The drift key the stack adds for every tagged resource whose tags lack the stack's. */
export const TAGS_KEY = 'tags';

/** A resource with what it looks like now and what converging it takes. */
export interface PlannedStep {
  readonly resource: AnyResource;
  readonly found: Found<unknown> | undefined;
  /** The drift keys, `tags` included when the stack's tags are missing. */
  readonly keys: readonly string[];
  readonly change: PlannedChange;
}

/** Pure: the action for a resource given whether it exists and how it drifted. */
export function decide(kind: ResourceKind, name: string, exists: boolean, drift: readonly string[], createDetails: readonly string[] = []): PlannedChange {
  const action: Action = !exists ? 'create' : drift.length > 0 ? 'update' : 'no-op';
  return { kind, name, action, details: action === 'create' ? createDetails : drift };
}

/** What planning and applying a step need: the stack's names and tags, and a logger where there is one. */
export type StepContext = Pick<StackContext, 'names' | 'tags'> & Partial<Pick<StackContext, 'logger'>>;

/**
 * Reads one resource and decides what to do; makes no change. Ownership and tags are judged here
 * for every resource alike: an existing resource without the stack's tags is never adopted, unless
 * it is one this tool's own create left before it could tag it (isUnfinished: the bucket).
 */
export async function planStep(ctx: StepContext, resource: AnyResource): Promise<PlannedStep> {
  let found: Found<unknown> | undefined;
  try {
    found = await resource.find();
    if (found && resource.addTags && !isOwnedBy(found.tags, ctx.names.stack) && !(await isUnfinished(ctx, resource, found))) {
      assertOwnedByStack(resource.kind, resource.name, found.tags, ctx.names.stack);
    }
  } catch (error) {
    throw new StepError('describe', `${resource.kind} ${resource.name}`, error);
  }
  const keys: string[] = [];
  if (found) {
    keys.push(...resource.drift(found.state));
    if (resource.addTags && Object.keys(missingTags(ctx.tags, found.tags)).length > 0) keys.push(TAGS_KEY);
  }
  const details = keys.map((key) => (key === TAGS_KEY ? TAGS_KEY : resource.label(key)));
  const change = decide(resource.kind, resource.name, found !== undefined, details, resource.createDetails?.() ?? []);
  return { resource, found, keys, change };
}

/**
 * Reads a resource, for any command. One the settings turned off is looked for only to find what an
 * earlier `up` left: an identity that may not even read it (it never used that feature) gets a
 * warning instead of a failed command.
 */
export async function findResource(ctx: Pick<StackContext, 'logger'>, resource: AnyResource): Promise<Found<unknown> | undefined> {
  try {
    return await resource.find();
  } catch (error) {
    if (resource.wanted === false && isAccessDenied(error)) {
      ctx.logger.warn(`cannot look for ${resource.kind} ${resource.name} that an earlier up may have made, so it is left as it is: ${describeCause(error)}`);
      return undefined;
    }
    throw error;
  }
}

/**
 * Plans the deletion of a resource the settings turned off (alerts without --notify, no --dashboard):
 * only when it exists and carries the stack's tags. Absent, or someone else's, it is not in the plan.
 */
export async function planRemoval(ctx: Pick<StackContext, 'names' | 'logger'>, resource: AnyResource): Promise<PlannedStep | undefined> {
  let found: Found<unknown> | undefined;
  try {
    found = await findResource(ctx, resource);
  } catch (error) {
    throw new StepError('describe', `${resource.kind} ${resource.name}`, error);
  }
  if (!found || !isOwnedBy(found.tags, ctx.names.stack)) return undefined;
  return { resource, found, keys: [], change: { kind: resource.kind, name: resource.name, action: 'delete', details: [] } };
}

/** Deletes a resource; one that is already gone (deleted by someone else meanwhile) counts as deleted. */
export async function deleteResource(resource: AnyResource): Promise<void> {
  try {
    await resource.destroy?.();
  } catch (error) {
    // A failed look afterwards leaves the original error to report.
    if (isNotFound(error) && (await resource.find().catch(() => 'unknown')) === undefined) return;
    throw error;
  }
}

/** Carries out a planned step; a failure names the step and the resource, and a re-run resumes. */
export async function applyStep(ctx: StepContext, step: PlannedStep): Promise<void> {
  const { resource, found, keys, change } = step;
  try {
    if (change.action === 'create') {
      await createOrFinish(ctx, resource);
    } else if (change.action === 'delete') {
      await deleteResource(resource);
    } else if (change.action === 'update' && found !== undefined) {
      // Tags first: whatever fails after, the resource is still recognised as this stack's.
      if (keys.includes(TAGS_KEY)) await resource.addTags?.(missingTags(ctx.tags, found.tags), found.tags);
      const settings = keys.filter((key) => key !== TAGS_KEY);
      if (settings.length > 0) await resource.update(found.state, settings);
    }
  } catch (error) {
    throw new StepError(change.action, `${resource.kind} ${resource.name}`, error);
  }
}

/**
 * Creates a resource. A create whose answer was lost (a dropped connection, a timeout) has happened
 * all the same, and the SDK's retry of it then meets "already exists"; so may a create racing
 * another `up` of this stack. Either way the resource is there: if it is this stack's (its tags, or
 * an unfinished bucket), the create is finished as an update (tags, then the settings that differ);
 * if not, it is refused as any foreign resource is.
 */
async function createOrFinish(ctx: StepContext, resource: AnyResource): Promise<void> {
  try {
    await resource.create();
    return;
  } catch (error) {
    if (!isAlreadyExists(error)) throw error;
    let again: PlannedStep;
    try {
      again = await planStep(ctx, resource);
    } catch (planError) {
      // The reason it is not ours, rather than "describe failed".
      throw planError instanceof StepError ? planError.cause : planError;
    }
    if (again.change.action === 'create') throw error;
    ctx.logger?.info(`${resource.kind} ${resource.name} exists already (${describeCause(error)}): finishing it as stack ${ctx.names.stack}'s`);
    await applyStep(ctx, again);
  }
}
