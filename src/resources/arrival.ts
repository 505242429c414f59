import type { StackContext } from '../core/context.js';
import { PREFIX } from '../core/names.js';
import { eventRuleResource, type EventRuleKey, type EventRuleState } from './event-rule.js';
import { glueArn } from './glue-resource.js';
import type { ResourceDefinition } from './resource.js';
import { roleArn, serviceRoleResource, type RoleKey, type RoleState } from './service-role.js';

/**
 * --start-on arrival: S3 sends the bucket's events to EventBridge (bucket-events.ts); the rule here
 * passes on only a delivery's marker, through the role here, to the workflow, whose EVENT trigger
 * (trigger.ts, arrivalTriggerSpec) starts the crawl.
 */

/** The marker `up` writes after a delivery's files: at the top of raw/. */
export function arrivalMarkerKey(settings: StackContext['settings']): string {
  return `${PREFIX.raw}${settings.arrivalMarker}`;
}

/** Whether a key under raw/ is a delivery's marker (kept by --prune: it has no local file). */
export function isArrivalMarker(settings: StackContext['settings'], key: string): boolean {
  if (settings.startOn !== 'arrival' || !key.startsWith(PREFIX.raw)) return false;
  return key === arrivalMarkerKey(settings) || key.endsWith(`/${settings.arrivalMarker}`);
}

/**
 * S3's "Object Created" events for this bucket whose key is the marker at `raw/NAME` or below it
 * (`raw/2024-Q1/NAME`): a data file, a script, an export or a marker outside raw/ never matches. In
 * EventBridge's wildcard `*` spans slashes; the marker's name holds no `*` (config/arrival.ts).
 */
export function arrivalPattern(bucket: string, marker: string): Record<string, unknown> {
  return {
    source: ['aws.s3'],
    'detail-type': ['Object Created'],
    detail: {
      bucket: { name: [bucket] },
      object: { key: [`${PREFIX.raw}${marker}`, { wildcard: `${PREFIX.raw}*/${marker}` }] },
    },
  };
}

/** The stack's workflow, as EventBridge targets it and IAM names it. */
export function workflowArn(ctx: Pick<StackContext, 'aws' | 'names'>): string {
  return glueArn(ctx.aws, 'workflow', ctx.names.workflow);
}

export function arrivalRoleArn(ctx: Pick<StackContext, 'aws' | 'names'>): string {
  return roleArn(ctx.aws.partition, ctx.aws.accountId, ctx.names.arrivalRole);
}

/** Only EventBridge may assume the arrival role. */
export const eventsTrustPolicy = {
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: { Service: 'events.amazonaws.com' }, Action: 'sts:AssumeRole' }],
};

/** What EventBridge needs to hand an event to a Glue workflow, and nothing more: one action on one workflow. */
export function notifyWorkflowPolicy(ctx: Pick<StackContext, 'aws' | 'names'>): unknown {
  return {
    Version: '2012-10-17',
    Statement: [{ Sid: 'NotifyWorkflow', Effect: 'Allow', Action: 'glue:notifyEvent', Resource: workflowArn(ctx) }],
  };
}

const arriving = (ctx: Pick<StackContext, 'settings'>): boolean => ctx.settings.startOn === 'arrival';

/** The role the arrival rule's target runs as. */
export function arrivalRoleResource(ctx: StackContext): ResourceDefinition<RoleState, RoleKey> {
  return serviceRoleResource(ctx, {
    roleName: ctx.names.arrivalRole,
    policyName: ctx.names.arrivalRolePolicy,
    service: 'events.amazonaws.com',
    description: `Lets EventBridge start the workflow of stack ${ctx.names.stack} when a delivery arrives`,
    trustPolicy: eventsTrustPolicy,
    accessPolicy: notifyWorkflowPolicy(ctx),
    wanted: arriving(ctx),
  });
}

/** The target's id: the one target of the arrival rule. */
export const WORKFLOW_TARGET_ID = 'workflow';

/** The rule that hands a delivery's marker event to the workflow. */
export function arrivalRuleResource(ctx: StackContext): ResourceDefinition<EventRuleState, EventRuleKey> {
  return eventRuleResource(ctx, {
    name: ctx.names.arrivalRule,
    description: `Starts the workflow ${ctx.names.workflow} (stack ${ctx.names.stack}) when ${arrivalMarkerKey(ctx.settings)} or a ${ctx.settings.arrivalMarker} below raw/ is written to ${ctx.names.bucket}`,
    pattern: arrivalPattern(ctx.names.bucket, ctx.settings.arrivalMarker),
    target: { Id: WORKFLOW_TARGET_ID, Arn: workflowArn(ctx), RoleArn: arrivalRoleArn(ctx) },
    targetLabel: 'workflow',
    wanted: arriving(ctx),
  });
}
