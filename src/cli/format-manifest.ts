import type { RunManifestStatus } from '../commands/status.js';
import { formatBytes } from '../core/units.js';
import type { VerifyResult } from '../transfer/export-verify.js';
import { runManifestOf, type RunManifest } from '../transfer/run-manifest.js';

const count = (n: number): string => n.toLocaleString('en-US');
const files = (n: number): string => `${count(n)} ${n === 1 ? 'file' : 'files'}`;
/** The first 12 hex digits: enough to tell two checksums apart by eye; --json has them whole. */
const short = (sha256: string | null): string => (sha256 ? `sha256 ${sha256.slice(0, 12)}…` : 'none given');

/** `status --run ID`: what the run read, ran as and with, what it counted and what it left. */
export function formatRunManifest({ runId, location, manifest: document }: RunManifestStatus): string {
  const manifest = runManifestOf(document, location);
  const written = manifest.files.filter((f) => f.runId === manifest.runId);
  const reasons = Object.entries(manifest.rejectedByReason)
    .filter(([, n]) => n > 0)
    .map(([reason, n]) => `${reason} ${count(n)}`);
  const rows = manifest.rows;
  return [
    `Run ${runId} of ${manifest.jobName ?? 'the job'}, ${manifest.startedAt ?? '?'} to ${manifest.finishedAt ?? '?'}`,
    `  manifest:  ${location}`,
    `  runtime:   ${runtimeLine(manifest.runtime)}`,
    `  script:    ${short(manifest.scriptSha256)}`,
    `  contract:  ${short(manifest.contractSha256)}`,
    `  rows:      ${rows ? `read ${count(rows.read)}, written ${count(rows.written)}, rejected ${count(rows.rejected)}${reasons.length ? ` (${reasons.join(', ')})` : ''}` : 'none read'}`,
    `  inputs:    ${files(manifest.inputs.length)}, ${formatBytes(sum(manifest.inputs))}`,
    ...manifest.inputs.map((i) => `    ${i.key}  ${formatBytes(i.size)}  ${short(i.sha256)}`),
    `  outputs:   ${files(manifest.files.length)}, ${formatBytes(sum(manifest.files))}; ${written.length} written by this run (${formatBytes(sum(written))})`,
    ...tableLines(manifest),
    '  arguments:',
    ...Object.entries(manifest.arguments).map(([name, value]) => `    ${name}${value === null ? '' : ` ${value}`}`),
  ].join('\n');
}

function runtimeLine(runtime: Readonly<Record<string, unknown>>): string {
  const versions = [runtime.spark_version ? `Spark ${String(runtime.spark_version)}` : '', runtime.python_version ? `Python ${String(runtime.python_version)}` : '']
    .filter(Boolean)
    .join(', ');
  const tail = versions ? ` (${versions})` : '';
  if (runtime.platform === 'local') return `local Spark ${String(runtime.master ?? '')}${tail}`;
  if (runtime.platform !== 'glue') return 'unknown';
  if (typeof runtime.lookup_error === 'string') return `Glue, version and workers unknown: ${runtime.lookup_error}${tail}`;
  return `Glue ${String(runtime.glue_version)}, ${String(runtime.number_of_workers)} x ${String(runtime.worker_type)}, ${String(runtime.execution_class ?? 'STANDARD')}${tail}`;
}

/** The recomputed quarters' content, one line per quarter: each table's rows. */
function tableLines(manifest: RunManifest): string[] {
  const byQuarter = new Map<string, string[]>();
  for (const t of manifest.tables) {
    const quarter = t.year === null ? 'undated' : `${t.year} Q${t.quarter}`;
    byQuarter.set(quarter, [...(byQuarter.get(quarter) ?? []), `${t.table} ${count(t.rows)}`]);
  }
  if (byQuarter.size === 0) return ['  rewrote:   no quarter'];
  return ['  rewrote (rows per table):', ...[...byQuarter].map(([quarter, tables]) => `    ${quarter}: ${tables.join(', ')}`)];
}

function sum(files: readonly { readonly size: number }[]): number {
  return files.reduce((total, f) => total + f.size, 0);
}

/** `export --verify`: one line when all is well; else each file that is not, and how. */
export function formatVerify(result: VerifyResult): string {
  const against = result.runId ? `run ${result.runId}'s manifest (${result.runManifest}) and the export record` : 'the export record alone (no run manifest was exported with it)';
  if (result.problems.length === 0) return `Verified ${files(result.checked)} in ${result.to} against ${against}: none changed, missing or extra`;
  return [
    `${result.problems.length} of the files in ${result.to} are not as recorded, checked against ${against}:`,
    ...result.problems.map((p) => `  ${p.problem.padEnd(8)}${p.file}  (${p.detail})`),
  ].join('\n');
}
