import { GetDashboardCommand } from '@aws-sdk/client-cloudwatch';
import { DescribeRuleCommand } from '@aws-sdk/client-eventbridge';
import { GetCrawlerCommand, GetDatabaseCommand, GetJobCommand, GetTagsCommand, GetTriggerCommand, GetWorkflowCommand } from '@aws-sdk/client-glue';
import { GetRoleCommand } from '@aws-sdk/client-iam';
import { DescribeKeyCommand } from '@aws-sdk/client-kms';
import { HeadBucketCommand } from '@aws-sdk/client-s3';
import { GetTopicAttributesCommand } from '@aws-sdk/client-sns';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { CommandEnv } from '../../../src/commands/command.js';
import { teardown } from '../../../src/commands/teardown.js';
import { resolveSettings } from '../../../src/config/settings.js';
import { UsageError } from '../../../src/core/errors.js';
import { silentLogger } from '../../../src/core/logger.js';
import { silentProgress } from '../../../src/core/progress.js';
import { mockEveryClient, sentThrough } from '../support/sdk.js';
import { dashboardNotFound, eventsNotFound, glueNotFound, iamNoSuchEntity, kmsNotFound, s3NotFound, snsNotFound } from '../support/errors.js';

const mocks = mockEveryClient();
const sent = (): string[] => sentThrough(mocks);
const STACK_TAGS = { ManagedBy: 'glue-provisioner', Stack: 'flight-delays' };

beforeEach(() => {
  for (const mock of Object.values(mocks)) mock.reset();
  vi.stubEnv('AWS_ACCESS_KEY_ID', 'AKIDEXAMPLE');
  vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'not-a-secret');
  mocks.sts.on(GetCallerIdentityCommand).resolves({ Account: '123456789012', Arn: 'arn:aws:iam::123456789012:user/me' });
  mocks.s3.on(HeadBucketCommand).rejects(s3NotFound());
  mocks.iam.on(GetRoleCommand).rejects(iamNoSuchEntity());
  for (const command of [GetDatabaseCommand, GetCrawlerCommand, GetJobCommand, GetWorkflowCommand, GetTriggerCommand, GetTagsCommand] as const) {
    mocks.glue.on(command as typeof GetJobCommand).rejects(glueNotFound());
  }
  mocks.kms.on(DescribeKeyCommand).rejects(kmsNotFound());
  mocks.sns.on(GetTopicAttributesCommand).rejects(snsNotFound());
  mocks.events.on(DescribeRuleCommand).rejects(eventsNotFound());
  mocks.cloudwatch.on(GetDashboardCommand).rejects(dashboardNotFound());
});
afterEach(() => {
  vi.unstubAllEnvs();
});

function env(confirm?: (question: string) => Promise<boolean>): CommandEnv {
  return {
    settings: resolveSettings({ region: 'eu-west-1' }, {}, '/work/project'),
    runtime: { logger: silentLogger(), progress: silentProgress, signal: new AbortController().signal },
    confirm,
  };
}

/** The stack's job exists, tagged as the stack's; nothing else does. */
function deployedJob(): void {
  mocks.glue.on(GetJobCommand).resolves({ Job: { Name: 'flight-delays-features' } });
  mocks.glue.on(GetTagsCommand).resolves({ Tags: STACK_TAGS });
}

describe('teardown, as a result', () => {
  it('deletes nothing of a stack that does not exist, and says so with exit 0', async () => {
    await expect(teardown(env(), { yes: false })).resolves.toEqual({ exitCode: 0, result: { stack: 'flight-delays', deleted: [], leftAlone: [] } });
  });

  it('ends with no result and exit 1 when the person declines, having deleted nothing', async () => {
    deployedJob();
    const questions: string[] = [];
    const outcome = await teardown(env(async (question) => (questions.push(question), false)), { yes: false });
    expect(outcome).toEqual({ exitCode: 1 });
    expect(questions[0]).toContain('job flight-delays-features');
    expect(sent().filter((name) => /^(Delete|Stop|BatchStop)/.test(name))).toEqual([]);
  });

  it('refuses without --yes when nobody can confirm, naming what it would delete', async () => {
    deployedJob();
    const refused = await teardown(env(), { yes: false }).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(UsageError);
    expect((refused as UsageError).message).toContain('job flight-delays-features');
  });
});
