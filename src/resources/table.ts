import { CreateTableCommand, GetTableCommand, UpdateTableCommand, type Table, type TableInput } from '@aws-sdk/client-glue';
import { orUndefined } from '../aws/errors.js';
import type { StackContext } from '../core/context.js';
import { PREFIX, s3Uri } from '../core/names.js';
import { sameJson } from '../util/json.js';
import { PARTITION_KEYS, type OutputTable } from './output-tables.js';
import { labelsFrom, type ResourceDefinition } from './resource.js';

type TableKey = 'columns' | 'partitions' | 'storage' | 'projection' | 'description';

/**
 * The years Athena's partition projection offers. A year without data is an empty prefix, which a
 * query reads as no rows; the US flight records begin in 1987.
 */
export const PROJECTED_YEARS = '1987,2100';

/**
 * A Glue table over one of the job's Parquet outputs, with partition projection: Athena computes the
 * partitions from the folder template instead of reading them from the catalog, so a quarter the job
 * writes is queryable at once, without a crawler or MSCK REPAIR. A table lives in the stack's
 * database and is owned through it (Glue tables take no tags); it goes when the database goes.
 */
export function tableResource(ctx: StackContext, table: OutputTable): ResourceDefinition<Table, TableKey> {
  const { glue } = ctx.aws;
  const DatabaseName = ctx.names.database;
  const wanted = tableInput(ctx, table);

  return {
    kind: 'table',
    name: `${DatabaseName}.${table.name}`,
    label: labelsFrom<TableKey>({
      columns: 'columns',
      partitions: 'partition keys',
      storage: 'location and Parquet format',
      projection: 'partition projection',
      description: 'description',
    }),
    async find() {
      // A missing database answers EntityNotFound too: the table is then missing as well.
      const found = await orUndefined(glue.send(new GetTableCommand({ DatabaseName, Name: table.name })));
      return found?.Table ? { state: found.Table, tags: {} } : undefined;
    },
    drift: (current) => tableDrift(current, wanted),
    createDetails: () => [`${table.columns.length} columns, projected by ${PARTITION_KEYS.map((key) => key.name).join(' and ')}`],
    async create() {
      await glue.send(new CreateTableCommand({ DatabaseName, TableInput: wanted }));
    },
    async update() {
      // UpdateTable replaces the whole definition: the wanted one, whichever parts drifted.
      await glue.send(new UpdateTableCommand({ DatabaseName, TableInput: wanted }));
    },
    summarize: () => ({ type: 'EXTERNAL_TABLE (partition projection)' }),
  };
}

/** The definition `up` wants for a table: Parquet under processed/, partitions projected. */
export function tableInput(ctx: Pick<StackContext, 'names'>, table: OutputTable): TableInput {
  const location = s3Uri(ctx.names.bucket, `${PREFIX.processed}${table.path}`);
  const template = `${location}${PARTITION_KEYS.map((key) => `${key.name}=\${${key.name}}`).join('/')}/`;
  return {
    Name: table.name,
    Description: table.description,
    TableType: 'EXTERNAL_TABLE',
    Parameters: {
      EXTERNAL: 'TRUE',
      classification: 'parquet',
      'projection.enabled': 'true',
      'projection.year.type': 'integer',
      'projection.year.range': PROJECTED_YEARS,
      'projection.quarter.type': 'integer',
      'projection.quarter.range': '1,4',
      'storage.location.template': template,
    },
    PartitionKeys: PARTITION_KEYS.map((key) => ({ Name: key.name, Type: key.type })),
    StorageDescriptor: {
      Columns: table.columns.map((column) => ({ Name: column.name, Type: column.type })),
      Location: location,
      InputFormat: 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat',
      OutputFormat: 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat',
      SerdeInfo: { SerializationLibrary: 'org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe', Parameters: { 'serialization.format': '1' } },
      Compressed: false,
      StoredAsSubDirectories: false,
    },
  };
}

/** Pure: what differs between the table found and the one wanted; what Glue adds itself is ignored. */
export function tableDrift(current: Table, wanted: TableInput): TableKey[] {
  const drift: TableKey[] = [];
  const columns = (list: { Name?: string | undefined; Type?: string | undefined }[] | undefined) => (list ?? []).map((c) => [c.Name, c.Type?.toLowerCase()]);
  if (!sameJson(columns(current.StorageDescriptor?.Columns), columns(wanted.StorageDescriptor?.Columns))) drift.push('columns');
  if (!sameJson(columns(current.PartitionKeys), columns(wanted.PartitionKeys))) drift.push('partitions');
  const storage = (sd: TableInput['StorageDescriptor']) => [sd?.Location, sd?.InputFormat, sd?.OutputFormat, sd?.SerdeInfo?.SerializationLibrary];
  if (!sameJson(storage(current.StorageDescriptor), storage(wanted.StorageDescriptor))) drift.push('storage');
  const wantedParameters = wanted.Parameters ?? {};
  if (Object.entries(wantedParameters).some(([key, value]) => current.Parameters?.[key] !== value)) drift.push('projection');
  if ((current.Description ?? '') !== (wanted.Description ?? '')) drift.push('description');
  return drift;
}
