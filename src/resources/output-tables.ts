import catalog from '../../glue-job/tables.json' with { type: 'json' };

/**
 * The tables of what the job writes, as glue-job/tables.json declares them: the one schema the job
 * and the tool share. A job test compares it with the Parquet a real local Spark run writes, so a
 * column, a type or a partition key cannot differ between the two.
 */
export interface OutputColumn {
  readonly name: string;
  /** Hive's type words, as Glue and Athena take them: int, bigint, double, string, date, ... */
  readonly type: string;
}

export interface OutputTable {
  readonly name: string;
  /** Under processed/, ending in a slash. */
  readonly path: string;
  readonly description: string;
  readonly columns: readonly OutputColumn[];
}

/** Every output table is partitioned by these, as folders `year=YYYY/quarter=Q/`. */
export const PARTITION_KEYS: readonly OutputColumn[] = catalog.partitionKeys;

export const OUTPUT_TABLES: readonly OutputTable[] = catalog.tables;
