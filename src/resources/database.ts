import {
  BatchDeleteTableCommand,
  CreateDatabaseCommand,
  DeleteDatabaseCommand,
  GetDatabaseCommand,
  UpdateDatabaseCommand,
  paginateGetTables,
} from '@aws-sdk/client-glue';
import type { StackContext } from '../core/context.js';
import { glueResource } from './glue-resource.js';
import type { ResourceDefinition } from './resource.js';

export interface DatabaseState {
  readonly description: string | undefined;
}

type DatabaseKey = 'description';

/** BatchDeleteTable takes at most this many names. */
const TABLE_BATCH_LIMIT = 100;

/** The catalog database the crawler fills with the raw tables. */
export function databaseResource(ctx: StackContext): ResourceDefinition<DatabaseState, DatabaseKey> {
  const { glue } = ctx.aws;
  const Name = ctx.names.database;
  const Description = `Raw flight tables crawled by stack ${ctx.names.stack}`;

  return glueResource(ctx, {
    type: 'database',
    name: Name,
    async get() {
      const found = await glue.send(new GetDatabaseCommand({ Name }));
      return found.Database ? { description: found.Database.Description } : undefined;
    },
    drift: (current) => (current.description === Description ? [] : ['description']),
    create: (Tags) => glue.send(new CreateDatabaseCommand({ DatabaseInput: { Name, Description }, Tags })),
    update: () => glue.send(new UpdateDatabaseCommand({ Name, DatabaseInput: { Name, Description } })),
    async delete() {
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
  });
}
