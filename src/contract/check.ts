import type { BadRowLimit } from '../core/settings.js';
import type { Progress } from '../core/progress.js';
import type { Contract, TableContract } from './contract.js';
import { scanFile, type FileScan, type Problem } from './check-file.js';

/** A file to check: where it is, and its path under the data directory (`/`-separated). */
export interface DataFile {
  readonly path: string;
  readonly name: string;
}

/** One file's verdict. */
export interface FileCheck {
  readonly file: string;
  readonly table: string;
  readonly rows: number;
  readonly badRows: number;
  /** What --max-bad-rows allows this file. */
  readonly allowedBadRows: number;
  /** More bad rows than allowed, or unreadable as the table (a wrong header): not to be uploaded. */
  readonly refused: boolean;
  /** Why the file could not be read as the table (a wrong header, broken gzip or CSV); null if it could. */
  readonly unreadable: Problem | null;
  /** The first bad rows' problems, in file order; the first is the one an error names. */
  readonly problems: readonly Problem[];
}

/** The whole check: what `check` prints, and what `plan` and `up` show of it. */
export interface ContractCheck {
  readonly contract: string;
  readonly contractSha256: string;
  readonly maxBadRows: BadRowLimit;
  readonly files: readonly FileCheck[];
  /** Files under the data directory that are no table's (this README, say): uploaded unchecked. */
  readonly unchecked: readonly string[];
  /** Foreign keys not checked, as `flights.origin -> airports.iata`: the table they refer to has no file here. */
  readonly uncheckedForeignKeys: readonly string[];
  readonly rows: number;
  /** Bad rows in files that are not refused: the rows the job will quarantine for these rules. */
  readonly badRows: number;
  readonly refused: number;
}

/** Problems kept per file: enough to see a pattern in, few enough to print. */
export const EXAMPLES_PER_FILE = 5;

export interface CheckOptions {
  readonly maxBadRows: BadRowLimit;
  readonly progress?: Progress;
  readonly signal?: AbortSignal;
}

/**
 * Checks every file against the table whose folder holds it. A table that another's foreign key
 * refers to is read first, here, one file at a time, so that its values are known when the
 * other's rows are checked; its values are taken from its local files only, never from the
 * bucket. The other files are then checked at once, one per core (scan-pool.ts): each file's
 * verdict is its own, so the order they are read in changes nothing.
 */
