import {
  CreateRoleCommand,
  DeleteRoleCommand,
  DeleteRolePolicyCommand,
  DetachRolePolicyCommand,
  GetRoleCommand,
  GetRolePolicyCommand,
  ListAttachedRolePoliciesCommand,
  ListRolePoliciesCommand,
  PutRolePolicyCommand,
  ServiceFailureException,
  TagRoleCommand,
  UpdateAssumeRolePolicyCommand,
} from '@aws-sdk/client-iam';
import { beforeEach, describe, expect, it } from 'vitest';
import { StepError } from '../../../src/core/errors.js';
import { glueAccessPolicy, glueTrustPolicy, roleArn, roleResource } from '../../../src/resources/role.js';
import { applyStep, planStep } from '../../../src/stack/plan.js';
import { iamNoSuchEntity } from '../support/errors.js';
import { ACCOUNT, KMS_KEY_ID, driftLabels, mockedStack, ownershipIn, sentCommands, updateStep, type MockedStack } from '../support/stack.js';

interface Statement {
  Sid?: string;
  Effect: string;
  Action: string | string[];
  Resource: string | string[];
  Principal?: unknown;
  Condition?: unknown;
}
interface Document {
  Version: string;
  Statement: Statement[];
}

const asList = (value: string | string[]): string[] => (Array.isArray(value) ? value : [value]);

