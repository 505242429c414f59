import { CreateTableCommand, GetTableCommand, UpdateTableCommand } from '@aws-sdk/client-glue';
import { describe, expect, it } from 'vitest';
import { OUTPUT_TABLES, PARTITION_KEYS } from '../../../src/resources/output-tables.js';
import { tableDrift, tableInput, tableResource } from '../../../src/resources/table.js';
import { glueNotFound } from '../support/errors.js';
import { mockedStack } from '../support/stack.js';

const features = OUTPUT_TABLES.find((table) => table.name === 'features')!;

describe('the output tables', () => {
  it('are partitioned by year and quarter, as the job writes its folders', () => {
    expect(PARTITION_KEYS).toEqual([
      { name: 'year', type: 'int' },
      { name: 'quarter', type: 'int' },
    ]);
  });

  it('project every quarter of the table from its folder, so Athena needs no crawler or MSCK REPAIR', () => {
    const { ctx } = mockedStack();
    const input = tableInput(ctx, features);
    expect(input.StorageDescriptor?.Location).toBe(`s3://${ctx.names.bucket}/processed/features/`);
    expect(input.Parameters).toMatchObject({
      'projection.enabled': 'true',
      'projection.year.type': 'integer',
      'projection.quarter.type': 'integer',
      'projection.quarter.range': '1,4',
      'storage.location.template': `s3://${ctx.names.bucket}/processed/features/year=\${year}/quarter=\${quarter}/`,
    });
    expect(input.PartitionKeys).toEqual([
      { Name: 'year', Type: 'int' },
      { Name: 'quarter', Type: 'int' },
    ]);
    expect(input.StorageDescriptor?.SerdeInfo?.SerializationLibrary).toBe('org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe');
  });
});

describe('tableDrift', () => {
  const { ctx } = mockedStack();
  const wanted = tableInput(ctx, features);
  const asFound = { ...wanted, Name: wanted.Name!, DatabaseName: ctx.names.database, CreateTime: new Date() };

  it('finds nothing in a table as up made it, whatever Glue added', () => {
    expect(tableDrift({ ...asFound, Parameters: { ...asFound.Parameters, last_modified_by: 'glue' } }, wanted)).toEqual([]);
  });

  it('finds a column of another type, and one missing', () => {
    const columns = wanted.StorageDescriptor!.Columns!;
    const retyped = columns.map((column) => (column.Name === 'delay_minutes' ? { ...column, Type: 'string' } : column));
    expect(tableDrift({ ...asFound, StorageDescriptor: { ...asFound.StorageDescriptor, Columns: retyped } }, wanted)).toEqual(['columns']);
    expect(tableDrift({ ...asFound, StorageDescriptor: { ...asFound.StorageDescriptor, Columns: columns.slice(1) } }, wanted)).toEqual(['columns']);
  });

  it('finds projection turned off, another location and other partition keys', () => {
    expect(tableDrift({ ...asFound, Parameters: { ...asFound.Parameters, 'projection.enabled': 'false' } }, wanted)).toEqual(['projection']);
    expect(tableDrift({ ...asFound, StorageDescriptor: { ...asFound.StorageDescriptor, Location: 's3://elsewhere/' } }, wanted)).toEqual(['storage']);
    expect(tableDrift({ ...asFound, PartitionKeys: [{ Name: 'year', Type: 'int' }] }, wanted)).toEqual(['partitions']);
  });
});

describe('tableResource', () => {
  it('is missing when its database is, creates with the whole definition and updates by replacing it', async () => {
    const t = mockedStack();
    t.glue.on(GetTableCommand).rejects(glueNotFound('Database flight_delays not found'));
    const resource = tableResource(t.ctx, features);
    expect(resource.name).toBe('flight_delays.features');
    await expect(resource.find()).resolves.toBeUndefined();
    await resource.create();
    await resource.update({ Name: 'features' }, ['columns']);
    const created = t.glue.commandCalls(CreateTableCommand)[0]!.args[0].input;
    const updated = t.glue.commandCalls(UpdateTableCommand)[0]!.args[0].input;
    expect(created).toEqual({ DatabaseName: 'flight_delays', TableInput: tableInput(t.ctx, features) });
    expect(updated).toEqual(created);
  });
});
