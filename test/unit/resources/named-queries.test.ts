import { CreateNamedQueryCommand, DeleteNamedQueryCommand, GetNamedQueryCommand, ListNamedQueriesCommand } from '@aws-sdk/client-athena';
import { describe, expect, it } from 'vitest';
import { OUTPUT_TABLES, PARTITION_KEYS } from '../../../src/resources/output-tables.js';
import { namedQueriesResource, queryChanges, STACK_QUERIES, type NamedQuerySpec, type StoredQuery } from '../../../src/resources/named-queries.js';
import { applyStep, planStep } from '../../../src/stack/plan.js';
import { athenaNotFound } from '../support/errors.js';
import { mockedStack, mutatingCommands, type MockedStack } from '../support/stack.js';
import { random } from '../support/random.js';

const DATABASE = 'flight_delays';
const WANTED: NamedQuerySpec[] = [
  { name: 'a', description: 'first', sql: 'SELECT 1' },
  { name: 'b', description: 'second', sql: 'SELECT 2' },
];

const stored = (spec: NamedQuerySpec, id: string, changes: Partial<StoredQuery> = {}): StoredQuery => ({
  id,
  name: spec.name,
  description: spec.description,
  database: DATABASE,
  sql: spec.sql,
  ...changes,
});

/** Athena's answers for these queries saved in the stack's workgroup. */
function mockStored(t: MockedStack, queries: readonly StoredQuery[]): void {
  t.athena.on(ListNamedQueriesCommand).resolves({ NamedQueryIds: queries.map((q) => q.id) });
  for (const q of queries) {
    t.athena.on(GetNamedQueryCommand, { NamedQueryId: q.id }).resolves({
      NamedQuery: { NamedQueryId: q.id, Name: q.name, Description: q.description, Database: q.database, QueryString: q.sql, WorkGroup: 'flight-delays' },
    });
  }
}

describe('queryChanges', () => {
  it('keeps queries as wanted, and nothing else is to do', () => {
    expect(queryChanges([stored(WANTED[0]!, '1'), stored(WANTED[1]!, '2')], WANTED, DATABASE)).toEqual({ create: [], remove: [], keys: [] });
  });

  it('replaces a query whose text, database or description changed: a new one is made and the old goes', () => {
    for (const changes of [{ sql: 'SELECT 3' }, { database: 'other' }, { description: 'old words' }]) {
      const old = stored(WANTED[0]!, '1', changes);
      expect(queryChanges([old, stored(WANTED[1]!, '2')], WANTED, DATABASE)).toEqual({ create: [WANTED[0]], remove: [old], keys: ['replace a'] });
    }
  });

  it('creates what is missing, deletes what is not wanted and the extra copies of what is', () => {
    const extra = stored({ name: 'mine', description: '', sql: 'SELECT 9' }, '9');
    const copy = stored(WANTED[1]!, '3');
    expect(queryChanges([stored(WANTED[1]!, '2'), copy, extra], WANTED, DATABASE)).toEqual({
      create: [WANTED[0]],
      remove: [copy, extra],
      keys: ['create a', 'delete b', 'delete mine'],
    });
  });

  it('leaves, whatever is saved, exactly one query of each wanted name with its wanted text (property)', () => {
    const next = random(26);
    const pick = (low: number, high: number) => low + Math.floor(next() * (high - low + 1));
    const names = ['a', 'b', 'c'];
    for (let round = 0; round < 200; round++) {
      const saved: StoredQuery[] = Array.from({ length: pick(0, 6) }, (_, i) => {
        const name = names[pick(0, names.length - 1)]!;
        const spec = WANTED.find((w) => w.name === name) ?? { name, description: '', sql: 'SELECT 0' };
        return stored(spec, `q${i}`, next() < 0.3 ? { sql: 'SELECT stale' } : {});
      });
      const { create, remove } = queryChanges(saved, WANTED, DATABASE);
      const removed = new Set(remove.map((q) => q.id));
      const after = [
        ...saved.filter((q) => !removed.has(q.id)),
        ...create.map((spec, i) => stored(spec, `new${i}`)),
      ];
      expect(after.map((q) => q.name).sort()).toEqual(['a', 'b']);
      for (const q of after) expect(WANTED).toContainEqual({ name: q.name, description: q.description, sql: q.sql });
      // What is kept is never deleted and made again.
      for (const spec of create) expect(saved.some((q) => !removed.has(q.id) && q.name === spec.name)).toBe(false);
    }
  });
});

