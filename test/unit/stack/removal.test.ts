import { DeleteTopicCommand, GetTopicAttributesCommand, ListTagsForResourceCommand } from '@aws-sdk/client-sns';
import { describe, expect, it, vi } from 'vitest';
import { formatChanges } from '../../../src/cli/format.js';
import type { Logger } from '../../../src/core/logger.js';
import { alertTopicResource } from '../../../src/resources/alert-topic.js';
import type { AnyResource } from '../../../src/resources/resource.js';
import { applyStep, findResource, planRemoval } from '../../../src/stack/plan.js';
import { snsAccessDenied, snsNotFound } from '../support/errors.js';
import { mockedStack, sentCommands } from '../support/stack.js';

const TOPIC_ARN = 'arn:aws:sns:eu-west-1:123456789012:flight-delays-alerts';

/** A stack without --notify, whose topic an earlier `up --notify` made, tagged with these tags. */
function withLeftTopic(tags: Record<string, string>) {
  const t = mockedStack();
  t.sns.on(GetTopicAttributesCommand).resolves({ Attributes: { TopicArn: TOPIC_ARN } });
  t.sns.on(ListTagsForResourceCommand).resolves({ Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })) });
  return t;
}

const recordingLogger = () => {
  const warnings: string[] = [];
  const logger = { warn: vi.fn((m: string) => void warnings.push(m)), info: vi.fn(), error: vi.fn(), debug: vi.fn() } as unknown as Logger;
  return { logger, warnings };
};

describe('planRemoval', () => {
  it('plans the deletion of what an earlier up made and the settings turned off', async () => {
    const t = withLeftTopic({ ManagedBy: 'glue-provisioner', Stack: 'flight-delays' });
    const topic = alertTopicResource(t.ctx);
    expect(topic.wanted).toBe(false);
    const step = await planRemoval(t.ctx, topic);
    expect(step?.change).toEqual({ kind: 'topic', name: 'flight-delays-alerts', action: 'delete', details: [] });
    await applyStep(t.ctx, step!);
    expect(t.sns.commandCalls(DeleteTopicCommand)[0]!.args[0].input).toEqual({ TopicArn: TOPIC_ARN });
  });

  it('leaves alone, and out of the plan, a resource of that name that is not the stack\'s', async () => {
    const t = withLeftTopic({ Team: 'ops' });
    await expect(planRemoval(t.ctx, alertTopicResource(t.ctx))).resolves.toBeUndefined();
  });

  it('has nothing to plan when it does not exist', async () => {
    const t = mockedStack();
    t.sns.on(GetTopicAttributesCommand).rejects(snsNotFound());
    await expect(planRemoval(t.ctx, alertTopicResource(t.ctx))).resolves.toBeUndefined();
    expect(sentCommands(t)).toEqual(['GetTopicAttributesCommand']);
  });

  it('counts a resource deleted meanwhile as deleted', async () => {
    const t = withLeftTopic({ ManagedBy: 'glue-provisioner', Stack: 'flight-delays' });
    const step = await planRemoval(t.ctx, alertTopicResource(t.ctx));
    t.sns.on(DeleteTopicCommand).rejects(snsNotFound());
    t.sns.on(GetTopicAttributesCommand).rejects(snsNotFound());
    await expect(applyStep(t.ctx, step!)).resolves.toBeUndefined();
  });
});

describe('findResource', () => {
  it('warns, and finds nothing, when the identity may not read a resource the settings turned off', async () => {
    const t = mockedStack();
    const { logger, warnings } = recordingLogger();
    t.sns.on(GetTopicAttributesCommand).rejects(snsAccessDenied());
    await expect(findResource({ logger }, alertTopicResource(t.ctx))).resolves.toBeUndefined();
    expect(warnings[0]).toMatch(/^cannot look for topic flight-delays-alerts that an earlier up may have made, so it is left as it is: AuthorizationErrorException/);
  });

  it('fails when the identity may not read a resource the settings want', async () => {
    const t = mockedStack({ raw: { notify: ['ops@example.com'] } });
    t.sns.on(GetTopicAttributesCommand).rejects(snsAccessDenied());
    await expect(findResource(t.ctx, alertTopicResource(t.ctx))).rejects.toThrow('not authorized');
  });

  it('passes other failures on', async () => {
    const t = mockedStack();
    t.sns.on(GetTopicAttributesCommand).rejects(new Error('throttled'));
    await expect(findResource(t.ctx, alertTopicResource(t.ctx) as AnyResource)).rejects.toThrow('throttled');
  });
});

describe('formatChanges', () => {
  const changes = [
    { kind: 'job' as const, name: 'flight-delays-features', action: 'no-op' as const, details: [] },
    { kind: 'rule' as const, name: 'flight-delays-job-failed', action: 'delete' as const, details: [] },
  ];

  it('shows a deletion with "-" and counts it', () => {
    const text = formatChanges({ changes, dryRun: false });
    expect(text).toContain('- delete rule      flight-delays-job-failed');
    expect(text).toContain('Applied: 0 created, 0 updated, 1 deleted, 1 unchanged.');
    expect(formatChanges({ changes, dryRun: true })).toContain('Plan: 0 to create, 0 to update, 1 to delete, 1 unchanged.');
  });

  it('says nothing of deletions when there are none', () => {
    expect(formatChanges({ changes: [changes[0]!], dryRun: false })).toContain('Applied: 0 created, 0 updated, 1 unchanged.');
  });
});
