import { SubscribeCommand, UnsubscribeCommand, paginateListSubscriptionsByTopic } from '@aws-sdk/client-sns';
import type { SNSClient } from '@aws-sdk/client-sns';
import { isNotFound } from '../aws/errors.js';
import type { StackContext } from '../core/context.js';
import { alertTarget, stackTopicArn } from './alerts.js';
import type { ResourceDefinition } from './resource.js';

/** What ListSubscriptionsByTopic says of a subscription, whatever its protocol. */
export interface TopicSubscription {
  readonly protocol: string;
  readonly endpoint: string;
  /** Undefined while pending: SNS lists a pending subscription's ARN as "PendingConfirmation". */
  readonly arn: string | undefined;
  readonly pending: boolean;
}

export interface AlertEmailsState {
  readonly emails: readonly TopicSubscription[];
}

/** An address to subscribe, or a confirmed one no longer in --notify to unsubscribe; the key is its label. */
type AlertEmailsKey = `subscribe ${string}` | `unsubscribe ${string}`;

const PENDING = 'PendingConfirmation';

/** Every subscription of a topic; undefined when the topic does not exist. */
export async function listSubscriptions(sns: SNSClient, TopicArn: string): Promise<TopicSubscription[] | undefined> {
  const subscriptions: TopicSubscription[] = [];
  try {
    for await (const page of paginateListSubscriptionsByTopic({ client: sns }, { TopicArn })) {
      for (const s of page.Subscriptions ?? []) {
        const pending = s.SubscriptionArn === PENDING;
        subscriptions.push({ protocol: s.Protocol ?? '', endpoint: s.Endpoint ?? '', arn: pending ? undefined : s.SubscriptionArn, pending });
      }
    }
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw error;
  }
  return subscriptions;
}

/** Email addresses compare without letter case: mail servers treat them so in practice. */
const sameAddress = (a: string, b: string): boolean => a.toLowerCase() === b.toLowerCase();

/**
 * The --notify addresses as email subscriptions of the stack's topic. They live inside the topic
 * (no tags of their own, deleted with it). SNS emails each new address a confirmation link; until it
 * is followed the subscription is pending, which `status` shows. A confirmed address no longer in
 * --notify is unsubscribed; a pending one cannot be (SNS gives no ARN for it) and lapses on its own.
 * Subscriptions of other protocols (added by hand: SQS, HTTPS, chat) are left as they are.
 */
export function alertEmailsResource(ctx: StackContext): ResourceDefinition<AlertEmailsState, AlertEmailsKey> {
  const { sns } = ctx.aws;
  const TopicArn = stackTopicArn(ctx);
  const wanted = ctx.settings.notify;
  const subscribe = (Endpoint: string) => sns.send(new SubscribeCommand({ TopicArn, Protocol: 'email', Endpoint }));

  return {
    kind: 'emails',
    name: ctx.names.alertTopic,
    wanted: alertTarget(ctx.settings) === 'stack-topic',
    label: (key) => key,

    async find() {
      const emails = (await listSubscriptions(sns, TopicArn))?.filter((s) => s.protocol === 'email');
      // No topic yet, or a topic without emails: subscribing them is a create, as for a new bucket's objects.
      if (!emails || emails.length === 0) return undefined;
      return { state: { emails }, tags: {} };
    },

    drift({ emails }) {
      const drift: AlertEmailsKey[] = [];
      for (const address of wanted) {
        if (!emails.some((s) => sameAddress(s.endpoint, address))) drift.push(`subscribe ${address}`);
      }
      for (const s of emails) {
        if (s.arn && !wanted.some((address) => sameAddress(s.endpoint, address))) drift.push(`unsubscribe ${s.endpoint}`);
      }
      return drift;
    },

    createDetails() {
      return [...wanted, 'each confirms by email'];
    },

    async create() {
      for (const address of wanted) await subscribe(address);
    },

    async update({ emails }, keys) {
      for (const key of keys) {
        const [action, endpoint] = key.split(/ (.*)/s) as [string, string];
        if (action === 'subscribe') {
          await subscribe(endpoint);
        } else {
          const arn = emails.find((s) => s.arn && s.endpoint === endpoint)?.arn;
          if (arn) await sns.send(new UnsubscribeCommand({ SubscriptionArn: arn }));
        }
      }
    },
  };
}