/** Every lowercase name a query reads, less SQL's words and the names the query gives itself. */
function namesRead(sql: string): { tables: string[]; columns: string[] } {
  const keywords = new Set(
    'select as from where group by order desc asc limit with join on and sum round max min count avg'.split(' '),
  );
  const text = sql.toLowerCase();
  const tables = [...text.matchAll(/\b(?:from|join)\s+([a-z_][a-z0-9_]*)/g)].map((m) => m[1]!);
  const aliases = new Set([
    ...[...text.matchAll(/\bas\s+([a-z_][a-z0-9_]*)/g)].map((m) => m[1]!),
    ...[...text.matchAll(/\b([a-z_][a-z0-9_]*)\s+as\s*\(/g)].map((m) => m[1]!),
    ...[...text.matchAll(/\b(?:from|join)\s+[a-z_][a-z0-9_]*\s+([a-z])\b/g)].map((m) => m[1]!),
  ]);
  const words = [...text.matchAll(/\b[a-z_][a-z0-9_]*\b/g)].map((m) => m[0]);
  const columns = words.filter((w) => !keywords.has(w) && !aliases.has(w) && !tables.includes(w));
  return { tables: tables.filter((t) => !aliases.has(t)), columns };
}

describe('STACK_QUERIES', () => {
  it('answer the report questions: flights and delay share per quarter, worst routes', () => {
    expect(STACK_QUERIES.map((q) => q.name)).toEqual(['flights-per-quarter', 'worst-routes']);
  });

  it('read only the stack tables, and only columns those tables have', () => {
    for (const query of STACK_QUERIES) {
      const { tables, columns } = namesRead(query.sql);
      expect(tables.length, query.name).toBeGreaterThan(0);
      const known = tables.map((name) => OUTPUT_TABLES.find((table) => table.name === name));
      expect(known.every(Boolean), `${query.name} reads ${tables.join(', ')}`).toBe(true);
      const available = new Set([...known.flatMap((table) => table!.columns.map((c) => c.name)), ...PARTITION_KEYS.map((k) => k.name)]);
      expect(columns.filter((column) => !available.has(column)), query.name).toEqual([]);
    }
  });

  it('the column check finds a column no table has', () => {
    const { columns } = namesRead('SELECT year, bogus_column AS b FROM aggregates_day_of_week');
    const available = new Set(OUTPUT_TABLES.find((t) => t.name === 'aggregates_day_of_week')!.columns.map((c) => c.name).concat(['year', 'quarter']));
    expect(columns.filter((c) => !available.has(c))).toEqual(['bogus_column']);
  });

  it('fit Athena limits on a name, a description and a query', () => {
    for (const query of STACK_QUERIES) {
      expect(query.name.length).toBeLessThanOrEqual(128);
      expect(query.description.length).toBeGreaterThan(0);
      expect(query.description.length).toBeLessThanOrEqual(1024);
      expect(query.sql.length).toBeLessThanOrEqual(262_144);
    }
  });
});

describe('namedQueriesResource', () => {
  it('is missing while the workgroup is, and while it holds no query', async () => {
    const t = mockedStack();
    t.athena.on(ListNamedQueriesCommand).rejects(athenaNotFound());
    await expect(namedQueriesResource(t.ctx).find()).resolves.toBeUndefined();
    const empty = mockedStack();
    empty.athena.on(ListNamedQueriesCommand).resolves({ NamedQueryIds: [] });
    await expect(namedQueriesResource(empty.ctx).find()).resolves.toBeUndefined();
  });

  it('plans a create that names them and creates each in the workgroup, on the stack database', async () => {
    const t = mockedStack();
    t.athena.on(ListNamedQueriesCommand).rejects(athenaNotFound());
    const step = await planStep(t.ctx, namedQueriesResource(t.ctx));
    expect(step.change).toEqual({
      kind: 'queries',
      name: 'flight-delays',
      action: 'create',
      details: ['2 named queries on database flight_delays: flights-per-quarter, worst-routes'],
    });
    await applyStep(t.ctx, step);
    expect(t.athena.commandCalls(CreateNamedQueryCommand).map((c) => c.args[0].input)).toEqual(
      STACK_QUERIES.map((q) => ({ WorkGroup: 'flight-delays', Database: 'flight_delays', Name: q.name, Description: q.description, QueryString: q.sql })),
    );
  });

  it('reads every page of ids, and each query', async () => {
    const t = mockedStack();
    const saved = STACK_QUERIES.map((q, i) => stored(q, `id-${i}`));
    for (const q of saved) {
      t.athena.on(GetNamedQueryCommand, { NamedQueryId: q.id }).resolves({
        NamedQuery: { NamedQueryId: q.id, Name: q.name, Description: q.description, Database: q.database, QueryString: q.sql, WorkGroup: 'flight-delays' },
      });
    }
    t.athena
      .on(ListNamedQueriesCommand)
      .resolvesOnce({ NamedQueryIds: ['id-0'], NextToken: 'page-2' })
      .resolvesOnce({ NamedQueryIds: ['id-1'] });
    const found = await namedQueriesResource(t.ctx).find();
    expect(found).toEqual({ state: { stored: saved }, tags: {} });
    expect(t.athena.commandCalls(ListNamedQueriesCommand).map((c) => c.args[0].input)).toEqual([
      { WorkGroup: 'flight-delays', MaxResults: 50 },
      { WorkGroup: 'flight-delays', MaxResults: 50, NextToken: 'page-2' },
    ]);
  });

  it('is in sync as created: a second up sends nothing', async () => {
    const t = mockedStack();
    mockStored(t, STACK_QUERIES.map((q, i) => stored(q, `id-${i}`)));
    const step = await planStep(t.ctx, namedQueriesResource(t.ctx));
    expect(step.change.action).toBe('no-op');
    await applyStep(t.ctx, step);
    expect(mutatingCommands(t)).toEqual([]);
  });

  it('replaces a changed query (the new one first) and deletes one not wanted', async () => {
    const t = mockedStack();
    const stale = stored(STACK_QUERIES[0]!, 'old', { sql: 'SELECT 1' });
    mockStored(t, [stale, stored(STACK_QUERIES[1]!, 'kept'), stored({ name: 'scratch', description: 'x', sql: 'SELECT 2' }, 'extra')]);
    const step = await planStep(t.ctx, namedQueriesResource(t.ctx));
    expect(step.change).toMatchObject({ action: 'update', details: ['replace flights-per-quarter', 'delete scratch'] });
    await applyStep(t.ctx, step);
    expect(mutatingCommands(t)).toEqual(['CreateNamedQueryCommand', 'DeleteNamedQueryCommand', 'DeleteNamedQueryCommand']);
    expect(t.athena.commandCalls(CreateNamedQueryCommand)[0]!.args[0].input).toMatchObject({ Name: 'flights-per-quarter', QueryString: STACK_QUERIES[0]!.sql });
    expect(t.athena.commandCalls(DeleteNamedQueryCommand).map((c) => c.args[0].input)).toEqual([{ NamedQueryId: 'old' }, { NamedQueryId: 'extra' }]);
  });

  it('leaves out a query of another workgroup, and one deleted between the listing and its read', async () => {
    const t = mockedStack();
    t.athena.on(ListNamedQueriesCommand).resolves({ NamedQueryIds: ['gone', 'elsewhere', 'id-0'] });
    t.athena.on(GetNamedQueryCommand, { NamedQueryId: 'gone' }).rejects(athenaNotFound('NamedQuery gone is not found.'));
    t.athena.on(GetNamedQueryCommand, { NamedQueryId: 'elsewhere' }).resolves({ NamedQuery: { NamedQueryId: 'elsewhere', Name: 'x', Database: 'd', QueryString: 'q', WorkGroup: 'primary' } });
    const q = STACK_QUERIES[0]!;
    t.athena.on(GetNamedQueryCommand, { NamedQueryId: 'id-0' }).resolves({
      NamedQuery: { NamedQueryId: 'id-0', Name: q.name, Description: q.description, Database: 'flight_delays', QueryString: q.sql, WorkGroup: 'flight-delays' },
    });
    const found = await namedQueriesResource(t.ctx).find();
    expect(found?.state.stored.map((s) => s.id)).toEqual(['id-0']);
  });

  it('lives in the workgroup: no tags and no delete of its own', () => {
    const resource = namedQueriesResource(mockedStack().ctx);
    expect(resource.addTags).toBeUndefined();
    expect(resource.destroy).toBeUndefined();
  });
});
