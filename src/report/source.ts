/**
 * Where the report reads from: a tree laid out like the job's `processed/` prefix. Keys are
 * relative to that root and use `/` (e.g. `reports/run_report.json`), whatever the storage.
 */
import { readFile, readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { ProvisionerError, UsageError } from '../core/errors.js';

export interface ReportSource {
  /** The root the keys are relative to, as people know it: a folder path or an s3:// URI. */
  describe(): string;
  /** Every key that starts with `prefix`, sorted. A prefix with nothing under it gives []. */
  list(prefix: string): Promise<string[]>;
  /** One object's text (UTF-8). */
  read(key: string): Promise<string>;
}

/** Where a key lives, for messages: the source's root joined with the key. */
export function locate(source: ReportSource, key: string): string {
  return `${source.describe().replace(/\/+$/, '')}/${key}`;
}

/** An `export` folder: a local copy of `processed/` (or the job's own `--output_path`). */
export class DirectorySource implements ReportSource {
  private checked = false;

  constructor(private readonly root: string) {}

  describe(): string {
    return this.root;
  }

  async list(prefix: string): Promise<string[]> {
    await this.checkRoot();
    // Walk only the folder the prefix names, never the whole tree (features/ can be huge).
    const folder = prefix.includes('/') ? prefix.slice(0, prefix.lastIndexOf('/')) : '';
    const keys = await walk(this.root, folder);
    return keys.filter((key) => key.startsWith(prefix)).sort();
  }

  async read(key: string): Promise<string> {
    try {
      return await readFile(path.join(this.root, ...key.split('/')), 'utf8');
    } catch (error) {
      throw new ProvisionerError(`cannot read ${locate(this, key)}: ${codeOf(error)}`, 'user', { cause: error });
    }
  }

  private async checkRoot(): Promise<void> {
    if (this.checked) return;
    const info = await stat(this.root).catch(() => undefined);
    if (!info?.isDirectory()) throw new UsageError(`export folder ${this.root} does not exist or is not a folder`);
    this.checked = true;
  }
}

async function walk(root: string, folder: string): Promise<string[]> {
  let entries;
  try {
    entries = await readdir(path.join(root, ...folder.split('/').filter(Boolean)), { withFileTypes: true });
  } catch (error) {
    if (codeOf(error) === 'ENOENT' || codeOf(error) === 'ENOTDIR') return [];
    throw new ProvisionerError(`cannot list ${path.join(root, folder)}: ${codeOf(error)}`, 'user', { cause: error });
  }
  const keys: string[] = [];
  for (const entry of entries) {
    const key = folder ? `${folder}/${entry.name}` : entry.name;
    if (entry.isDirectory()) keys.push(...(await walk(root, key)));
    else if (entry.isFile()) keys.push(key);
  }
  return keys;
}

function codeOf(error: unknown): string {
  if (error && typeof error === 'object' && 'code' in error && typeof error.code === 'string') return error.code;
  return error instanceof Error ? error.message : String(error);
}
