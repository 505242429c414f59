import type { Action, PlannedChange, Resource } from '../resources/resource.js';
import { StepError } from '../errors.js';

/** A resource with what it looks like now and what converging it takes. */
export interface PlannedStep<Current = unknown> {
  readonly resource: Resource<Current>;
  readonly current: Current | undefined;
  readonly change: PlannedChange;
}

/** Pure: the action for a resource given whether it exists and how it drifted. */
export function decide(kind: string, name: string, exists: boolean, drift: readonly string[], createDetails: readonly string[] = []): PlannedChange {
  const action: Action = !exists ? 'create' : drift.length > 0 ? 'update' : 'no-op';
  return { kind, name, action, details: action === 'create' ? createDetails : drift };
}

/** Describes one resource and decides what to do; makes no change. */
export async function planStep<Current>(resource: Resource<Current>): Promise<PlannedStep<Current>> {
  let current: Current | undefined;
  try {
    current = await resource.describe();
  } catch (error) {
    throw new StepError('describe', `${resource.kind} ${resource.name}`, error);
  }
  const drift = current === undefined ? [] : resource.drift(current);
  const change = decide(resource.kind, resource.name, current !== undefined, drift, resource.createDetails?.() ?? []);
  return { resource, current, change };
}

/** Carries out a planned step; a failure names the step and the resource, and a re-run resumes. */
export async function applyStep<Current>(step: PlannedStep<Current>): Promise<void> {
  const { resource, current, change } = step;
  try {
    if (change.action === 'create') await resource.create();
    else if (change.action === 'update' && current !== undefined) await resource.update(current, change.details);
  } catch (error) {
    throw new StepError(change.action, `${resource.kind} ${resource.name}`, error);
  }
}
