/**
 * The contract every AWS resource module fulfils. A module says how to read, compare, create,
 * change and delete one resource; the stack layer does the rest alike for all of them: ownership,
 * tags, the plan, the order of `up` and `teardown`, and `status`.
 */

export type Tags = Readonly<Record<string, string>>;

export type Action = 'create' | 'update' | 'delete' | 'no-op';

/** What kind of AWS resource a module makes: the word a plan, `status` and teardown show. */
export type ResourceKind = 'bucket' | 'objects' | 'role' | 'database' | 'table' | 'crawler' | 'job' | 'workflow' | 'trigger' | 'key' | 'topic' | 'emails' | 'rule' | 'dashboard' | 'notifications' | 'workgroup' | 'queries';

/** One line of a plan: what would happen to a resource, and why. */
export interface PlannedChange {
  readonly kind: ResourceKind;
  readonly name: string;
  readonly action: Action;
  /** For updates: the settings that differ. For creates and uploads: what will be made. */
  readonly details: readonly string[];
}

/** A resource as it exists now. */
export interface Found<State> {
  readonly state: State;
  /** Its own tags; empty for what lives inside another resource and carries none (objects). */
  readonly tags: Tags;
}

/** What `status` shows of a resource beyond whether it exists. */
export interface StatusFields {
  /** Crawler: READY, RUNNING or STOPPING; trigger: ACTIVATED and so on. */
  readonly state?: string | undefined;
  readonly type?: string | undefined;
  readonly schedule?: string | undefined;
}

/**
 * One AWS resource of the stack. `Key` names the settings that can drift, so `update` branches on
 * checked names rather than on the words a plan shows.
 */
export interface ResourceDefinition<State = unknown, Key extends string = string> {
  readonly kind: ResourceKind;
  readonly name: string;
  /**
   * False when the settings turn the resource off (alerts without --notify, no --dashboard): `up`
   * then deletes it if it exists and is the stack's (an earlier `up` made it), and `status` lists it
   * only if it exists. Teardown deletes it either way. Omitted: the stack always has it.
   */
  readonly wanted?: boolean;
  /**
   * `up` may go on with the resources after this one while it is being converged: none of them
   * needs it finished to be created (a crawler or job needs its S3 prefix, not the files in it).
   * Such resources converge alongside what follows them, and alongside each other (the uploads share
   * the command's transfer bounds: stack/resources.ts). Omitted: `up` waits.
   */
  readonly alongside?: boolean;
  /** Reads the resource and its tags; undefined when it does not exist. Never mutates. */
  find(): Promise<Found<State> | undefined>;
  /** Pure: the settings that differ from what this stack wants; empty when in sync. Tags aside. */
  drift(state: State): Key[];
  /** How a drift key reads in a plan. */
  label(key: Key): string;
  /** What a plan shows for a create; none when omitted. */
  createDetails?(): string[];
  /** Creates the resource carrying the stack's tags. */
  create(): Promise<void>;
  /** Brings the drifted settings back; only called with keys that `drift` returned. */
  update(state: State, keys: readonly Key[]): Promise<void>;
  /**
   * Starts local work that its create or update will need (hashing files an upload will send) as
   * soon as `up` knows the resource will change: the work is then under way while the resources
   * before it are converged. `state` is undefined for a create. Only `up` calls it, never `plan`;
   * it changes nothing outside this process, and its work is bounded (the command may yet fail).
   */
  prepare?(state: State | undefined): void;
  /**
   * Whether this resource, found without the stack's tags, is one this tool's own create left
   * before it could tag it (the process was killed, the network failed, the tagging call failed).
   * Only for a resource whose create may not carry the tags in the same call: the bucket, on stores
   * that ignore tags at creation (resources/bucket.ts says what it must look like). Omitted: an
   * untagged resource is never the stack's.
   */
  unfinished?(found: Found<State>): Promise<boolean>;
  /**
   * Adds tags (the stack's that are missing), keeping any others. Omitted for what lives inside
   * another resource and is owned through it: such a resource has no ownership check of its own.
   */
  addTags?(missing: Tags, current: Tags): Promise<void>;
  /**
   * Deletes it with everything it holds; omitted for what is deleted with its parent. A resource
   * with its own `destroy` stands on its own: status lists it, teardown deletes it.
   */
  destroy?(): Promise<void>;
  /** What status shows beyond whether it exists. */
  summarize?(state: State): StatusFields;
}

/** A resource of any kind, as the stack's ordered list holds them. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyResource = ResourceDefinition<any, string>;

/** Builds `label` from a table of every key, so a new key cannot lack its wording. */
export function labelsFrom<Key extends string>(labels: Readonly<Record<Key, string>>): (key: Key) => string {
  return (key) => labels[key];
}
