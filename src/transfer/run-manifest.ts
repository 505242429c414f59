import { GetObjectCommand } from '@aws-sdk/client-s3';
import { orUndefined } from '../aws/errors.js';
import type { StackContext } from '../core/context.js';
import { ProvisionerError, UsageError } from '../core/errors.js';
import { PREFIX, s3Uri } from '../core/names.js';

/**
 * A run's manifest, as the job writes it (glue-job/run_manifest.py) under
 * processed/manifests/runs/<run id>.json: what the run read, ran as and with, and every file of the
 * output as it left it. Read for what `status --run` shows and `export --verify` checks; the rest
 * of the document is kept as the job wrote it.
 */
export interface RunManifest {
  readonly runId: string;
  readonly jobName: string | null;
  readonly startedAt: string | null;
  readonly finishedAt: string | null;
  readonly scriptSha256: string | null;
  readonly contractSha256: string | null;
  readonly runtime: Readonly<Record<string, unknown>>;
  readonly arguments: Readonly<Record<string, string | null>>;
  readonly inputs: readonly ManifestInput[];
  readonly rows: { readonly read: number; readonly written: number; readonly rejected: number } | null;
  readonly rejectedByReason: Readonly<Record<string, number>>;
  readonly files: readonly ManifestFile[];
  readonly tables: readonly TableRows[];
  /** The document as the job wrote it, for --json. */
  readonly document: Readonly<Record<string, unknown>>;
}

export interface ManifestInput {
  readonly table: string;
  readonly key: string;
  readonly size: number;
  readonly sha256: string;
}

/** One file of the output; `key` is relative to processed/, as `export` lays files out. */
export interface ManifestFile {
  readonly key: string;
  readonly size: number;
  readonly sha256: string;
  /** The run that first recorded the file (a file a run left alone keeps the run that wrote it). */
  readonly runId: string | null;
}

/** A table's rows in one quarter the run rewrote. */
export interface TableRows {
  readonly table: string;
  readonly year: number | null;
  readonly quarter: number | null;
  readonly rows: number;
}

/** The manifest versions read: 2 has one digest per table, beside the rows per quarter; 1 had one per quarter. */
const MANIFEST_VERSIONS: readonly unknown[] = [1, 2];

/** Where the job keeps run manifests, under processed/ (and in an export). */
export const RUN_MANIFESTS = 'manifests/runs/';

/** Glue's run ids (jr_ and hex digits) and a local run's (local-<time>-<hex>): nothing that leaves the folder. */
const RUN_ID = /^[A-Za-z0-9_-]{1,200}$/;

export function runManifestKey(runId: string): string {
  return `${PREFIX.processed}${RUN_MANIFESTS}${runId}.json`;
}

/** A run's manifest from the stack's bucket; an id without one is the user's mistake, named with where it was looked for. */
export async function readRunManifest(ctx: Pick<StackContext, 'aws' | 'names'>, runId: string): Promise<{ location: string; manifest: RunManifest }> {
  if (!RUN_ID.test(runId)) {
    throw new UsageError(`invalid --run "${runId}": expected a run id (jr_ and hex digits, or local-…), letters, digits, "_" and "-" only`);
  }
  const key = runManifestKey(runId);
  const location = s3Uri(ctx.names.bucket, key);
  const object = await orUndefined(ctx.aws.s3.send(new GetObjectCommand({ Bucket: ctx.names.bucket, Key: key })));
  if (!object?.Body) {
    throw new UsageError(`invalid --run "${runId}": there is no run manifest ${location}; valid: the id of a run of this stack's job that wrote one (its run report names it)`);
  }
  return { location, manifest: parseRunManifest(await object.Body.transformToString(), location) };
}

/** The manifest's text, checked for what is read of it; anything else is a one-line error naming `where`. */
export function parseRunManifest(text: string, where: string): RunManifest {
  let root: unknown;
  try {
    root = JSON.parse(text);
  } catch {
    throw new ProvisionerError(`${where} is not a run manifest: not JSON`);
  }
  return runManifestOf(root, where);
}

/** The manifest in a document already read as JSON (see parseRunManifest). */
export function runManifestOf(root: unknown, where: string): RunManifest {
  const bad = (what: string): never => {
    throw new ProvisionerError(`${where} is not a run manifest: ${what}`);
  };
  if (!isObject(root)) return bad('not a JSON object');
  if (!MANIFEST_VERSIONS.includes(root.manifest_version)) return bad(`manifest_version ${JSON.stringify(root.manifest_version)}, expected ${MANIFEST_VERSIONS.join(' or ')}`);
  if (typeof root.run_id !== 'string') return bad('no run_id');
  const outputs = isObject(root.outputs) ? root.outputs : bad('no outputs');
  const files = Array.isArray(outputs.files) ? outputs.files : bad('no outputs.files');
  const script = isObject(root.script) ? root.script : {};
  const rows = isObject(root.rows) ? root.rows : undefined;
  return {
    runId: root.run_id,
    jobName: textOrNull(root.job_name),
    startedAt: textOrNull(root.started_at),
    finishedAt: textOrNull(root.finished_at),
    scriptSha256: textOrNull(script.sha256),
    contractSha256: textOrNull(root.contract_sha256),
    runtime: isObject(root.runtime) ? root.runtime : {},
    arguments: isObject(root.arguments) ? (Object.fromEntries(Object.entries(root.arguments).map(([k, v]) => [k, typeof v === 'string' ? v : null])) as Record<string, string | null>) : {},
    inputs: (Array.isArray(root.inputs) ? root.inputs : []).map((entry, i) => {
      if (!isObject(entry) || typeof entry.key !== 'string' || !isCount(entry.size) || typeof entry.sha256 !== 'string') return bad(`inputs[${i}] lacks a key, size or sha256`);
      return { table: textOrNull(entry.table) ?? '', key: entry.key, size: entry.size, sha256: entry.sha256 };
    }),
    rows: rows && isCount(rows.read) && isCount(rows.written) && isCount(rows.rejected) ? { read: rows.read, written: rows.written, rejected: rows.rejected } : null,
    rejectedByReason: isObject(root.rejected_by_reason) ? (Object.fromEntries(Object.entries(root.rejected_by_reason).filter(([, v]) => isCount(v))) as Record<string, number>) : {},
    files: files.map((entry, i) => {
      if (!isObject(entry) || typeof entry.key !== 'string' || !isCount(entry.size) || typeof entry.sha256 !== 'string') return bad(`outputs.files[${i}] lacks a key, size or sha256`);
      return { key: entry.key, size: entry.size, sha256: entry.sha256, runId: textOrNull(entry.run_id) };
    }),
    tables: (Array.isArray(outputs.tables) ? outputs.tables : []).filter(isObject).map((entry) => ({
      table: textOrNull(entry.table) ?? '',
      year: typeof entry.year === 'number' ? entry.year : null,
      quarter: typeof entry.quarter === 'number' ? entry.quarter : null,
      rows: isCount(entry.rows) ? entry.rows : 0,
    })),
    document: root,
  };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0;
}

function textOrNull(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}