/** IAM's StringLike: `*` any run of characters, `?` one character, everything else literal. */
function stringLike(pattern: string, value: string): boolean {
  const regex = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${regex}$`).test(value);
}

/** The condition keys this policy may use, and the actions each one applies to (Service Authorization Reference). */
const CONDITION_KEYS: Readonly<Record<string, readonly string[]>> = {
  's3:prefix': ['s3:ListBucket', 's3:ListBucketVersions'],
  'cloudwatch:namespace': ['cloudwatch:PutMetricData'],
};
const CONDITION_OPERATORS = ['StringEquals', 'StringNotEquals', 'StringLike', 'StringNotLike', 'StringEqualsIgnoreCase', 'ArnEquals', 'ArnLike', 'Bool'];

/** What IAM would reject in an identity policy, or what would silently never match. */
function iamGrammarErrors(document: Document): string[] {
  const errors: string[] = [];
  if (document.Version !== '2012-10-17') errors.push(`Version ${document.Version}`);
  const sids = document.Statement.map((s) => s.Sid);
  if (new Set(sids).size !== sids.length) errors.push('duplicate Sid');
  for (const statement of document.Statement) {
    const where = statement.Sid ?? JSON.stringify(statement);
    if (statement.Sid !== undefined && !/^[A-Za-z0-9]+$/.test(statement.Sid)) errors.push(`${where}: Sid must be alphanumeric`);
    if (!['Allow', 'Deny'].includes(statement.Effect)) errors.push(`${where}: Effect`);
    if (statement.Principal !== undefined) errors.push(`${where}: Principal in an identity policy`);
    const actions = asList(statement.Action);
    for (const action of actions) if (!/^[a-z0-9-]+:[A-Za-z]+\*?$/.test(action)) errors.push(`${where}: action ${action}`);
    for (const resource of asList(statement.Resource)) {
      if (resource !== '*' && !/^arn:[a-z-]+:[a-z0-9-]+:[a-z0-9-]*:(\d{12})?:.+$/.test(resource)) errors.push(`${where}: resource ${resource}`);
    }
    if (actions.some((a) => a.startsWith('kms:')) && !asList(statement.Resource).every((r) => /^arn:[a-z-]+:kms:[a-z0-9-]+:\d{12}:key\/[\w-]+$/.test(r))) {
      errors.push(`${where}: KMS permissions match a key only by its key ARN`);
    }
    for (const [operator, block] of Object.entries((statement.Condition ?? {}) as Record<string, Record<string, unknown>>)) {
      if (!CONDITION_OPERATORS.includes(operator)) errors.push(`${where}: operator ${operator}`);
      for (const [key, values] of Object.entries(block)) {
        const appliesTo = CONDITION_KEYS[key];
        if (!appliesTo) errors.push(`${where}: condition key ${key}`);
        else if (!actions.every((a) => appliesTo.includes(a))) errors.push(`${where}: ${key} does not apply to every action of ${actions.join(', ')}`);
        if (!asList(values as string | string[]).every((v) => typeof v === 'string' && v.length > 0)) errors.push(`${where}: values of ${key}`);
        if (operator.startsWith('StringEquals') && asList(values as string | string[]).some((v) => v.includes('*'))) errors.push(`${where}: wildcard under ${operator}`);
      }
    }
  }
  return errors;
}

/** IAM hands documents back URL-encoded, and not necessarily with our key order or spacing. */
function asIamReturnsIt(document: unknown): string {
  const reorder = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(reorder);
    if (value && typeof value === 'object') {
      return Object.fromEntries(Object.entries(value).reverse().map(([k, v]) => [k, reorder(v)]));
    }
    return value;
  };
  return encodeURIComponent(JSON.stringify(reorder(document), null, 4));
}

let t: MockedStack;
beforeEach(() => {
  t = mockedStack({ region: 'eu-west-1' });
});

function mockRole(options: { trust?: unknown; access?: unknown | null; tags?: { Key: string; Value: string }[] } = {}): void {
  t.iam.on(GetRoleCommand).resolves({
    Role: {
      RoleName: t.ctx.names.role,
      Path: '/',
      RoleId: 'AROAEXAMPLE',
      Arn: t.ctx.roleArn,
      CreateDate: new Date(),
      AssumeRolePolicyDocument: asIamReturnsIt(options.trust ?? glueTrustPolicy),
      Tags: options.tags ?? [
        { Key: 'ManagedBy', Value: 'glue-provisioner' },
        { Key: 'Stack', Value: 'flight-delays' },
      ],
    },
  });
  if (options.access === null) t.iam.on(GetRolePolicyCommand).rejects(iamNoSuchEntity('The role policy cannot be found.'));
  else {
    t.iam.on(GetRolePolicyCommand).resolves({
      RoleName: t.ctx.names.role,
      PolicyName: t.ctx.names.rolePolicy,
      PolicyDocument: asIamReturnsIt(options.access ?? glueAccessPolicy(t.ctx)),
    });
  }
}

describe('glueTrustPolicy', () => {
  it('lets only the Glue service assume the role', () => {
    expect(glueTrustPolicy).toEqual({
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Principal: { Service: 'glue.amazonaws.com' }, Action: 'sts:AssumeRole' }],
    });
  });
});

describe('glueAccessPolicy', () => {
  const policy = (raw = {}) => {
    const s = mockedStack({ region: 'eu-west-1', raw: { bucket: 'data-bucket', ...raw } });
    return glueAccessPolicy(s.ctx) as Document;
  };

  it('scopes every S3 permission to this bucket and its prefixes', () => {
    const statements = policy().Statement.filter((s) => asList(s.Action).some((a) => a.startsWith('s3:')));
    const resources = statements.flatMap((s) => asList(s.Resource));
    expect(resources.length).toBeGreaterThan(0);
    for (const resource of resources) expect(resource).toMatch(/^arn:aws:s3:::data-bucket(\/(raw|scripts|processed|tmp|spark-logs)\/\*)?$/);
    const writes = statements.filter((s) => asList(s.Action).includes('s3:PutObject')).flatMap((s) => asList(s.Resource));
    expect(writes.sort()).toEqual(['arn:aws:s3:::data-bucket/processed/*', 'arn:aws:s3:::data-bucket/spark-logs/*', 'arn:aws:s3:::data-bucket/tmp/*']);
    const reads = statements.filter((s) => asList(s.Action).includes('s3:GetObject')).flatMap((s) => asList(s.Resource));
    expect(reads).toEqual(expect.arrayContaining(['arn:aws:s3:::data-bucket/raw/*', 'arn:aws:s3:::data-bucket/scripts/*']));
  });

  it("scopes catalog access to this stack's database and its tables, and its own runs to this stack's job", () => {
    const glue = policy().Statement.filter((s) => asList(s.Action).some((a) => a.startsWith('glue:')));
    const onJobs = glue.filter((s) => asList(s.Resource).some((r) => r.includes(':job/')));
    // The run manifest's runtime: the job reads its own run, and nothing else of any job.
    expect(onJobs).toEqual([{ Sid: 'OwnJobRuns', Effect: 'Allow', Action: 'glue:GetJobRun', Resource: `arn:aws:glue:eu-west-1:${ACCOUNT}:job/flight-delays-features` }]);
    expect(glue.filter((s) => !onJobs.includes(s)).flatMap((s) => asList(s.Resource)).sort()).toEqual([
      `arn:aws:glue:eu-west-1:${ACCOUNT}:catalog`,
      `arn:aws:glue:eu-west-1:${ACCOUNT}:database/flight_delays`,
      `arn:aws:glue:eu-west-1:${ACCOUNT}:table/flight_delays/*`,
    ]);
    expect(glue.flatMap((s) => asList(s.Action))).not.toContain('glue:*');
    expect(glue.flatMap((s) => asList(s.Action))).not.toContain('glue:DeleteTable');
  });

  it("allows logs only in Glue's own log groups", () => {
    const logs = policy().Statement.filter((s) => asList(s.Action).some((a) => a.startsWith('logs:')));
    expect(logs.flatMap((s) => asList(s.Resource))).toEqual([`arn:aws:logs:eu-west-1:${ACCOUNT}:log-group:/aws-glue/*`]);
  });

  it('allows no action on every resource except Glue metrics, and those only in the Glue namespace', () => {
    const wildcard = policy().Statement.filter((s) => asList(s.Resource).includes('*'));
    expect(wildcard).toEqual([
      expect.objectContaining({ Action: 'cloudwatch:PutMetricData', Condition: { StringEquals: { 'cloudwatch:namespace': 'Glue' } } }),
    ]);
  });

  it('adds KMS access to the bucket key only when one is set, always on the key ARN it resolves to', () => {
    const kms = (document: Document) => document.Statement.filter((s) => asList(s.Action).some((a) => a.startsWith('kms:')));
    expect(kms(policy())).toEqual([]);
    const keyArn = `arn:aws:kms:eu-west-1:${ACCOUNT}:key/${KMS_KEY_ID}`;
    // IAM matches a KMS key only by its key ARN: an alias (ARN) in Resource matches nothing.
    for (const kmsKey of [KMS_KEY_ID, 'alias/data', `arn:aws:kms:eu-west-1:${ACCOUNT}:alias/data`, keyArn]) {
      const statements = kms(policy({ kmsKey }));
      expect(statements, kmsKey).toEqual([{ Sid: 'BucketKey', Effect: 'Allow', Action: ['kms:Decrypt', 'kms:GenerateDataKey'], Resource: keyArn }]);
    }
  });

  it('names the key by the ARN openStack resolved, even in another account', () => {
    const other = 'arn:aws:kms:eu-west-1:210987654321:key/5d5c3b52-aaaa-4bbb-8ccc-0123456789ab';
    const s = mockedStack({ region: 'eu-west-1', raw: { kmsKey: 'arn:aws:kms:eu-west-1:210987654321:alias/shared' }, kmsKeyArn: other });
    const kms = (glueAccessPolicy(s.ctx) as Document).Statement.filter((st) => asList(st.Action).some((a) => a.startsWith('kms:')));
    expect(kms.flatMap((st) => asList(st.Resource))).toEqual([other]);
  });

  it('lets the role abort its own multipart uploads, only where it writes', () => {
    const aborts = policy().Statement.filter((s) => asList(s.Action).includes('s3:AbortMultipartUpload'));
    expect(aborts.flatMap((s) => asList(s.Resource)).sort()).toEqual([
      'arn:aws:s3:::data-bucket/processed/*',
      'arn:aws:s3:::data-bucket/spark-logs/*',
      'arn:aws:s3:::data-bucket/tmp/*',
    ]);
    for (const statement of aborts) expect(asList(statement.Action)).toContain('s3:PutObject');
  });

  it('lets the role list only the prefixes it reads and writes; GetBucketLocation takes no prefix', () => {
    const document = policy();
    const listing = document.Statement.filter((s) => asList(s.Action).includes('s3:ListBucket'));
    expect(listing).toHaveLength(1);
    expect(asList(listing[0]!.Action)).toEqual(['s3:ListBucket']);
    expect(listing[0]!.Resource).toBe('arn:aws:s3:::data-bucket');
    const prefixes = (listing[0]!.Condition as { StringLike: { 's3:prefix': string[] } }).StringLike['s3:prefix'];
    expect(listing[0]!.Condition).toEqual({ StringLike: { 's3:prefix': prefixes } });
    for (const folder of ['raw', 'scripts', 'processed', 'tmp', 'spark-logs']) {
      // Spark and the crawler list a folder by its name and everything below it.
      expect(prefixes).toEqual(expect.arrayContaining([`${folder}/`, `${folder}/*`]));
    }
    const matches = (prefix: string) => prefixes.some((pattern) => stringLike(pattern, prefix));
    for (const allowed of ['raw/', 'raw/flights/year=2001/', 'scripts/job.py', 'processed/', 'processed/features/', 'tmp/x', 'spark-logs/']) {
      expect(matches(allowed), allowed).toBe(true);
    }
    for (const denied of ['', 'rawdata/', 'secrets/', 'processedx/', 'other/raw/']) expect(matches(denied), denied).toBe(false);

    const location = document.Statement.filter((s) => asList(s.Action).includes('s3:GetBucketLocation'));
    expect(location).toEqual([{ Sid: 'BucketLocation', Effect: 'Allow', Action: 's3:GetBucketLocation', Resource: 'arn:aws:s3:::data-bucket' }]);
  });

  it("can neither list nor read nor write the results of the stack's Athena queries", () => {
    // The job never queries Athena: the results are for whoever ran a query, through the workgroup.
    const document = policy();
    const objectArns = document.Statement.filter((s) => asList(s.Action).some((a) => a.startsWith('s3:') && a !== 's3:ListBucket')).flatMap((s) => asList(s.Resource));
    for (const key of ['athena-results/', 'athena-results/4f1c.csv', 'athena-results/tables/q.metadata']) {
      expect(objectArns.filter((arn) => stringLike(arn, `arn:aws:s3:::data-bucket/${key}`)), key).toEqual([]);
    }
    const listing = document.Statement.find((s) => asList(s.Action).includes('s3:ListBucket'))!;
    const prefixes = (listing.Condition as { StringLike: { 's3:prefix': string[] } }).StringLike['s3:prefix'];
    for (const prefix of ['athena-results/', 'athena-results/4f1c.csv']) expect(prefixes.filter((p) => stringLike(p, prefix)), prefix).toEqual([]);
  });

  it('follows the IAM policy grammar', () => {
    for (const raw of [{}, { kmsKey: 'alias/data' }, { kmsKey: `arn:aws:kms:eu-west-1:${ACCOUNT}:alias/data` }]) {
      expect(iamGrammarErrors(policy(raw)), JSON.stringify(raw)).toEqual([]);
    }
  });

  it('uses the partition in every ARN', () => {
    const s = mockedStack({ region: 'cn-north-1', partition: 'aws-cn', raw: { bucket: 'cn-bucket' } });
    const resources = (glueAccessPolicy(s.ctx) as Document).Statement.flatMap((st) => asList(st.Resource)).filter((r) => r !== '*');
    for (const resource of resources) expect(resource).toMatch(/^arn:aws-cn:/);
  });
});

describe('roleResource', () => {
  it('finds a missing role as undefined, its policy read alongside', async () => {
    t.iam.on(GetRoleCommand).rejects(iamNoSuchEntity());
    t.iam.on(GetRolePolicyCommand).rejects(iamNoSuchEntity());
    await expect(roleResource(t.ctx).find()).resolves.toBeUndefined();
    expect(sentCommands(t).sort()).toEqual(['GetRoleCommand', 'GetRolePolicyCommand']);
  });

  it('compares URL-encoded documents from IAM by meaning: in sync means no drift', async () => {
    mockRole();
    const resource = roleResource(t.ctx);
    const found = await resource.find();
    expect(found?.state.trustPolicy).toEqual(glueTrustPolicy);
    expect(found?.tags).toEqual({ ManagedBy: 'glue-provisioner', Stack: 'flight-delays' });
    expect(resource.drift(found!.state)).toEqual([]);
    expect(t.iam.commandCalls(GetRolePolicyCommand)[0]?.args[0].input).toEqual({ RoleName: 'flight-delays-glue-role', PolicyName: 'flight-delays-glue-access' });
  });

  it('reports a trust policy that also trusts another principal', async () => {
    const loose = {
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Principal: { Service: ['glue.amazonaws.com', 'ec2.amazonaws.com'] }, Action: 'sts:AssumeRole' }],
    };
    mockRole({ trust: loose });
    const resource = roleResource(t.ctx);
    const state = (await resource.find())!.state;
    expect(resource.drift(state)).toEqual(['trustPolicy']);
    expect(driftLabels(resource, state)).toEqual(['trust policy']);
  });

  it('reports a missing or widened inline policy', async () => {
    mockRole({ access: null });
    const resource = roleResource(t.ctx);
    const missing = (await resource.find())!.state;
    expect(resource.drift(missing)).toEqual(['accessPolicy']);
    expect(driftLabels(resource, missing)).toEqual(['access policy']);

    const widened = glueAccessPolicy(t.ctx) as Document;
    widened.Statement[0] = { ...widened.Statement[0]!, Resource: '*' };
    mockRole({ access: widened });
    expect(driftLabels(resource, (await resource.find())!.state)).toEqual(['access policy']);
  });

  it('refuses, when planning, to adopt a role of the same name that this stack did not create', async () => {
    mockRole({ tags: [{ Key: 'ManagedBy', Value: 'glue-provisioner' }] });
    const failure = await planStep(t.ctx, roleResource(t.ctx)).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(StepError);
    expect(failure).toMatchObject({
      step: 'describe',
      fault: 'user',
      message: expect.stringContaining('role flight-delays-glue-role already exists and is not tagged as stack "flight-delays"'),
    });
    expect((failure as StepError).cause).toMatchObject({
      fault: 'user',
      message: expect.stringContaining('role flight-delays-glue-role already exists and is not tagged as stack "flight-delays"'),
    });
  });

  it('creates the role trusted by Glue and tagged, then puts the scoped inline policy', async () => {
    await roleResource(t.ctx).create();
    expect(sentCommands(t)).toEqual(['CreateRoleCommand', 'PutRolePolicyCommand']);
    const create = t.iam.commandCalls(CreateRoleCommand)[0]!.args[0].input;
    expect(create.RoleName).toBe('flight-delays-glue-role');
    expect(JSON.parse(create.AssumeRolePolicyDocument!)).toEqual(glueTrustPolicy);
    expect(create.Tags).toEqual([
      { Key: 'ManagedBy', Value: 'glue-provisioner' },
      { Key: 'Stack', Value: 'flight-delays' },
    ]);
    const put = t.iam.commandCalls(PutRolePolicyCommand)[0]!.args[0].input;
    expect(put).toMatchObject({ RoleName: 'flight-delays-glue-role', PolicyName: 'flight-delays-glue-access' });
    expect(JSON.parse(put.PolicyDocument!)).toEqual(glueAccessPolicy(t.ctx));
  });

  it('fixes only what drifted, tags first (applyStep)', async () => {
    const resource = roleResource(t.ctx);
    const step = updateStep(t.ctx, resource, {
      state: { trustPolicy: {}, accessPolicy: glueAccessPolicy(t.ctx) },
      tags: { Stack: 'flight-delays', Owner: 'me' },
    });
    expect(step.keys).toEqual(['trustPolicy', 'tags']);
    expect(step.change.details).toEqual(['trust policy', 'tags']);
    await applyStep(t.ctx, step);
    // Tags first: if the policy update fails, the role is still recognised as the stack's.
    expect(sentCommands(t)).toEqual(['TagRoleCommand', 'UpdateAssumeRolePolicyCommand']);
    expect(JSON.parse(t.iam.commandCalls(UpdateAssumeRolePolicyCommand)[0]!.args[0].input.PolicyDocument!)).toEqual(glueTrustPolicy);
    expect(t.iam.commandCalls(TagRoleCommand)[0]!.args[0].input).toEqual({
      RoleName: 'flight-delays-glue-role',
      Tags: [{ Key: 'ManagedBy', Value: 'glue-provisioner' }],
    });
  });

  it('puts the access policy again when it drifted', async () => {
    const resource = roleResource(t.ctx);
    const state = { trustPolicy: glueTrustPolicy, accessPolicy: undefined };
    await resource.update(state, resource.drift(state));
    expect(sentCommands(t)).toEqual(['PutRolePolicyCommand']);
  });
});

describe('roleArn', () => {
  it('builds the ARN in the given partition', () => {
    expect(roleArn('aws-us-gov', ACCOUNT, 'r')).toBe(`arn:aws-us-gov:iam::${ACCOUNT}:role/r`);
  });
});

describe('roleResource ownership and destroy', () => {
  it('is absent, owned or foreign by its tags', async () => {
    const resource = roleResource(t.ctx);
    t.iam.on(GetRoleCommand).rejects(iamNoSuchEntity());
    await expect(ownershipIn(t, resource)).resolves.toBe('absent');
    mockRole();
    await expect(ownershipIn(t, resource)).resolves.toBe('owned');
    mockRole({ tags: [{ Key: 'ManagedBy', Value: 'glue-provisioner' }, { Key: 'Stack', Value: 'another' }] });
    await expect(ownershipIn(t, resource)).resolves.toBe('foreign');
    mockRole({ tags: [] });
    await expect(ownershipIn(t, resource)).resolves.toBe('foreign');
  });

  it('deletes inline policies and detaches managed ones, across pages, before DeleteRole', async () => {
    t.iam
      .on(ListRolePoliciesCommand)
      .resolvesOnce({ PolicyNames: ['flight-delays-glue-access'], IsTruncated: true, Marker: 'm1' })
      .resolvesOnce({ PolicyNames: ['added-by-hand'], IsTruncated: false });
    t.iam.on(ListAttachedRolePoliciesCommand).resolves({
      AttachedPolicies: [{ PolicyName: 'AWSGlueServiceRole', PolicyArn: 'arn:aws:iam::aws:policy/service-role/AWSGlueServiceRole' }],
      IsTruncated: false,
    });
    await roleResource(t.ctx).destroy!();

    const sent = sentCommands(t);
    expect(sent.at(-1)).toBe('DeleteRoleCommand');
    expect(sent.filter((c) => c === 'DeleteRoleCommand')).toHaveLength(1);
    expect(t.iam.commandCalls(DeleteRolePolicyCommand).map((c) => c.args[0].input)).toEqual([
      { RoleName: 'flight-delays-glue-role', PolicyName: 'flight-delays-glue-access' },
      { RoleName: 'flight-delays-glue-role', PolicyName: 'added-by-hand' },
    ]);
    expect(t.iam.commandCalls(DetachRolePolicyCommand).map((c) => c.args[0].input)).toEqual([
      { RoleName: 'flight-delays-glue-role', PolicyArn: 'arn:aws:iam::aws:policy/service-role/AWSGlueServiceRole' },
    ]);
    expect(t.iam.commandCalls(ListRolePoliciesCommand)[1]?.args[0].input.Marker).toBe('m1');
    expect(t.iam.commandCalls(DeleteRoleCommand)[0]?.args[0].input).toEqual({ RoleName: 'flight-delays-glue-role' });
  });

  it('still deletes the role when an inline policy vanishes between listing and deleting it', async () => {
    t.iam.on(ListRolePoliciesCommand).resolves({ PolicyNames: ['flight-delays-glue-access', 'added-by-hand'], IsTruncated: false });
    t.iam.on(ListAttachedRolePoliciesCommand).resolves({ AttachedPolicies: [], IsTruncated: false });
    t.iam
      .on(DeleteRolePolicyCommand, { PolicyName: 'flight-delays-glue-access' })
      .rejects(iamNoSuchEntity('The role policy with name flight-delays-glue-access cannot be found.'));
    await roleResource(t.ctx).destroy!();
    expect(t.iam.commandCalls(DeleteRolePolicyCommand).map((c) => c.args[0].input.PolicyName)).toEqual(['flight-delays-glue-access', 'added-by-hand']);
    expect(t.iam.commandCalls(DeleteRoleCommand)).toHaveLength(1);
  });

  it('still deletes the role when an attached policy is detached by someone else meanwhile', async () => {
    t.iam.on(ListRolePoliciesCommand).resolves({ PolicyNames: [], IsTruncated: false });
    t.iam.on(ListAttachedRolePoliciesCommand).resolves({
      AttachedPolicies: [
        { PolicyName: 'Gone', PolicyArn: `arn:aws:iam::${ACCOUNT}:policy/Gone` },
        { PolicyName: 'AWSGlueServiceRole', PolicyArn: 'arn:aws:iam::aws:policy/service-role/AWSGlueServiceRole' },
      ],
      IsTruncated: false,
    });
    t.iam.on(DetachRolePolicyCommand, { PolicyArn: `arn:aws:iam::${ACCOUNT}:policy/Gone` }).rejects(iamNoSuchEntity('Policy Gone was not found.'));
    await roleResource(t.ctx).destroy!();
    expect(t.iam.commandCalls(DetachRolePolicyCommand)).toHaveLength(2);
    expect(t.iam.commandCalls(DeleteRoleCommand)).toHaveLength(1);
  });

  it('does not delete the role when removing a policy fails', async () => {
    t.iam.on(ListRolePoliciesCommand).resolves({ PolicyNames: ['p'] });
    t.iam.on(DeleteRolePolicyCommand).rejects(new ServiceFailureException({ message: 'try again', $metadata: {} }));
    await expect(roleResource(t.ctx).destroy!()).rejects.toBeInstanceOf(ServiceFailureException);
    expect(t.iam.commandCalls(DeleteRoleCommand)).toHaveLength(0);
  });
});
