import type { LifecycleRule } from '@aws-sdk/client-s3';
import { PREFIX } from '../core/names.js';

/** The stack's lifecycle rules: unfinished uploads aborted, and --retention-days of scratch files and query results. */

const ABORT_UPLOADS_RULE_ID = 'abort-incomplete-multipart-uploads';
const ABORT_UPLOADS_AFTER_DAYS = 7;

export const abortIncompleteUploadsRule: LifecycleRule = {
  ID: ABORT_UPLOADS_RULE_ID,
  Status: 'Enabled',
  Filter: { Prefix: '' },
  AbortIncompleteMultipartUpload: { DaysAfterInitiation: ABORT_UPLOADS_AFTER_DAYS },
};

/** Whether the bucket's rules abort unfinished uploads as the stack's rule does. */
export function abortsUploads(current: readonly LifecycleRule[]): boolean {
  const rule = current.find((r) => r.ID === ABORT_UPLOADS_RULE_ID);
  return rule?.Status === 'Enabled' && rule.AbortIncompleteMultipartUpload?.DaysAfterInitiation === ABORT_UPLOADS_AFTER_DAYS;
}

/**
 * What each job run leaves behind and nobody reads after a while: Glue's scratch files (--TempDir)
 * and the Spark UI's event logs, and the results of the queries run in the stack's Athena workgroup
 * (Athena keeps no copy of its own). One rule per prefix, as a lifecycle filter takes one prefix; a
 * versioned bucket's old versions go too.
 */
const RETENTION_PREFIXES = [PREFIX.temp, PREFIX.sparkLogs, PREFIX.athenaResults] as const;

/** The folders --retention-days expires, as a plan names them: "tmp/, spark-logs/ and athena-results/". */
export const RETENTION_FOLDERS = `${RETENTION_PREFIXES.slice(0, -1).join(', ')} and ${RETENTION_PREFIXES.at(-1)!}`;

function retentionRuleId(prefix: string): string {
  return `retention-${prefix.replace(/\/$/, '')}`;
}

/** The expiry rules for --retention-days; none for 0, which keeps everything. */
export function retentionRules(days: number): LifecycleRule[] {
  if (days === 0) return [];
  return RETENTION_PREFIXES.map((prefix) => ({
    ID: retentionRuleId(prefix),
    Status: 'Enabled',
    Filter: { Prefix: prefix },
    Expiration: { Days: days },
    NoncurrentVersionExpiration: { NoncurrentDays: days },
  }));
}

/** The lifecycle rules this stack owns, by ID: any other rule is someone else's and is kept. */
const OWN_RULE_IDS: ReadonlySet<string> = new Set([ABORT_UPLOADS_RULE_ID, ...RETENTION_PREFIXES.map(retentionRuleId)]);

/** Whether the bucket's expiry rules are those --retention-days asks for. */
export function sameRetention(current: readonly LifecycleRule[], days: number): boolean {
  const wanted = retentionRules(days);
  const present = current.filter((rule) => rule.ID !== undefined && rule.ID !== ABORT_UPLOADS_RULE_ID && OWN_RULE_IDS.has(rule.ID));
  if (present.length !== wanted.length) return false;
  return wanted.every((want) => {
    const rule = present.find((r) => r.ID === want.ID);
    return (
      rule?.Status === 'Enabled' &&
      // S3 reports a rule's prefix in Filter; rules written with the older top-level Prefix keep it there.
      (rule.Filter?.Prefix ?? rule.Prefix) === want.Filter?.Prefix &&
      rule.Expiration?.Days === want.Expiration?.Days &&
      rule.NoncurrentVersionExpiration?.NoncurrentDays === want.NoncurrentVersionExpiration?.NoncurrentDays
    );
  });
}

/**
 * The bucket's whole lifecycle configuration as the stack wants it: one configuration holds every
 * rule and a put replaces it whole, so the rules others added are kept beside the stack's.
 */
export function lifecycleRules(current: readonly LifecycleRule[] | undefined, days: number): LifecycleRule[] {
  const others = current?.filter((r) => r.ID === undefined || !OWN_RULE_IDS.has(r.ID)) ?? [];
  return [...others, abortIncompleteUploadsRule, ...retentionRules(days)];
}
