import { readFile, readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { UsageError } from '../core/errors.js';
import { EXPORT_MANIFEST, partOf, readFolderExport, type ExportPart } from './export.js';
import { RUN_MANIFESTS, parseRunManifest, type RunManifest } from './run-manifest.js';
import { hashFile } from './upload.js';

/** One file that is not as it should be: its path in the export, and how. */
export interface VerifyProblem {
  readonly file: string;
  readonly problem: 'changed' | 'missing' | 'extra';
  /** For a changed file: what differs (the size, or the SHA-256), against which record. */
  readonly detail: string;
}

export interface VerifyResult {
  readonly to: string;
  /** The run whose manifest the results were checked against; null when none was exported. */
  readonly runId: string | null;
  readonly runManifest: string | null;
  readonly parts: readonly ExportPart[];
  /** Files checked (found and expected, less the missing). */
  readonly checked: number;
  readonly problems: readonly VerifyProblem[];
}

/** What a file must be, and which record says so. */
interface Expected {
  readonly size: number;
  readonly sha256: string;
  readonly by: string;
}

/** The run reports and the run manifests themselves: no run manifest lists them, the export's record does. */
function isRunRecord(rel: string): boolean {
  return rel.startsWith('reports/') || rel.startsWith(RUN_MANIFESTS);
}

/** At most this many files are read at once. */
const HASHING_AT_ONCE = 4;

/**
 * `export --verify`: every file of a folder export against the manifest of the newest run exported
 * with it (the results: features, rejected, aggregates, QuickSight manifests, delivered), and the
 * run reports and run manifests against the export's own record (`.provisioner-export.json`),
 * which holds the SHA-256 of each file it wrote. A file that differs from its record is changed, one
 * recorded but absent is missing, one no record names is extra. Without a run manifest in the
 * folder (`--only` left out `manifests`), the results are checked against the export's record alone.
 */
export async function verifyExport(dir: string): Promise<VerifyResult> {
  const record = await readFolderExport(dir);
  if (!record) {
    throw new UsageError(`invalid --to "${dir}": it holds no ${EXPORT_MANIFEST}, so it is no export to verify; valid: a folder provisioner export wrote`);
  }
  const found = await filesUnder(dir);
  const run = await newestRunManifest(dir, found);
  const expected = new Map<string, Expected>();
  for (const [rel, entry] of Object.entries(record.objects)) {
    if (entry.sha256 === undefined) continue;
    if (run && !isRunRecord(rel)) continue;
    expected.set(rel, { size: entry.size, sha256: entry.sha256, by: EXPORT_MANIFEST });
  }
  if (run) {
    for (const file of run.manifest.files) {
      if (!isRunRecord(file.key) && record.parts.includes(partOf(file.key))) {
        expected.set(file.key, { size: file.size, sha256: file.sha256, by: `run ${run.manifest.runId}'s manifest` });
      }
    }
  }

  const problems: VerifyProblem[] = [];
  const present = new Set(found);
  for (const rel of found) {
    if (expected.has(rel)) continue;
    const exported = rel in record.objects;
    problems.push({ file: rel, problem: 'extra', detail: exported && run ? `exported, but run ${run.manifest.runId}'s manifest does not list it` : 'in no record of the export or of the run' });
  }
  const toCheck = [...expected].filter(([rel, want]) => {
    if (present.has(rel)) return true;
    problems.push({ file: rel, problem: 'missing', detail: `named by ${want.by}` });
    return false;
  });
  for (let i = 0; i < toCheck.length; i += HASHING_AT_ONCE) {
    const batch = toCheck.slice(i, i + HASHING_AT_ONCE);
    const changes = await Promise.all(batch.map(([rel, want]) => changeOf(path.join(dir, ...rel.split('/')), want)));
    changes.forEach((detail, j) => {
      if (detail) problems.push({ file: batch[j]![0], problem: 'changed', detail });
    });
  }
  problems.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
  return {
    to: dir,
    runId: run?.manifest.runId ?? null,
    runManifest: run?.rel ?? null,
    parts: record.parts,
    checked: toCheck.length,
    problems,
  };
}

async function changeOf(file: string, want: Expected): Promise<string | undefined> {
  const size = (await stat(file)).size;
  if (size !== want.size) return `${size} bytes where ${want.by} says ${want.size}`;
  const sha256 = await hashFile(file);
  return sha256 === want.sha256 ? undefined : `sha256 ${sha256.slice(0, 12)}… where ${want.by} says ${want.sha256.slice(0, 12)}…`;
}

/** The manifest of the run that finished last, of those in the folder (a tie goes to the greater run id). */
async function newestRunManifest(dir: string, found: readonly string[]): Promise<{ rel: string; manifest: RunManifest } | undefined> {
  const candidates = found.filter((rel) => rel.startsWith(RUN_MANIFESTS) && rel.endsWith('.json') && !rel.slice(RUN_MANIFESTS.length).includes('/'));
  const read = await Promise.all(
    candidates.map(async (rel) => {
      try {
        return { rel, manifest: parseRunManifest(await readFile(path.join(dir, ...rel.split('/')), 'utf8'), rel) };
      } catch {
        // Not a manifest (any more): the export's record names it changed.
        return undefined;
      }
    }),
  );
  const order = (m: RunManifest) => `${m.finishedAt ?? ''}\u0000${m.runId}`;
  return read.filter((m): m is { rel: string; manifest: RunManifest } => m !== undefined).sort((a, b) => (order(a.manifest) < order(b.manifest) ? 1 : -1))[0];
}

/** Every file under `dir` as a path relative to it with `/`, less the export's record. */
async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((entry) => entry.isFile())
    .map((entry) => path.relative(dir, path.join(entry.parentPath, entry.name)).split(path.sep).join('/'))
    .filter((rel) => rel !== EXPORT_MANIFEST)
    .sort();
}
