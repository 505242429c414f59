import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { UsageError } from '../core/errors.js';
import {
  CONSTRAINTS,
  FIELD_TYPES,
  NUMERIC_CONSTRAINTS,
  TEXT_CONSTRAINTS,
  compileField,
  javaPattern,
  unknownDirective,
  type Constraints,
  type FieldCheck,
  type FieldType,
} from './fields.js';
import { compileByteField, type ByteCheck } from './byte-fields.js';

/**
 * The data contract: a Frictionless Data Package descriptor (https://datapackage.org) whose
 * resources are the raw tables, each with a Table Schema. What this tool reads of it:
 *
 *   resources[].name             the table
 *   resources[].path             its folder under the data directory; the files in it whose name
 *                                holds `.csv` are the table, as the job reads `*.csv*`
 *   schema.fields                the columns, in order (fieldsMatch `exact`, the default): the
 *                                header must name them so
 *   fields[].type, format, constraints   see fields.ts
 *   schema.foreignKeys           a column whose values must be those of another table's column
 *                                (after trimming spaces, as the job compares them), checked when
 *                                that table's files are in the data directory
 *   x-numberPattern              the lexical form of integers and numbers
 *
 * `primaryKey` is read for what it says, not checked: repeats are the job's to find (it keeps the
 * first and quarantines the rest), across files and quarters this check never holds at once.
 * Anything the check would not enforce (another type, an unknown constraint) refuses the contract,
 * so a rule is never written down and silently ignored.
 */
export interface Contract {
  readonly file: string;
  /** sha256 of the file's bytes, which a run's record can name. */
  readonly sha256: string;
  /** The descriptor as read, from which a worker thread compiles the same tables (scan-pool.ts). */
  readonly descriptor: unknown;
  readonly tables: readonly TableContract[];
}

export interface TableContract {
  readonly name: string;
  /** Under the data directory, with no slash at either end. */
  readonly folder: string;
  readonly columns: readonly string[];
  readonly checks: readonly FieldCheck[];
  /** The same checks, of a value's bytes (byte-fields.ts): what the check runs first. */
  readonly byteChecks: readonly ByteCheck[];
  readonly foreignKeys: readonly ForeignKey[];
}

export interface ForeignKey {
  readonly column: string;
  readonly table: string;
  readonly referenced: string;
}

export async function loadContract(file: string): Promise<Contract> {
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (error) {
    throw new UsageError(`cannot read contract "${file}": ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}; valid: a readable JSON file (--contract)`);
  }
  let descriptor: unknown;
  try {
    descriptor = JSON.parse(bytes.toString('utf8'));
  } catch (error) {
    throw new UsageError(`invalid contract "${file}": not JSON (${(error as Error).message})`);
  }
  return { file, sha256: createHash('sha256').update(bytes).digest('hex'), descriptor, tables: parseContract(descriptor, file) };
}

/** The tables of a descriptor; a one-line error names the first property that is wrong. */
export function parseContract(descriptor: unknown, file = 'contract'): TableContract[] {
  const fail = (where: string, what: string): never => {
    throw new UsageError(`invalid contract "${file}": ${where} ${what}`);
  };
  const root = object(descriptor, 'the descriptor', fail);
  const patternText = root['x-numberPattern'] ?? DEFAULT_NUMBER_PATTERN;
  if (typeof patternText !== 'string') fail('x-numberPattern', 'is not text');
  let numberPattern: RegExp;
  try {
    numberPattern = javaPattern(patternText as string);
  } catch (error) {
    return fail('x-numberPattern', `is not a regular expression (${(error as Error).message})`);
  }
  const resources = root.resources;
  if (!Array.isArray(resources) || resources.length === 0) fail('resources', 'must be a list of at least one table');
  const tables = (resources as unknown[]).map((resource, r) => parseTable(resource, `resources[${r}]`, numberPattern, fail));
  const names = tables.map((t) => t.name);
  for (const [r, table] of tables.entries()) {
    if (names.indexOf(table.name) !== r) fail(`resources[${r}].name`, `"${table.name}" names two tables`);
    for (const key of table.foreignKeys) {
      const target = tables.find((t) => t.name === key.table);
      if (!target) fail(`resources[${r}].schema.foreignKeys`, `refer to table "${key.table}", which the contract does not have; valid: ${names.join(', ')}`);
      else if (!target.columns.includes(key.referenced)) fail(`resources[${r}].schema.foreignKeys`, `refer to column "${key.referenced}" of "${key.table}", which has ${target.columns.join(', ')}`);
    }
  }
  return tables;
}

/** The job's plain decimal number (transforms.PLAIN_DECIMAL_PATTERN), for a contract that gives none. */
const DEFAULT_NUMBER_PATTERN = '^\\s*[+-]?(\\d+(\\.\\d*)?|\\.\\d+)([eE][+-]?\\d+)?\\s*$';

type Fail = (where: string, what: string) => never;

function object(value: unknown, where: string, fail: Fail): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) fail(where, 'must be an object');
  return value as Record<string, unknown>;
}

function name(value: unknown, where: string, fail: Fail): string {
  if (typeof value !== 'string' || value === '') fail(where, 'must be a name (non-empty text)');
  return value as string;
}

