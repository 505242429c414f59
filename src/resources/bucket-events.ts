import {
  GetBucketNotificationConfigurationCommand,
  PutBucketNotificationConfigurationCommand,
  type NotificationConfiguration,
} from '@aws-sdk/client-s3';
import { orUndefined } from '../aws/errors.js';
import type { StackContext } from '../core/context.js';
import type { ResourceDefinition } from './resource.js';

type BucketEventsKey = 'eventBridge';

/**
 * With --start-on arrival, or alerts, the bucket sends its events to EventBridge, where the arrival
 * rule picks out a delivery's marker (resources/arrival.ts) and the drift rule the job's drift alert
 * (resources/drift-rule.ts). It lives in the bucket (owned through it, gone
 * with it). PutBucketNotificationConfiguration replaces the bucket's whole configuration, so the
 * queues, topics and functions someone else set up are sent back as they were read.
 *
 * Only in the stack under --start-on arrival or with alerts: without either the bucket keeps sending
 * (events to the default bus cost nothing, and another consumer may rely on them); no rule of the
 * stack then matches them.
 */
export function bucketEventsResource(ctx: StackContext): ResourceDefinition<NotificationConfiguration, BucketEventsKey> {
  const { s3 } = ctx.aws;
  const Bucket = ctx.names.bucket;
  const read = async (): Promise<NotificationConfiguration | undefined> => {
    const answer = await orUndefined(s3.send(new GetBucketNotificationConfigurationCommand({ Bucket })));
    if (answer === undefined) return undefined;
    const { TopicConfigurations, QueueConfigurations, LambdaFunctionConfigurations, EventBridgeConfiguration } = answer;
    return {
      ...(TopicConfigurations?.length ? { TopicConfigurations } : {}),
      ...(QueueConfigurations?.length ? { QueueConfigurations } : {}),
      ...(LambdaFunctionConfigurations?.length ? { LambdaFunctionConfigurations } : {}),
      ...(EventBridgeConfiguration ? { EventBridgeConfiguration } : {}),
    };
  };
  const turnOn = async (current: NotificationConfiguration): Promise<void> => {
    await s3.send(
      new PutBucketNotificationConfigurationCommand({ Bucket, NotificationConfiguration: { ...current, EventBridgeConfiguration: {} } }),
    );
  };

  return {
    kind: 'notifications',
    name: `s3://${Bucket} to EventBridge`,
    label: () => 'EventBridge delivery',

    async find() {
      const state = await read();
      // Objects-like: no tags of its own, the stack's because the bucket is.
      return state === undefined ? undefined : { state, tags: {} };
    },

    drift: (state) => (state.EventBridgeConfiguration ? [] : ['eventBridge']),

    createDetails: () => ["the bucket's events to EventBridge's default bus"],

    async create() {
      // A bucket made in this `up` has nothing set yet; one that was there may: keep it.
      await turnOn((await read()) ?? {});
    },

    async update(state) {
      await turnOn(state);
    },

    summarize: (state) => ({ state: state.EventBridgeConfiguration ? 'on' : 'off' }),
  };
}
