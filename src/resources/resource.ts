/**
 * The contract every AWS resource module follows, so `up`, `plan`, `status` and `teardown` can
 * treat a bucket, a role and a trigger alike.
 */

export type Action = 'create' | 'update' | 'no-op';

/** One line of a plan: what would happen to a resource, and why. */
export interface PlannedChange {
  readonly kind: string;
  readonly name: string;
  readonly action: Action;
  /** For updates: the settings that differ. For creates and uploads: what will be made. */
  readonly details: readonly string[];
}

/** A resource `up` converges: describe it, compare it, then create or update it. */
export interface Resource<Current> {
  readonly kind: string;
  readonly name: string;
  /** Reads the resource as it exists now; undefined when it does not exist. Never mutates. */
  describe(): Promise<Current | undefined>;
  /** Pure: the settings that differ from what this stack wants; empty when in sync. */
  drift(current: Current): string[];
  /** Details shown in a plan for a create; defaults to none. */
  createDetails?(): string[];
  create(): Promise<void>;
  update(current: Current, drift: readonly string[]): Promise<void>;
}

/** What teardown found for one resource. */
export type Ownership = 'absent' | 'owned' | 'foreign';

/** A resource `teardown` removes, only when its tags say this stack created it. */
export interface Removable {
  readonly kind: string;
  readonly name: string;
  ownership(): Promise<Ownership>;
  destroy(): Promise<void>;
}
