import { randomUUID } from 'node:crypto';
import { mkdir, rm, rmdir, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { bucketNameProblem } from '../config/names.js';
import { UsageError } from '../core/errors.js';

/** Where `export` writes: a local folder, or a prefix of another bucket. */
export type ExportTarget = { readonly kind: 'dir'; readonly dir: string } | { readonly kind: 's3'; readonly bucket: string; readonly prefix: string };

const VALID = 'valid: s3://BUCKET[/PREFIX] or a local folder';

/**
 * `--to`: `s3://BUCKET[/PREFIX]`, or a folder. Text that begins like a URI (`s3:/x`, `s3://`,
 * `S3://x`, `file:///x`) but is not a valid s3 one is refused: taken as a folder, it would put the
 * results in a local folder named `s3:` while the user looks for them in S3.
 */
export function parseExportTarget(text: string, cwd = process.cwd()): ExportTarget {
  const s3 = /^s3:\/\/([^/]+)(?:\/(.*))?$/.exec(text);
  if (!s3) {
    if (looksLikeUri(text)) throw new UsageError(`invalid --to "${text}": it looks like a URI but is not s3://BUCKET[/PREFIX]; ${VALID}`);
    return { kind: 'dir', dir: path.resolve(cwd, text) };
  }
  const bucket = s3[1]!;
  const problem = bucketNameProblem(bucket);
  if (problem) throw new UsageError(`invalid --to "${text}": "${bucket}" is not a valid S3 bucket name (${problem}); ${VALID}`);
  const prefix = (s3[2] ?? '').replace(/\/*$/, '');
  return { kind: 's3', bucket, prefix: prefix ? `${prefix}/` : '' };
}

/** `s3:`, `s3a:` and friends in any case, or any scheme followed by a slash (`file:///x`, `gs://x`). */
function looksLikeUri(text: string): boolean {
  const scheme = /^([A-Za-z][A-Za-z0-9+.-]+):(\/?)/.exec(text);
  return scheme !== null && (/^s3[an]?$/i.test(scheme[1]!) || scheme[2] === '/');
}

/**
 * A folder target is made, and written to once, before anything else happens: a path that cannot be
 * created or written (under /proc, a read-only mount, a file in the way, no permission) fails at
 * once in one line naming it and the reason, not after the stack has run. The folders made for the
 * check are removed again: a cycle that stops before its export leaves no empty folder behind.
 */
export async function assertWritableTarget(target: ExportTarget): Promise<void> {
  if (target.kind !== 'dir') return;
  const probe = path.join(target.dir, `.provisioner-export-probe-${randomUUID()}`);
  const made: string[] = [];
  try {
    made.push(...(await makeFolder(target.dir)));
    await writeFile(probe, '');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'unknown error';
    throw new UsageError(`cannot write to --to "${target.dir}": ${code} (${REASONS[code] ?? (error as Error).message}); valid: a folder this user can create and write`);
  } finally {
    await rm(probe, { force: true }).catch(() => {});
    for (const folder of made.reverse()) await rmdir(folder).catch(() => {});
  }
}

/**
 * `mkdir -p`, one level at a time from the deepest folder that exists. Node's recursive mkdir never
 * returns for a path under /proc (each level answers ENOENT, and it tries the parent again).
 */
async function makeFolder(dir: string): Promise<string[]> {
  const missing: string[] = [];
  for (let folder = dir; ; folder = path.dirname(folder)) {
    const found = await stat(folder).catch((error: NodeJS.ErrnoException) => (error.code === 'ENOENT' ? undefined : Promise.reject(error)));
    if (found) {
      if (!found.isDirectory()) throw Object.assign(new Error(`${folder} is not a folder`), { code: folder === dir ? 'EEXIST' : 'ENOTDIR' });
      break;
    }
    if (path.dirname(folder) === folder) break;
    missing.unshift(folder);
  }
  const made: string[] = [];
  for (const folder of missing) {
    await mkdir(folder);
    made.push(folder);
  }
  return made;
}

const REASONS: Readonly<Record<string, string>> = {
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  ENOENT: 'no such file or directory',
  ENOTDIR: 'a part of the path is a file, not a folder',
  EEXIST: 'a file is in the way',
  EROFS: 'read-only file system',
  ENOSPC: 'no space left on the device',
};
