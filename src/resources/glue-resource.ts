import { GetTagsCommand, TagResourceCommand } from '@aws-sdk/client-glue';
import { orUndefined } from '../aws/errors.js';
import { missingTags } from '../aws/tags.js';
import type { StackContext } from '../core/context.js';
import { retryWhileRolePropagates } from '../util/wait.js';
import { labelsFrom, type ResourceDefinition, type StatusFields, type Tags } from './resource.js';

export type GlueResourceType = 'database' | 'crawler' | 'job' | 'workflow' | 'trigger';

export function glueArn(aws: StackContext['aws'], type: GlueResourceType, name: string): string {
  return `arn:${aws.partition}:glue:${aws.region}:${aws.accountId}:${type}/${name}`;
}

/**
 * What makes one Glue resource: its calls and its comparison. Glue resources share how they are
 * tagged (by ARN, GetTags and TagResource) and how a missing one is reported (EntityNotFound).
 */
export interface GlueResourceSpec<State, Key extends string> {
  readonly type: GlueResourceType;
  readonly name: string;
  /** Every drift key with the words a plan shows for it; omitted when the keys are those words. */
  readonly labels?: Readonly<Record<Key, string>>;
  /**
   * Whether the resource runs as the stack's IAM role. Glue checks a role when the resource is
   * created or changed, and a role created moments ago can take a while to reach it.
   */
  readonly assumesRole?: boolean;
  /** The Get call; a not-found error or an empty answer means it does not exist. */
  get(): Promise<State | undefined>;
  drift(state: State): Key[];
  /** The Create call, passing these tags in the same request. */
  create(tags: Tags): Promise<unknown>;
  update(state: State, keys: readonly Key[]): Promise<unknown>;
  /** The Delete call. */
  delete(): Promise<unknown>;
  createDetails?(): string[];
  summarize?(state: State): StatusFields;
}

export function glueResource<State, Key extends string>(
  ctx: StackContext,
  spec: GlueResourceSpec<State, Key>,
): ResourceDefinition<State, Key> {
  const { glue } = ctx.aws;
  const arn = glueArn(ctx.aws, spec.type, spec.name);
  const readTags = async (): Promise<Tags> => (await orUndefined(glue.send(new GetTagsCommand({ ResourceArn: arn }))))?.Tags ?? {};
  const send = spec.assumesRole ? <T>(call: () => Promise<T>) => retryWhileRolePropagates(call, ctx.logger, { signal: ctx.signal }) : <T>(call: () => Promise<T>) => call();
  const addTags = async (missing: Tags): Promise<void> => {
    await glue.send(new TagResourceCommand({ ResourceArn: arn, TagsToAdd: { ...missing } }));
  };

  return {
    kind: spec.type,
    name: spec.name,
    async find() {
      // The ARN is known from the name, so the tags are read alongside: one round trip, not two.
      const tags = readTags();
      tags.catch(() => undefined);
      const state = await orUndefined(spec.get());
      if (state === undefined) return undefined;
      return { state, tags: await tags };
    },
    drift: (state) => spec.drift(state),
    label: spec.labels ? labelsFrom(spec.labels) : (key) => key,
    ...(spec.createDetails ? { createDetails: () => spec.createDetails!() } : {}),
    async create() {
      await send(() => spec.create({ ...ctx.tags }));
      // Some Glue create calls (and emulators) keep only part of the Tags they are given: read them
      // back and add what is missing, so the new resource is recognised as this stack's.
      const missing = missingTags(ctx.tags, await readTags());
      if (Object.keys(missing).length > 0) await addTags(missing);
    },
    async update(state, keys) {
      await send(() => spec.update(state, keys));
    },
    addTags,
    async destroy() {
      await spec.delete();
    },
    ...(spec.summarize ? { summarize: (state: State) => spec.summarize!(state) } : {}),
  };
}
