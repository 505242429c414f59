import type { StackContext } from './context.js';
import { StepError } from '../errors.js';
import type { Ownership, Removable } from '../resources/resource.js';
import { stopActiveRuns } from '../run/stop-runs.js';
import { teardownRemovables } from './resources.js';

export interface SurveyedResource {
  readonly removable: Removable;
  readonly ownership: Ownership;
}

/** Read-only: which of the stack's resources exist, and whether their tags say they are ours. */
export async function surveyTeardown(ctx: StackContext): Promise<SurveyedResource[]> {
  const removables = teardownRemovables(ctx);
  const ownerships = await Promise.all(
    removables.map(async (removable) => {
      try {
        return await removable.ownership();
      } catch (error) {
        throw new StepError('inspect', `${removable.kind} ${removable.name}`, error);
      }
    }),
  );
  return removables.map((removable, i) => ({ removable, ownership: ownerships[i]! }));
}

export interface TeardownOutcome {
  readonly deleted: string[];
  /** Resources with our names that this stack did not create: left alone. */
  readonly foreign: string[];
}

/** Stops runs, then deletes every owned resource, dependents first. */
export async function executeTeardown(ctx: StackContext, survey: readonly SurveyedResource[]): Promise<TeardownOutcome> {
  const owned = survey.filter((s) => s.ownership === 'owned');
  const outcome: TeardownOutcome = {
    deleted: [],
    foreign: survey.filter((s) => s.ownership === 'foreign').map((s) => label(s.removable)),
  };
  const ownsCrawler = owned.some((s) => s.removable.kind === 'crawler');
  const ownsJob = owned.some((s) => s.removable.kind === 'job');
  if (ownsCrawler || ownsJob) {
    try {
      await stopActiveRuns(ctx, { crawler: ownsCrawler, job: ownsJob });
    } catch (error) {
      throw new StepError('stop', `runs of ${ctx.names.crawler} and ${ctx.names.job}`, error);
    }
  }
  for (const { removable } of owned) {
    ctx.logger.info(`deleting ${label(removable)}`);
    try {
      await removable.destroy();
    } catch (error) {
      throw new StepError('delete', label(removable), error);
    }
    outcome.deleted.push(label(removable));
  }
  return outcome;
}

export function label(removable: Pick<Removable, 'kind' | 'name'>): string {
  return `${removable.kind} ${removable.name}`;
}