function parseTable(value: unknown, where: string, numberPattern: RegExp, fail: Fail): TableContract {
  const resource = object(value, where, fail);
  const table = name(resource.name, `${where}.name`, fail);
  const folder = name(resource.path, `${where}.path`, fail).replace(/^\.?\/+|\/+$/g, '');
  if (folder === '' || folder.split('/').includes('..')) fail(`${where}.path`, `"${String(resource.path)}" is not a folder inside the data directory`);
  const schema = object(resource.schema, `${where}.schema`, fail);
  if (schema.fieldsMatch !== undefined && schema.fieldsMatch !== 'exact') fail(`${where}.schema.fieldsMatch`, `"${String(schema.fieldsMatch)}" is not checked; valid: exact (the default)`);
  const fields = schema.fields;
  if (!Array.isArray(fields) || fields.length === 0) fail(`${where}.schema.fields`, 'must be a list of at least one field');
  const columns: string[] = [];
  const checks: FieldCheck[] = [];
  const byteChecks: ByteCheck[] = [];
  for (const [f, field] of (fields as unknown[]).entries()) {
    const at = `${where}.schema.fields[${f}]`;
    const spec = object(field, at, fail);
    const column = name(spec.name, `${at}.name`, fail);
    if (columns.includes(column)) fail(`${at}.name`, `"${column}" names two columns`);
    const type = spec.type ?? 'string';
    if (!(FIELD_TYPES as readonly unknown[]).includes(type)) fail(`${at}.type`, `${JSON.stringify(type)} is not a type the check knows; valid: ${FIELD_TYPES.join(', ')}`);
    const formats = datetimeFormats(spec, type as FieldType, at, fail);
    const constraints = parseConstraints(spec.constraints, type as FieldType, `${at}.constraints`, fail);
    columns.push(column);
    const compiled = { name: column, type: type as FieldType, formats, constraints };
    checks.push(compileField(compiled, numberPattern));
    byteChecks.push(compileByteField(compiled, checks.at(-1)!));
  }
  return { name: table, folder, columns, checks, byteChecks, foreignKeys: parseForeignKeys(schema.foreignKeys, columns, `${where}.schema.foreignKeys`, fail) };
}

function datetimeFormats(spec: Record<string, unknown>, type: FieldType, at: string, fail: Fail): string[] {
  if (type !== 'datetime') {
    if (spec.format !== undefined && spec.format !== 'default') fail(`${at}.format`, `"${String(spec.format)}" is not checked for a ${type}; valid: none`);
    return [];
  }
  const fallback = spec['x-fallbackFormats'] ?? [];
  if (!Array.isArray(fallback)) fail(`${at}.x-fallbackFormats`, 'must be a list of formats');
  const formats = [spec.format, ...(fallback as unknown[])];
  for (const format of formats) {
    if (typeof format !== 'string' || !format.includes('%')) fail(`${at}.format`, `${JSON.stringify(format)} is not checked; valid: a strptime pattern such as "%Y-%m-%d %H:%M:%S"`);
    const unknown = unknownDirective(format as string);
    if (unknown) fail(`${at}.format`, `"${String(format)}" uses ${unknown}, which the check cannot read; valid: %Y %m %d %H %M %S`);
  }
  return formats as string[];
}

function parseConstraints(value: unknown, type: FieldType, where: string, fail: Fail): Constraints {
  if (value === undefined) return {};
  const given = object(value, where, fail);
  for (const [key, bound] of Object.entries(given)) {
    if (!(CONSTRAINTS as readonly string[]).includes(key)) fail(`${where}.${key}`, `is not a constraint the check knows; valid: ${CONSTRAINTS.join(', ')}`);
    const k = key as keyof Constraints;
    if (k === 'required' && typeof bound !== 'boolean') fail(`${where}.required`, 'must be true or false');
    if (NUMERIC_CONSTRAINTS.includes(k)) {
      if (type !== 'integer' && type !== 'number') fail(`${where}.${key}`, `is checked on integers and numbers only, not on a ${type}`);
      if (typeof bound !== 'number' || !Number.isFinite(bound)) fail(`${where}.${key}`, 'must be a number');
    }
    if (TEXT_CONSTRAINTS.includes(k) && type !== 'string') fail(`${where}.${key}`, `is checked on strings only, not on a ${type}`);
    if (k === 'enum' && (!Array.isArray(bound) || !bound.every((v) => typeof v === 'string'))) fail(`${where}.enum`, 'must be a list of text values');
    if ((k === 'minLength' || k === 'maxLength') && !Number.isInteger(bound)) fail(`${where}.${key}`, 'must be a whole number');
    if (k === 'pattern') {
      if (typeof bound !== 'string') fail(`${where}.pattern`, 'must be text');
      try {
        new RegExp(bound as string);
      } catch (error) {
        fail(`${where}.pattern`, `is not a regular expression (${(error as Error).message})`);
      }
    }
  }
  return given as Constraints;
}

function parseForeignKeys(value: unknown, columns: readonly string[], where: string, fail: Fail): ForeignKey[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) fail(where, 'must be a list');
  return (value as unknown[]).map((entry, k) => {
    const key = object(entry, `${where}[${k}]`, fail);
    const reference = object(key.reference, `${where}[${k}].reference`, fail);
    // Table Schema v1 wrote a single field as a string.
    const one = (fields: unknown, at: string): string => {
      const list = typeof fields === 'string' ? [fields] : fields;
      if (!Array.isArray(list) || list.length !== 1 || typeof list[0] !== 'string') fail(at, 'must name one column (keys of several columns are not checked)');
      return (list as string[])[0]!;
    };
    const column = one(key.fields, `${where}[${k}].fields`);
    if (!columns.includes(column)) fail(`${where}[${k}].fields`, `name "${column}", which is not a column; valid: ${columns.join(', ')}`);
    return { column, table: name(reference.resource, `${where}[${k}].reference.resource`, fail), referenced: one(reference.fields, `${where}[${k}].reference.fields`) };
  });
}
