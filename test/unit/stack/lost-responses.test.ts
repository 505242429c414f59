import {
  AbortMultipartUploadCommand,
  DeleteBucketCommand,
  HeadBucketCommand,
  ListMultipartUploadsCommand,
  ListObjectVersionsCommand,
  NoSuchUpload,
} from '@aws-sdk/client-s3';
import {
  AlreadyExistsException,
  CreateCrawlerCommand,
  CreateDatabaseCommand,
  DeleteCrawlerCommand,
  DeleteDatabaseCommand,
  GetCrawlerCommand,
  GetDatabaseCommand,
  GetTablesCommand,
  GetTagsCommand,
  UpdateCrawlerCommand,
} from '@aws-sdk/client-glue';
import {
  CreateRoleCommand,
  DeleteRoleCommand,
  DeleteRolePolicyCommand,
  EntityAlreadyExistsException,
  GetRoleCommand,
  GetRolePolicyCommand,
  ListAttachedRolePoliciesCommand,
  ListRolePoliciesCommand,
  PutRolePolicyCommand,
} from '@aws-sdk/client-iam';
import { describe, expect, it } from 'vitest';
import { bucketResource } from '../../../src/resources/bucket.js';
import { emptyBucket } from '../../../src/resources/bucket-contents.js';
import { crawlerResource } from '../../../src/resources/crawler.js';
import { databaseResource } from '../../../src/resources/database.js';
import { glueTrustPolicy, roleResource } from '../../../src/resources/role.js';
import type { AnyResource } from '../../../src/resources/resource.js';
import { applyStep, planStep } from '../../../src/stack/plan.js';
import { executeTeardown } from '../../../src/stack/teardown.js';
import { glueNotFound, iamNoSuchEntity, s3NoSuchBucket } from '../support/errors.js';
import { mockedStack, mutatingCommands } from '../support/stack.js';

/**
 * A create or delete whose answer was lost (the connection dropped after AWS acted) is retried by
 * the SDK, and the retry meets what the first attempt did: "already exists" after a create, "not
 * found" after a delete. Both mean the step happened; neither may fail the run.
 */
const TAGS = { ManagedBy: 'glue-provisioner', Stack: 'flight-delays' };
const TAG_LIST = Object.entries(TAGS).map(([Key, Value]) => ({ Key, Value }));
const $metadata = {};

describe('a create whose answer was lost', () => {
  it('role: EntityAlreadyExists is finished as an update (the access policy the create did not put)', async () => {
    const t = mockedStack();
    t.iam.on(GetRoleCommand).rejectsOnce(iamNoSuchEntity()).resolves({
      Role: {
        RoleName: t.ctx.names.role,
        Path: '/',
        RoleId: 'AROAEXAMPLE',
        Arn: t.ctx.roleArn,
        CreateDate: new Date(),
        AssumeRolePolicyDocument: encodeURIComponent(JSON.stringify(glueTrustPolicy)),
        Tags: TAG_LIST,
      },
    });
    t.iam.on(GetRolePolicyCommand).rejects(iamNoSuchEntity());
    t.iam.on(CreateRoleCommand).rejects(new EntityAlreadyExistsException({ message: 'Role with name flight-delays-glue-role already exists.', $metadata }));
    const role = roleResource(t.ctx);
    await applyStep(t.ctx, await planStep(t.ctx, role));
    expect(mutatingCommands(t)).toEqual(['CreateRoleCommand', 'PutRolePolicyCommand']);
    expect(t.iam.commandCalls(PutRolePolicyCommand)[0]?.args[0].input.PolicyName).toBe(t.ctx.names.rolePolicy);
  });

  it('database: AlreadyExistsException with the stack tags is no error', async () => {
    const t = mockedStack();
    const Name = t.ctx.names.database;
    t.glue.on(GetDatabaseCommand).rejectsOnce(glueNotFound()).resolves({ Database: { Name, Description: `Raw flight tables crawled by stack ${t.ctx.names.stack}` } });
    t.glue.on(GetTagsCommand).resolves({ Tags: TAGS });
    t.glue.on(CreateDatabaseCommand).rejects(new AlreadyExistsException({ message: 'Database already exists.', $metadata }));
    const database = databaseResource(t.ctx);
    await applyStep(t.ctx, await planStep(t.ctx, database));
    expect(mutatingCommands(t)).toEqual(['CreateDatabaseCommand']);
  });

  it('crawler: AlreadyExistsException is finished as an update of what differs', async () => {
    const t = mockedStack();
    t.glue.on(GetCrawlerCommand).rejectsOnce(glueNotFound()).resolves({ Crawler: { Name: t.ctx.names.crawler, Role: 'other' } });
    t.glue.on(GetTagsCommand).resolves({ Tags: TAGS });
    t.glue.on(CreateCrawlerCommand).rejects(new AlreadyExistsException({ message: 'Crawler with name already exists', $metadata }));
    const crawler = crawlerResource(t.ctx);
    await applyStep(t.ctx, await planStep(t.ctx, crawler));
    expect(t.glue.commandCalls(UpdateCrawlerCommand)).toHaveLength(1);
  });

  it('still fails on "already exists" for what is not there when looked at again', async () => {
    const t = mockedStack();
    t.glue.on(GetDatabaseCommand).rejects(glueNotFound());
    t.glue.on(CreateDatabaseCommand).rejects(new AlreadyExistsException({ message: 'Database already exists.', $metadata }));
    const database = databaseResource(t.ctx);
    await expect(applyStep(t.ctx, await planStep(t.ctx, database))).rejects.toThrow(
      /^create database flight_delays failed: AlreadyExistsException: Database already exists\.$/,
    );
  });

  it('refuses what someone else created meanwhile, as bad input (exit 2)', async () => {
    const t = mockedStack();
    t.glue.on(GetDatabaseCommand).rejectsOnce(glueNotFound()).resolves({ Database: { Name: t.ctx.names.database } });
    t.glue.on(GetTagsCommand).resolves({ Tags: { Team: 'analytics' } });
    t.glue.on(CreateDatabaseCommand).rejects(new AlreadyExistsException({ message: 'Database already exists.', $metadata }));
    const failure = await applyStep(t.ctx, await planStep(t.ctx, databaseResource(t.ctx))).catch((e: unknown) => e);
    expect(failure).toMatchObject({ exitCode: 2 });
    expect((failure as Error).message).toMatch(/^create database flight_delays failed: database flight_delays already exists and is not tagged/);
  });
});

