import {
  CreateRoleCommand,
  DeleteRoleCommand,
  DeleteRolePolicyCommand,
  DetachRolePolicyCommand,
  GetRoleCommand,
  GetRolePolicyCommand,
  PutRolePolicyCommand,
  TagRoleCommand,
  UpdateAssumeRolePolicyCommand,
  paginateListAttachedRolePolicies,
  paginateListRolePolicies,
} from '@aws-sdk/client-iam';
import { orUndefined } from '../aws/errors.js';
import { tagList, tagRecord } from '../aws/tags.js';
import type { StackContext } from '../core/context.js';
import { parsePolicyDocument, sameJson } from '../util/json.js';
import { labelsFrom, type ResourceDefinition } from './resource.js';

export interface RoleState {
  readonly trustPolicy: unknown;
  readonly accessPolicy: unknown;
}

export function roleArn(partition: string, accountId: string, roleName: string): string {
  return `arn:${partition}:iam::${accountId}:role/${roleName}`;
}

/** A role one AWS service assumes, with one inline policy: all the stack's roles are this. */
export interface ServiceRoleSpec {
  readonly roleName: string;
  readonly policyName: string;
  /** The service principal the trust policy names, as a plan shows it. */
  readonly service: string;
  readonly description: string;
  readonly trustPolicy: unknown;
  readonly accessPolicy: unknown;
  /** False when the settings turn the role off (ResourceDefinition.wanted); omitted: always. */
  readonly wanted?: boolean;
}

export type RoleKey = 'trustPolicy' | 'accessPolicy';

/** A service role and its inline policy, compared and repaired as a whole. */
export function serviceRoleResource(ctx: StackContext, spec: ServiceRoleSpec): ResourceDefinition<RoleState, RoleKey> {
  const { iam } = ctx.aws;
  const RoleName = spec.roleName;
  const PolicyName = spec.policyName;
  const { accessPolicy, trustPolicy } = spec;
  const putAccessPolicy = () =>
    iam.send(new PutRolePolicyCommand({ RoleName, PolicyName, PolicyDocument: JSON.stringify(accessPolicy) }));

  return {
    kind: 'role',
    name: RoleName,
    ...(spec.wanted === undefined ? {} : { wanted: spec.wanted }),
    label: labelsFrom<RoleKey>({ trustPolicy: 'trust policy', accessPolicy: 'access policy' }),

    async find() {
      // Both at once: the policy of a role that does not exist is simply not found.
      const [role, policy] = await Promise.all([
        orUndefined(iam.send(new GetRoleCommand({ RoleName }))),
        orUndefined(iam.send(new GetRolePolicyCommand({ RoleName, PolicyName }))),
      ]);
      if (!role?.Role) return undefined;
      const tags = tagRecord(role.Role.Tags);
      return {
        state: {
          trustPolicy: parsePolicyDocument(role.Role.AssumeRolePolicyDocument),
          accessPolicy: parsePolicyDocument(policy?.PolicyDocument),
        },
        tags,
      };
    },

    drift(current) {
      const drift: RoleKey[] = [];
      if (!sameJson(current.trustPolicy, trustPolicy)) drift.push('trustPolicy');
      if (!sameJson(current.accessPolicy, accessPolicy)) drift.push('accessPolicy');
      return drift;
    },

    createDetails() {
      return [`trusted by ${spec.service}`, `inline policy ${PolicyName}`];
    },

    async create() {
      await iam.send(
        new CreateRoleCommand({
          RoleName,
          AssumeRolePolicyDocument: JSON.stringify(trustPolicy),
          Description: spec.description,
          Tags: tagList(ctx.tags),
        }),
      );
      await putAccessPolicy();
    },

    async update(_current, keys) {
      if (keys.includes('trustPolicy')) {
        await iam.send(new UpdateAssumeRolePolicyCommand({ RoleName, PolicyDocument: JSON.stringify(trustPolicy) }));
      }
      if (keys.includes('accessPolicy')) await putAccessPolicy();
    },

    async addTags(missing) {
      await iam.send(new TagRoleCommand({ RoleName, Tags: tagList(missing) }));
    },

    async destroy() {
      // IAM refuses to delete a role that still has policies. One removed by someone else between
      // the listing and our call is gone all the same.
      for await (const page of paginateListRolePolicies({ client: iam }, { RoleName })) {
        for (const PolicyName of page.PolicyNames ?? []) {
          await ignoreNotFound(iam.send(new DeleteRolePolicyCommand({ RoleName, PolicyName })));
        }
      }
      for await (const page of paginateListAttachedRolePolicies({ client: iam }, { RoleName })) {
        for (const policy of page.AttachedPolicies ?? []) {
          await ignoreNotFound(iam.send(new DetachRolePolicyCommand({ RoleName, PolicyArn: policy.PolicyArn })));
        }
      }
      await iam.send(new DeleteRoleCommand({ RoleName }));
    },
  };
}

/** Runs a delete; one that finds nothing to delete has nothing left to do. */
async function ignoreNotFound(call: Promise<unknown>): Promise<void> {
  await orUndefined(call);
}
