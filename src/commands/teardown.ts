import type { CommandEnv, Outcome } from './command.js';
import { EXIT_FAILURE, EXIT_OK, UsageError } from '../core/errors.js';
import { withStack } from '../stack/open-stack.js';
import { withLock } from '../stack/lock.js';
import { executeTeardown, label, surveyTeardown } from '../stack/teardown.js';

/** What teardown prints: what it deleted and what it left alone because another created it. */
export interface TeardownResult {
  readonly stack: string;
  readonly deleted: readonly string[];
  readonly leftAlone: readonly string[];
}

/**
 * Deletes what this stack created, data included. Without --yes it asks a person at a terminal,
 * and refuses anyone else, after saying what it would delete.
 */
export async function teardown({ settings, runtime, confirm }: CommandEnv, options: { yes: boolean }): Promise<Outcome<TeardownResult>> {
  const { logger } = runtime;
  return withStack(settings, runtime, async (ctx) => {
    const survey = await surveyTeardown(ctx);
    const owned = survey.filter((s) => s.ownership === 'owned').map((s) => label(s.resource));
    const foreign = survey.filter((s) => s.ownership === 'foreign').map((s) => label(s.resource));
    for (const name of foreign) {
      logger.error(`${name} exists but is not tagged as stack "${settings.name}"'s: leaving it alone`);
    }
    const finish = (deleted: readonly string[], leftAlone: readonly string[]): Outcome<TeardownResult> => ({
      exitCode: leftAlone.length > 0 ? EXIT_FAILURE : EXIT_OK,
      result: { stack: settings.name, deleted, leftAlone },
    });

    if (owned.length === 0) {
      logger.info(`nothing to delete for stack ${settings.name}`);
      return finish([], foreign);
    }

    if (!options.yes) {
      const question = `Delete these resources of stack ${settings.name}, including all data in the bucket?\n${owned.map((n) => `  - ${n}`).join('\n')}\n`;
      if (!confirm) {
        throw new UsageError(
          `teardown would delete ${owned.length} resources (${owned.join(', ')}), including all data in the bucket; pass --yes (or PROVISIONER_YES=true) to confirm`,
        );
      }
      if (!(await confirm(question))) {
        logger.warn('teardown cancelled: nothing was deleted');
        return { exitCode: EXIT_FAILURE };
      }
    }

    // The lock lives in the bucket: held while the stack is deleted, and gone with the bucket.
    const ownsBucket = survey.some((s) => s.resource.kind === 'bucket' && s.ownership === 'owned');
    const outcome = ownsBucket ? await withLock(ctx, 'teardown', () => executeTeardown(ctx, survey)) : await executeTeardown(ctx, survey);
    return finish(outcome.deleted, outcome.foreign);
  });
}
