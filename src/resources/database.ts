import {
  BatchDeleteTableCommand,
  CreateDatabaseCommand,
  DeleteDatabaseCommand,
  GetDatabaseCommand,
  UpdateDatabaseCommand,
  paginateGetTables,
} from '@aws-sdk/client-glue';
import { orUndefined } from '../aws/errors.js';
import { glueArn, type StackContext } from '../stack/context.js';
import { missingTags } from '../aws/tags.js';
import { addMissingGlueTags, glueRemovable, readGlueTags } from './glue-tags.js';
import { assertOwnedByStack } from './ownership.js';
import type { Removable, Resource } from './resource.js';

export interface DatabaseState {
  readonly description: string | undefined;
  readonly tags: Record<string, string>;
}

/** BatchDeleteTable takes at most this many names. */
const TABLE_BATCH_LIMIT = 100;

export function databaseResource(ctx: StackContext): Resource<DatabaseState> {
  const { glue } = ctx.aws;
  const Name = ctx.names.database;
  const arn = glueArn(ctx.aws, 'database', Name);
  const Description = `Raw flight tables crawled by stack ${ctx.names.stack}`;

  return {
    kind: 'database',
    name: Name,
    async describe() {
      const found = await orUndefined(glue.send(new GetDatabaseCommand({ Name })));
      if (!found?.Database) return undefined;
      const tags = await readGlueTags(glue, arn);
      assertOwnedByStack('database', Name, tags, ctx.names.stack);
      return { description: found.Database.Description, tags };
    },
    drift(current) {
      const drift: string[] = [];
      if (current.description !== Description) drift.push('description');
      if (Object.keys(missingTags(ctx.tags, current.tags)).length > 0) drift.push('tags');
      return drift;
    },
    async create() {
      await glue.send(new CreateDatabaseCommand({ DatabaseInput: { Name, Description }, Tags: { ...ctx.tags } }));
      await addMissingGlueTags(glue, arn, ctx.tags);
    },
    async update(current, drift) {
      if (drift.includes('description')) {
        await glue.send(new UpdateDatabaseCommand({ Name, DatabaseInput: { Name, Description } }));
      }
      if (drift.includes('tags')) await addMissingGlueTags(glue, arn, ctx.tags, current.tags);
    },
  };
}

export function databaseRemovable(ctx: StackContext): Removable {
  const { glue } = ctx.aws;
  const Name = ctx.names.database;
  return glueRemovable(
    ctx,
    'database',
    Name,
    () => glue.send(new GetDatabaseCommand({ Name })),
    async () => {
      // Delete the crawled tables explicitly rather than relying on DeleteDatabase to cascade.
      const tables: string[] = [];
      for await (const page of paginateGetTables({ client: glue }, { DatabaseName: Name })) {
        for (const table of page.TableList ?? []) if (table.Name) tables.push(table.Name);
      }
      for (let i = 0; i < tables.length; i += TABLE_BATCH_LIMIT) {
        await glue.send(new BatchDeleteTableCommand({ DatabaseName: Name, TablesToDelete: tables.slice(i, i + TABLE_BATCH_LIMIT) }));
      }
      if (tables.length > 0) ctx.logger.info(`deleted ${tables.length} tables from database ${Name}`);
      await glue.send(new DeleteDatabaseCommand({ Name }));
    },
  );
}
