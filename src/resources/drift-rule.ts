import type { StackContext } from '../core/context.js';
import { PREFIX, s3Uri } from '../core/names.js';
import type { FailureRuleSpec } from './failure-rule.js';
import { textTemplate } from './failure-rule.js';

/**
 * A run that ends with drift above --drift-threshold: the job (given the threshold as
 * `--drift_threshold`) writes `processed/reports/drift_alert-<stamp>.json` naming the features,
 * and only then, so the object's arrival is the alert. The bucket sends its events to EventBridge
 * (bucket-events.ts) and this rule passes that one on to the alert topic. A run on this machine's
 * Spark (`run --local`) writes it too, and alerts the same.
 */
export const DRIFT_ALERT_PREFIX = `${PREFIX.processed}reports/drift_alert-`;

/** S3's "Object Created" events of this bucket for a drift alert of the job, and nothing else. */
export function driftAlertPattern(bucket: string): Record<string, unknown> {
  return {
    source: ['aws.s3'],
    'detail-type': ['Object Created'],
    detail: { bucket: { name: [bucket] }, object: { key: [{ prefix: DRIFT_ALERT_PREFIX }] } },
  };
}

/** The drift rule's words: the threshold `up` gave the job, where the features are named, and what shows them. */
export function driftAlertSpec(ctx: Pick<StackContext, 'aws' | 'names' | 'settings'>): FailureRuleSpec {
  const { names, aws, settings } = ctx;
  const where = `--name ${names.stack} --region ${aws.region}`;
  return {
    name: names.driftRule,
    description: `Sends runs of the Glue job ${names.job} (stack ${names.stack}) that end with drift above the threshold to the alert topic`,
    pattern: driftAlertPattern(names.bucket),
    transformer: {
      InputPathsMap: { key: '$.detail.object.key', time: '$.time' },
      InputTemplate: textTemplate([
        `Stack ${names.stack}: a run of the Glue job ${names.job} ended with features drifted above PSI ${settings.driftThreshold} (--drift-threshold) from the quarter before.`,
        '',
        'When:     <time>',
        `Features: ${s3Uri(names.bucket, '')}<key> names each, with its quarter and PSI`,
        `Status:   provisioner status ${where}`,
        `Report:   provisioner report ${where} (its drift chart)`,
      ]),
    },
  };
}
