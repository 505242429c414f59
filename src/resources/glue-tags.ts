import { GetTagsCommand, TagResourceCommand, type GlueClient } from '@aws-sdk/client-glue';
import { orUndefined } from '../aws/errors.js';
import { isOwnedBy } from '../stack/names.js';
import { missingTags } from '../aws/tags.js';
import { glueArn, type GlueResourceType, type StackContext } from '../stack/context.js';
import type { Ownership, Removable } from './resource.js';

export async function readGlueTags(glue: GlueClient, arn: string): Promise<Record<string, string>> {
  const result = await orUndefined(glue.send(new GetTagsCommand({ ResourceArn: arn })));
  return result?.Tags ?? {};
}

/** Adds the stack's tags that a resource lacks; returns whether a call was made. */
export async function addMissingGlueTags(
  glue: GlueClient,
  arn: string,
  desired: Readonly<Record<string, string>>,
  current?: Readonly<Record<string, string>>,
): Promise<boolean> {
  const missing = missingTags(desired, current ?? (await readGlueTags(glue, arn)));
  if (Object.keys(missing).length === 0) return false;
  await glue.send(new TagResourceCommand({ ResourceArn: arn, TagsToAdd: missing }));
  return true;
}

export async function glueOwnership(
  glue: GlueClient,
  arn: string,
  stack: string,
  exists: () => Promise<boolean>,
): Promise<Ownership> {
  if (!(await exists())) return 'absent';
  return isOwnedBy(await readGlueTags(glue, arn), stack) ? 'owned' : 'foreign';
}

/**
 * A Glue resource teardown may delete: it exists when `find` returns it (not-found errors mean it
 * does not), and it is this stack's when its tags say so.
 */
export function glueRemovable(
  ctx: StackContext,
  type: GlueResourceType,
  name: string,
  find: () => Promise<unknown>,
  destroy: () => Promise<unknown>,
): Removable {
  return {
    kind: type,
    name,
    ownership: () =>
      glueOwnership(ctx.aws.glue, glueArn(ctx.aws, type, name), ctx.names.stack, async () => (await orUndefined(find())) !== undefined),
    async destroy() {
      await destroy();
    },
  };
}