describe('a delete whose answer was lost', () => {
  const teardown = (t: ReturnType<typeof mockedStack>, ...resources: AnyResource[]) =>
    executeTeardown(
      t.ctx,
      resources.map((resource) => ({ resource, ownership: 'owned' as const })),
    );

  it('role and its policy: not found on the retry counts as deleted', async () => {
    const t = mockedStack();
    t.iam.on(ListRolePoliciesCommand).resolves({ PolicyNames: [t.ctx.names.rolePolicy] });
    t.iam.on(ListAttachedRolePoliciesCommand).resolves({ AttachedPolicies: [] });
    t.iam.on(DeleteRolePolicyCommand).rejects(iamNoSuchEntity());
    t.iam.on(DeleteRoleCommand).rejects(iamNoSuchEntity());
    t.iam.on(GetRoleCommand).rejects(iamNoSuchEntity());
    await expect(teardown(t, roleResource(t.ctx))).resolves.toMatchObject({ deleted: [`role ${t.ctx.names.role}`] });
  });

  it('database and crawler: EntityNotFound on the retry counts as deleted', async () => {
    const t = mockedStack();
    t.glue.on(GetTablesCommand).resolves({ TableList: [] });
    t.glue.on(DeleteDatabaseCommand).rejects(glueNotFound());
    t.glue.on(GetDatabaseCommand).rejects(glueNotFound());
    t.glue.on(DeleteCrawlerCommand).rejects(glueNotFound());
    t.glue.on(GetCrawlerCommand).rejects(glueNotFound());
    await expect(teardown(t, crawlerResource(t.ctx), databaseResource(t.ctx))).resolves.toMatchObject({
      deleted: [`crawler ${t.ctx.names.crawler}`, `database ${t.ctx.names.database}`],
    });
  });

  it('bucket: NoSuchBucket on the retry of DeleteBucket counts as deleted', async () => {
    const t = mockedStack();
    t.s3.on(ListMultipartUploadsCommand).resolves({});
    t.s3.on(ListObjectVersionsCommand).resolves({});
    t.s3.on(DeleteBucketCommand).rejects(s3NoSuchBucket());
    t.s3.on(HeadBucketCommand).rejects(s3NoSuchBucket());
    await expect(teardown(t, bucketResource(t.ctx))).resolves.toMatchObject({ deleted: [`bucket ${t.ctx.names.bucket}`] });
  });

  it('an unfinished upload: NoSuchUpload on the retry of its abort counts as aborted', async () => {
    const t = mockedStack();
    t.s3.on(ListMultipartUploadsCommand).resolvesOnce({ Uploads: [{ Key: 'raw/big.csv', UploadId: 'u-1' }] }).resolves({});
    t.s3.on(AbortMultipartUploadCommand).rejects(new NoSuchUpload({ message: 'The specified upload does not exist.', $metadata }));
    t.s3.on(ListObjectVersionsCommand).resolves({});
    await expect(emptyBucket(t.ctx.aws.s3, t.ctx.names.bucket)).resolves.toEqual({ versions: 0, uploads: 1 });
  });
});
