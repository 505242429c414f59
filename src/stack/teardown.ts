import { StepError } from '../core/errors.js';
import type { AnyResource } from '../resources/resource.js';
import { stopActiveRuns } from '../run/stop-runs.js';
import type { StackContext } from '../core/context.js';
import { judgeOwnership, type Ownership } from './ownership.js';
import { deleteResource, findResource } from './plan.js';
import { standaloneResources } from './resources.js';

export interface SurveyedResource {
  readonly resource: AnyResource;
  readonly ownership: Ownership;
}

/**
 * Read-only: which of the stack's resources exist, and whether their tags say they are ours (or the
 * bucket is one an interrupted `up` left before it could tag it: ownership.ts isUnfinished).
 */
export async function surveyTeardown(ctx: StackContext): Promise<SurveyedResource[]> {
  // Dependents first: the reverse of the order `up` creates them in.
  const resources = standaloneResources(ctx).reverse();
  return Promise.all(
    resources.map(async (resource) => {
      try {
        return { resource, ownership: await judgeOwnership(ctx, resource, await findResource(ctx, resource)) };
      } catch (error) {
        throw new StepError('inspect', label(resource), error);
      }
    }),
  );
}

export interface TeardownOutcome {
  readonly deleted: string[];
  /** Resources with our names that this stack did not create: left alone. */
  readonly foreign: string[];
}

/** Stops runs, then deletes every owned resource, dependents first. */
export async function executeTeardown(ctx: StackContext, survey: readonly SurveyedResource[]): Promise<TeardownOutcome> {
  const owned = survey.filter((s) => s.ownership === 'owned').map((s) => s.resource);
  const outcome: TeardownOutcome = {
    deleted: [],
    foreign: survey.filter((s) => s.ownership === 'foreign').map((s) => label(s.resource)),
  };
  const ownsCrawler = owned.some((r) => r.kind === 'crawler');
  const ownsJob = owned.some((r) => r.kind === 'job');
  if (ownsCrawler || ownsJob) {
    try {
      await stopActiveRuns(ctx, { crawler: ownsCrawler, job: ownsJob });
    } catch (error) {
      throw new StepError('stop', `runs of ${ctx.names.crawler} and ${ctx.names.job}`, error);
    }
  }
  for (const resource of owned) {
    ctx.logger.info(`deleting ${label(resource)}`);
    try {
      await deleteResource(resource);
    } catch (error) {
      throw new StepError('delete', label(resource), error);
    }
    outcome.deleted.push(label(resource));
  }
  return outcome;
}

export function label(resource: Pick<AnyResource, 'kind' | 'name'>): string {
  return `${resource.kind} ${resource.name}`;
}
