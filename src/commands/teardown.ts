import { destroyClients } from '../aws/clients.js';
import { EXIT_FAILURE, EXIT_OK, UsageError } from '../errors.js';
import { openStack } from '../stack/resources.js';
import { executeTeardown, label, surveyTeardown } from '../stack/teardown.js';
import type { CommandEnv } from '../cli/io.js';

/**
 * Deletes what this stack created, data included. Without --yes it asks a person at a terminal,
 * and refuses anyone else, after saying what it would delete.
 */
export async function teardown({ settings, runtime, io }: CommandEnv, options: { yes: boolean }): Promise<number> {
  const { logger } = runtime;
  const ctx = await openStack(settings, runtime);
  try {
    const survey = await surveyTeardown(ctx);
    const owned = survey.filter((s) => s.ownership === 'owned').map((s) => label(s.removable));
    const foreign = survey.filter((s) => s.ownership === 'foreign').map((s) => label(s.removable));
    for (const name of foreign) {
      logger.error(`${name} exists but is not tagged as stack "${settings.name}"'s: leaving it alone`);
    }

    if (owned.length === 0) {
      logger.info(`nothing to delete for stack ${settings.name}`);
      report([], foreign);
      return foreign.length > 0 ? EXIT_FAILURE : EXIT_OK;
    }

    if (!options.yes) {
      const question = `Delete these resources of stack ${settings.name}, including all data in the bucket?\n${owned.map((n) => `  - ${n}`).join('\n')}\n`;
      if (!io.confirm) {
        throw new UsageError(
          `teardown would delete ${owned.length} resources (${owned.join(', ')}), including all data in the bucket; pass --yes (or PROVISIONER_YES=true) to confirm`,
        );
      }
      if (!(await io.confirm(question))) {
        logger.warn('teardown cancelled: nothing was deleted');
        return EXIT_FAILURE;
      }
    }

    const outcome = await executeTeardown(ctx, survey);
    report(outcome.deleted, outcome.foreign);
    return outcome.foreign.length > 0 ? EXIT_FAILURE : EXIT_OK;
  } finally {
    destroyClients(ctx.aws);
  }

  function report(deleted: string[], foreign: string[]): void {
    io.out(
      settings.json
        ? JSON.stringify({ stack: settings.name, deleted, leftAlone: foreign }, null, 2)
        : [
            ...deleted.map((n) => `- deleted  ${n}`),
            ...foreign.map((n) => `! skipped  ${n} (not created by this stack)`),
            '',
            `Teardown: ${deleted.length} deleted, ${foreign.length} left alone.`,
          ].join('\n'),
    );
  }
}
