import catalog from '../../glue-job/queries.json' with { type: 'json' };
import { CreateNamedQueryCommand, DeleteNamedQueryCommand, GetNamedQueryCommand, ListNamedQueriesCommand } from '@aws-sdk/client-athena';
import { orUndefined } from '../aws/errors.js';
import type { StackContext } from '../core/context.js';
import type { ResourceDefinition } from './resource.js';

/** A query the stack saves in its workgroup, for anyone to run from Athena's console or API. */
export interface NamedQuerySpec {
  readonly name: string;
  readonly description: string;
  /** Trino SQL over the stack's tables (table.ts), named without their database. */
  readonly sql: string;
}

/** A named query as Athena holds it. */
export interface StoredQuery {
  readonly id: string;
  readonly name: string;
  readonly description: string;
  readonly database: string;
  readonly sql: string;
}

export interface QueriesState {
  readonly stored: readonly StoredQuery[];
}

/** Each key names a query, and is its own label (as the uploads name their files). */
type QueriesKey = `create ${string}` | `replace ${string}` | `delete ${string}`;

/** ListNamedQueries gives at most this many ids a page. */
const LIST_PAGE_SIZE = 50;

/**
 * The questions the report answers (flights and the share delayed per quarter, the worst routes of
 * the quarter its route chart shows), as glue-job/queries.json declares them: over the job's
 * aggregates, small tables, so a run scans kilobytes. A job test runs each with Spark SQL over what
 * the job writes and holds the answer to a plain-Python reading of the features.
 */
export const STACK_QUERIES: readonly NamedQuerySpec[] = catalog.queries.map((query) => ({
  name: query.name,
  description: query.description,
  sql: query.sql.join('\n'),
}));

/** What converging the stored queries to the wanted ones takes. */
export interface QueryChanges {
  readonly create: readonly NamedQuerySpec[];
  readonly remove: readonly StoredQuery[];
  readonly keys: readonly QueriesKey[];
}

/**
 * Pure: named queries have no update call, and Athena does not hold their names unique. So a wanted
 * query is kept when one of its name holds its text, database and description (any other of that
 * name goes); else it is created and every one of its name goes (a replace). A query of a name not
 * wanted goes: the workgroup is the stack's, and so is everything saved in it.
 */
export function queryChanges(stored: readonly StoredQuery[], wanted: readonly NamedQuerySpec[], database: string): QueryChanges {
  const create: NamedQuerySpec[] = [];
  const remove: StoredQuery[] = [];
  const keys: QueriesKey[] = [];
  for (const spec of wanted) {
    const named = stored.filter((query) => query.name === spec.name);
    const kept = named.find((query) => query.sql === spec.sql && query.database === database && query.description === spec.description);
    if (kept) {
      for (const copy of named.filter((query) => query !== kept)) {
        remove.push(copy);
        keys.push(`delete ${copy.name}`);
      }
      continue;
    }
    create.push(spec);
    remove.push(...named);
    keys.push(named.length > 0 ? `replace ${spec.name}` : `create ${spec.name}`);
  }
  const wantedNames = new Set(wanted.map((spec) => spec.name));
  for (const query of stored.filter((q) => !wantedNames.has(q.name))) {
    remove.push(query);
    keys.push(`delete ${query.name}`);
  }
  return { create, remove, keys };
}

/**
 * The stack's named queries in its workgroup. They carry no tags and are owned through the workgroup
 * (workgroup.ts refuses one that is not the stack's before these are read); they go when it goes.
 */
export function namedQueriesResource(ctx: StackContext, wanted: readonly NamedQuerySpec[] = STACK_QUERIES): ResourceDefinition<QueriesState, QueriesKey> {
  const { athena } = ctx.aws;
  const WorkGroup = ctx.names.workgroup;
  const Database = ctx.names.database;

  const createQuery = (spec: NamedQuerySpec) =>
    athena.send(new CreateNamedQueryCommand({ WorkGroup, Database, Name: spec.name, Description: spec.description, QueryString: spec.sql }));

  return {
    kind: 'queries',
    name: WorkGroup,
    label: (key) => key,

    async find() {
      const ids: string[] = [];
      let NextToken: string | undefined;
      do {
        // A workgroup that does not exist holds no queries.
        const page = await orUndefined(athena.send(new ListNamedQueriesCommand({ WorkGroup, MaxResults: LIST_PAGE_SIZE, ...(NextToken ? { NextToken } : {}) })));
        if (!page) return undefined;
        ids.push(...(page.NamedQueryIds ?? []));
        NextToken = page.NextToken;
      } while (NextToken);
      // A query deleted between the listing and its read is gone: not found, it is left out.
      const read = await Promise.all(ids.map((NamedQueryId) => orUndefined(athena.send(new GetNamedQueryCommand({ NamedQueryId })))));
      const stored = read.flatMap((answer): StoredQuery[] => {
        const query = answer?.NamedQuery;
        if (!query?.NamedQueryId || (query.WorkGroup !== undefined && query.WorkGroup !== WorkGroup)) return [];
        return [{ id: query.NamedQueryId, name: query.Name ?? '', description: query.Description ?? '', database: query.Database ?? '', sql: query.QueryString ?? '' }];
      });
      // None saved yet (a new workgroup): a create.
      return stored.length > 0 ? { state: { stored }, tags: {} } : undefined;
    },

    drift: (state) => [...queryChanges(state.stored, wanted, Database).keys],

    createDetails: () => [`${wanted.length} named queries on database ${Database}: ${wanted.map((spec) => spec.name).join(', ')}`],

    async create() {
      for (const spec of wanted) await createQuery(spec);
    },

    async update(state) {
      const { create, remove } = queryChanges(state.stored, wanted, Database);
      // The new text first, then the old goes: a failure between the two leaves a query to run, and
      // the next `up` deletes the old one, which no longer matches.
      for (const spec of create) await createQuery(spec);
      // One deleted meanwhile is as good as deleted.
      for (const query of remove) await orUndefined(athena.send(new DeleteNamedQueryCommand({ NamedQueryId: query.id })));
    },
  };
}
