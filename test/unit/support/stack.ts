import {
  GetCrawlerCommand,
  GetDatabaseCommand,
  GetJobCommand,
  GetJobRunsCommand,
  GetTagsCommand,
  GetTriggerCommand,
  GetWorkflowCommand,
  GetWorkflowRunsCommand,
  GlueClient,
  GetTableCommand,
} from '@aws-sdk/client-glue';
import { AthenaClient, GetWorkGroupCommand, ListNamedQueriesCommand } from '@aws-sdk/client-athena';
import { CloudWatchClient, GetDashboardCommand } from '@aws-sdk/client-cloudwatch';
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { DescribeRuleCommand, EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { GetRoleCommand, IAMClient } from '@aws-sdk/client-iam';
import { DescribeKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { HeadBucketCommand, ListMultipartUploadsCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { GetTopicAttributesCommand, ListSubscriptionsByTopicCommand, SNSClient } from '@aws-sdk/client-sns';
import { STSClient } from '@aws-sdk/client-sts';
import { mockClient, type AwsStub } from 'aws-sdk-client-mock';
import type { Aws } from '../../../src/core/aws.js';
import { missingTags } from '../../../src/aws/tags.js';
import { resolveSettings, type RawOptions } from '../../../src/config/settings.js';
import type { StackContext } from '../../../src/core/context.js';
import { silentLogger } from '../../../src/core/logger.js';
import { stackNames } from '../../../src/core/names.js';
import { stackTags } from '../../../src/core/tags.js';
import { ownershipOf, type Ownership } from '../../../src/stack/ownership.js';
import { TAGS_KEY, decide, type PlannedStep } from '../../../src/stack/plan.js';
import type { AnyResource, Found } from '../../../src/resources/resource.js';
import { silentProgress } from '../../../src/core/progress.js';
import { roleArn } from '../../../src/resources/role.js';
import { athenaNotFound, dashboardNotFound, eventsNotFound, glueNotFound, iamNoSuchEntity, kmsNotFound, s3NoSuchBucket, s3NotFound, snsNotFound } from './errors.js';

export const ACCOUNT = '123456789012';

/** The key id behind --kms-key in a mocked stack, whatever the option names: id, alias or ARN. */
export const KMS_KEY_ID = '0b3f0c9e-1111-4222-8333-944455556666';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyStub = AwsStub<any, any, any>;

export interface MockedStack {
  readonly ctx: StackContext;
  readonly s3: AnyStub;
  readonly glue: AnyStub;
  readonly iam: AnyStub;
  readonly sts: AnyStub;
  readonly kms: AnyStub;
  readonly sns: AnyStub;
  readonly events: AnyStub;
  readonly logs: AnyStub;
  readonly cloudwatch: AnyStub;
  readonly athena: AnyStub;
  readonly controller: AbortController;
  /** Every mock, for assertions over all calls. */
  readonly all: readonly AnyStub[];
}

export interface StackOptions {
  /** Options as the CLI would hand them over; the environment is never consulted. */
  readonly raw?: RawOptions;
  readonly region?: string;
  readonly partition?: string;
  /** What openStack resolved --kms-key to; by default the key KMS_KEY_ID when --kms-key is set. */
  readonly kmsKeyArn?: string;
}

const credentials = { accessKeyId: 'x', secretAccessKey: 'y' };

/**
 * A StackContext whose clients are real SDK clients with `send` replaced by mocks: nothing leaves
 * the process. Every call builds fresh clients and mocks, so no behaviour leaks between tests.
 */
export function mockedStack(options: StackOptions = {}): MockedStack {
  const region = options.region ?? 'eu-west-1';
  const clientConfig = { region, credentials };
  const clients = {
    s3: new S3Client(clientConfig),
    glue: new GlueClient(clientConfig),
    iam: new IAMClient(clientConfig),
    sts: new STSClient(clientConfig),
    kms: new KMSClient(clientConfig),
    sns: new SNSClient(clientConfig),
    events: new EventBridgeClient(clientConfig),
    logs: new CloudWatchLogsClient(clientConfig),
    cloudwatch: new CloudWatchClient(clientConfig),
    athena: new AthenaClient(clientConfig),
  };
  const mocks = {
    s3: mockClient(clients.s3) as AnyStub,
    glue: mockClient(clients.glue) as AnyStub,
    iam: mockClient(clients.iam) as AnyStub,
    sts: mockClient(clients.sts) as AnyStub,
    kms: mockClient(clients.kms) as AnyStub,
    sns: mockClient(clients.sns) as AnyStub,
    events: mockClient(clients.events) as AnyStub,
    logs: mockClient(clients.logs) as AnyStub,
    cloudwatch: mockClient(clients.cloudwatch) as AnyStub,
    athena: mockClient(clients.athena) as AnyStub,
  };
  for (const mock of Object.values(mocks)) mock.reset();

  const settings = resolveSettings({ region, ...options.raw }, {}, '/work/project');
  const partition = options.partition ?? 'aws';
  const aws: Aws = { ...clients, region, accountId: ACCOUNT, partition };
  const names = stackNames(settings.name, ACCOUNT, region, settings.bucket);
  const controller = new AbortController();
  const ctx: StackContext = {
    aws,
    settings,
    names,
    tags: stackTags(settings.name),
    roleArn: settings.roleArn ?? roleArn(aws.partition, ACCOUNT, names.role),
    kmsKeyArn: options.kmsKeyArn ?? (settings.kmsKey ? `arn:${partition}:kms:${region}:${ACCOUNT}:key/${KMS_KEY_ID}` : undefined),
    logger: silentLogger(),
    progress: silentProgress,
    signal: controller.signal,
  };
  return { ctx, ...mocks, controller, all: Object.values(mocks) };
}

/** The class names of every command sent through any of the mocks, in the order sent per client. */
export function sentCommands(stack: MockedStack): string[] {
  return stack.all.flatMap((mock) => mock.calls().map((call) => (call.args[0] as object).constructor.name));
}

const MUTATING = /^(Create|Update|Put|Delete|Tag|Untag|Start|Stop|Batch(Delete|Stop)|Abort|Attach|Detach|Upload|CompleteMultipart)/;

/** The commands sent that change something in AWS. */
export function mutatingCommands(stack: MockedStack): string[] {
  return sentCommands(stack).filter((name) => MUTATING.test(name));
}

/** The ARN Glue gives a resource of this stack, as the code under test must compute it. */
export function glueResourceArn(ctx: StackContext, type: string, name: string): string {
  return `arn:${ctx.aws.partition}:glue:${ctx.aws.region}:${ACCOUNT}:${type}/${name}`;
}

/** Every command sent through any of the mocks, across clients, in the order it was sent. */
export function commandsInOrder(stack: MockedStack): string[] {
  return stack.all
    .flatMap((mock) => mock.calls().map((call) => ({ id: (call as unknown as { callId: number }).callId, name: (call.args[0] as object).constructor.name })))
    .sort((a, b) => a.id - b.id)
    .map((entry) => entry.name);
}

/** Mocks an account where nothing of the stack exists yet: every lookup answers not-found. */
export function mockNothingDeployed(t: MockedStack): void {
  t.s3.on(HeadBucketCommand).rejects(s3NotFound());
  t.s3.on(ListObjectsV2Command).rejects(s3NoSuchBucket());
  t.s3.on(ListMultipartUploadsCommand).rejects(s3NoSuchBucket());
  t.iam.on(GetRoleCommand).rejects(iamNoSuchEntity());
  t.glue.on(GetDatabaseCommand).rejects(glueNotFound());
  t.glue.on(GetCrawlerCommand).rejects(glueNotFound());
  t.glue.on(GetJobCommand).rejects(glueNotFound());
  t.glue.on(GetWorkflowCommand).rejects(glueNotFound());
  t.glue.on(GetTriggerCommand).rejects(glueNotFound());
  t.glue.on(GetTagsCommand).rejects(glueNotFound());
  t.glue.on(GetTableCommand).rejects(glueNotFound());
  t.glue.on(GetWorkflowRunsCommand).rejects(glueNotFound());
  t.glue.on(GetJobRunsCommand).rejects(glueNotFound());
  t.kms.on(DescribeKeyCommand).rejects(kmsNotFound());
  t.sns.on(GetTopicAttributesCommand).rejects(snsNotFound());
  t.sns.on(ListSubscriptionsByTopicCommand).rejects(snsNotFound());
  t.events.on(DescribeRuleCommand).rejects(eventsNotFound());
  t.cloudwatch.on(GetDashboardCommand).rejects(dashboardNotFound());
  t.athena.on(GetWorkGroupCommand).rejects(athenaNotFound());
  t.athena.on(ListNamedQueriesCommand).rejects(athenaNotFound());
}

/** What teardown's survey makes of a resource: absent, or owned or foreign by the tags find() reads. */
export async function ownershipIn(stack: MockedStack, resource: AnyResource): Promise<Ownership> {
  return ownershipOf(await resource.find(), stack.ctx.names.stack);
}

/**
 * The update step planStep would make for a resource found with this state and these tags: its
 * drift keys, plus `tags` when some of the stack's tags are missing. Built by hand because planStep
 * refuses a resource lacking the ownership tags (which are all of ctx.tags) before repairing it, yet
 * applyStep's tag repair (addTags before update) must be checked per resource with exact requests.
 */
export function updateStep(ctx: Pick<StackContext, 'tags'>, resource: AnyResource, found: Found<unknown>): PlannedStep {
  const keys = [...resource.drift(found.state)];
  if (Object.keys(missingTags(ctx.tags, found.tags)).length > 0) keys.push(TAGS_KEY);
  const details = keys.map((key) => (key === TAGS_KEY ? TAGS_KEY : resource.label(key)));
  return { resource, found, keys, change: decide(resource.kind, resource.name, true, details) };
}

/** The words a plan shows for what drifted in this state: the labels of the drift keys. */
export function driftLabels<State, Key extends string>(
  resource: { drift(state: State): Key[]; label(key: Key): string },
  state: State,
): string[] {
  return resource.drift(state).map((key) => resource.label(key));
}