export async function checkFiles(contract: Contract, files: readonly DataFile[], options: CheckOptions): Promise<ContractCheck> {
  const byTable = new Map<TableContract, DataFile[]>(contract.tables.map((t) => [t, []]));
  const unchecked: string[] = [];
  for (const file of files) {
    const table = tableOf(contract, file.name);
    if (table) byTable.get(table)!.push(file);
    else unchecked.push(file.name);
  }
  const referenced = new Map<string, Set<string>>();
  for (const table of contract.tables) {
    for (const key of table.foreignKeys) {
      if (byTable.get(contract.tables.find((t) => t.name === key.table)!)!.length > 0) referenced.set(`${key.table}.${key.referenced}`, new Set());
    }
  }
  const order = [...contract.tables].sort((a, b) => Number(isReferenced(b, contract)) - Number(isReferenced(a, contract)));
  const checks: FileCheck[] = [];
  const total = files.length - unchecked.length;
  const verdict = (file: DataFile, table: TableContract, scan: FileScan): FileCheck => {
    const allowedBadRows = allowed(options.maxBadRows, scan.rows);
    const unreadable = scan.unreadable ?? null;
    const refused = unreadable !== null || scan.badRows > allowedBadRows;
    return { file: file.name, table: table.name, rows: scan.rows, badRows: scan.badRows, allowedBadRows, refused, unreadable, problems: scan.problems };
  };
  const knownOf = (table: TableContract) => {
    const known = new Map<string, ReadonlySet<string>>();
    for (const key of table.foreignKeys) {
      const values = referenced.get(`${key.table}.${key.referenced}`);
      if (values) known.set(key.column, values);
    }
    return known;
  };
  const signal = options.signal ? { signal: options.signal } : {};
  for (const table of order.filter((t) => isReferenced(t, contract))) {
    const collect = new Map<string, Set<string>>();
    for (const column of table.columns) {
      const values = referenced.get(`${table.name}.${column}`);
      if (values) collect.set(column, values);
    }
    for (const file of byTable.get(table)!) {
      options.progress?.status(`checking ${file.name} against the contract (file ${checks.length + 1} of ${total})`);
      checks.push(verdict(file, table, await scanFile(file.path, table, { examples: EXAMPLES_PER_FILE, known: knownOf(table), collect, ...signal })));
    }
  }
  const rest = order.filter((t) => !isReferenced(t, contract)).flatMap((table) => byTable.get(table)!.map((file) => ({ file, table })));
  if (rest.length > 0) {
    options.progress?.status(`checking ${rest.length === 1 ? rest[0]!.file.name : `${rest.length} files`} against the contract (${checks.length} of ${total} checked)`);
    const { scanAll } = await import('./scan-pool.js');
    const jobs = rest.map(({ file, table }) => ({ path: file.path, table: table.name, examples: EXAMPLES_PER_FILE, known: knownOf(table) }));
    const scans = await scanAll(contract, jobs, signal);
    rest.forEach(({ file, table }, i) => checks.push(verdict(file, table, scans[i]!)));
  }
  options.progress?.clear();
  checks.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
  const uncheckedForeignKeys = contract.tables.flatMap((t) =>
    t.foreignKeys.filter((k) => !referenced.has(`${k.table}.${k.referenced}`)).map((k) => `${t.name}.${k.column} -> ${k.table}.${k.referenced}`),
  );
  return {
    contract: contract.file,
    contractSha256: contract.sha256,
    maxBadRows: options.maxBadRows,
    files: checks,
    unchecked,
    uncheckedForeignKeys,
    rows: checks.reduce((sum, c) => sum + c.rows, 0),
    badRows: checks.filter((c) => !c.refused).reduce((sum, c) => sum + c.badRows, 0),
    refused: checks.filter((c) => c.refused).length,
  };
}

/** The table whose folder holds the file, if its name is one the job reads (`*.csv*`). */
export function tableOf(contract: Contract, name: string): TableContract | undefined {
  const base = name.slice(name.lastIndexOf('/') + 1);
  if (!base.includes('.csv')) return undefined;
  return contract.tables.find((t) => name.startsWith(`${t.folder}/`));
}

function isReferenced(table: TableContract, contract: Contract): boolean {
  return contract.tables.some((t) => t.foreignKeys.some((k) => k.table === table.name));
}

/** The bad rows --max-bad-rows allows a file of `rows` rows: a share is rounded down. */
export function allowed(limit: BadRowLimit, rows: number): number {
  // The epsilon keeps 0.1% of 1,000 rows at 1 row despite binary fractions.
  return 'rows' in limit ? limit.rows : Math.floor((rows * limit.percent) / 100 + 1e-9);
}

/** A problem in one line: where, what, the rule and what would be valid. */
export function describeProblem(problem: Problem): string {
  const value = JSON.stringify(problem.value.length > 200 ? `${problem.value.slice(0, 200)}…` : problem.value);
  const where = problem.column === null ? `line ${problem.line}` : `line ${problem.line}, column ${problem.column}`;
  return problem.rule === 'header'
    ? `${where}: the header ${value} is not ${problem.expected} (rule header)`
    : `${where}: ${problem.value === '' && problem.column === null ? '' : `value ${value} `}breaks rule ${problem.rule}: valid is ${problem.expected}`;
}

/** Why a refused file is refused, in one line that names it (`shown`: its path as the user knows it). */
export function describeRefusal(check: FileCheck, shown: string, limit: string): string {
  if (check.unreadable) return `${shown}: ${describeProblem(check.unreadable)}`;
  const [first] = check.problems;
  const breaks = check.badRows === 1 ? 'breaks' : 'break';
  return `${shown}: ${check.badRows} of ${check.rows} rows ${breaks} the contract, more than --max-bad-rows ${limit} allows (${check.allowedBadRows}); the first, ${first ? describeProblem(first) : ''}`;
}
