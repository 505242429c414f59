/**
 * Every AWS name derives from the stack name, so two stacks in one account never collide and
 * teardown can find everything without a state file.
 */
export interface StackNames {
  readonly stack: string;
  readonly bucket: string;
  readonly role: string;
  readonly rolePolicy: string;
  readonly database: string;
  readonly crawler: string;
  readonly job: string;
  readonly workflow: string;
  readonly scheduleTrigger: string;
  readonly jobTrigger: string;
  /** With `--start-on arrival`: the workflow's EVENT trigger, the EventBridge rule that feeds it, and the role that rule uses. */
  readonly arrivalTrigger: string;
  readonly arrivalRule: string;
  readonly arrivalRole: string;
  readonly arrivalRolePolicy: string;
  /** The alert topic's KMS key, by its alias (the key's own id is random). */
  readonly alertKeyAlias: string;
  readonly alertTopic: string;
  readonly jobFailureRule: string;
  /** With --max-usd: the rule that alerts on a job run stopped at the timeout the cost ceiling set. */
  readonly jobCeilingRule: string;
  /** The rule that alerts on a run that ended with drift above --drift-threshold. */
  readonly driftRule: string;
  readonly crawlerFailureRule: string;
  /** CloudWatch dashboards are global to the account, not regional: the region is part of the name. */
  readonly dashboard: string;
  /** The Athena workgroup the stack's tables are queried in, with the stack's named queries. */
  readonly workgroup: string;
}

export function stackNames(stack: string, accountId: string, region: string, bucket?: string): StackNames {
  return Object.freeze({
    stack,
    bucket: bucket ?? `${stack}-${accountId}-${region}`,
    role: `${stack}-glue-role`,
    rolePolicy: `${stack}-glue-access`,
    // Glue database names are read by Athena and Spark SQL too, where hyphens need quoting.
    database: stack.replaceAll('-', '_'),
    crawler: `${stack}-raw-crawler`,
    job: `${stack}-features`,
    workflow: `${stack}-pipeline`,
    scheduleTrigger: `${stack}-schedule`,
    jobTrigger: `${stack}-on-crawl-success`,
    // Glue triggers and EventBridge rules are named apart, so both take the one name.
    arrivalTrigger: `${stack}-on-arrival`,
    arrivalRule: `${stack}-on-arrival`,
    arrivalRole: `${stack}-events-role`,
    arrivalRolePolicy: `${stack}-notify-workflow`,
    alertKeyAlias: `alias/${stack}-alerts`,
    alertTopic: `${stack}-alerts`,
    jobFailureRule: `${stack}-job-failed`,
    jobCeilingRule: `${stack}-job-ceiling`,
    driftRule: `${stack}-drift`,
    crawlerFailureRule: `${stack}-crawl-failed`,
    dashboard: `${stack}-pipeline-${region}`,
    // Athena names workgroups per account and region, as the stack's own names are.
    workgroup: stack,
  });
}

/** Key prefixes inside the bucket. */
export const PREFIX = Object.freeze({
  raw: 'raw/',
  scripts: 'scripts/',
  processed: 'processed/',
  temp: 'tmp/',
  sparkLogs: 'spark-logs/',
  /** Where Athena writes the results of queries run in the stack's workgroup. */
  athenaResults: 'athena-results/',
  /** What this tool itself keeps in the bucket (the stack's lock, the record of uploads): keys no one else writes. */
  tool: '.provisioner/',
});

export function s3Uri(bucket: string, key: string): string {
  return `s3://${bucket}/${key}`;
}
