import { UsageError } from '../core/errors.js';
import { FLEX_WORKER_TYPES } from '../core/glue.js';
import type { Settings } from '../core/settings.js';

/**
 * Settings that are each valid on their own but not together: checked once every option has been
 * read, before anything is created.
 */
export function checkTogether(settings: Settings): Settings {
  return assertOneAlertTarget(checkCombinations(settings));
}

/** Settings that are each valid but that Glue refuses together. */
function checkCombinations<S extends Pick<Settings, 'executionClass' | 'workerType'>>(settings: S): S {
  if (settings.executionClass === 'FLEX' && !FLEX_WORKER_TYPES.includes(settings.workerType)) {
    throw new UsageError(
      `invalid --worker-type ${settings.workerType} with --execution-class FLEX: Glue runs Flex jobs on ${FLEX_WORKER_TYPES.join(' or ')} workers only; valid: --worker-type ${FLEX_WORKER_TYPES.join(' or ')}, or --execution-class STANDARD`,
    );
  }
  return settings;
}

/** The stack sends alerts to its own topic (--notify) or to yours (--notify-topic-arn), not both. */
function assertOneAlertTarget<S extends Pick<Settings, 'notify' | 'notifyTopicArn'>>(settings: S): S {
  if (settings.notifyTopicArn && settings.notify.length > 0) {
    throw new UsageError(
      `invalid --notify "${settings.notify.join(',')}" with --notify-topic-arn: the stack emails --notify addresses from a topic of its own and never changes yours; valid: one of the two (subscribe the addresses to your topic yourself)`,
    );
  }
  return settings;
}
