import { copyFileSync, cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { JOB_DIR, RAW_DATA_DIR } from './paths.js';
import { writeTinyRawData } from './tiny-data.js';

/** Temporary folders a test file makes, all removed together when the file is done. */
export class TempFolders {
  private readonly made: string[] = [];

  /** A new empty folder, named after what it is for. */
  dir(label: string): string {
    const dir = mkdtempSync(path.join(tmpdir(), `provisioner-${label}-`));
    this.made.push(dir);
    return dir;
  }

  /**
   * A new folder holding the few rows of tiny-data.ts, for stacks whose job runs on local Spark, and
   * for tests of `up` whose subject is not the data. With `contract`, rawdata/'s data contract too,
   * so `plan` and `up` hold the files to it as they do the real data (in milliseconds, not the
   * seconds the 3 million real rows take).
   */
  tinyRawData(label: string, options: { readonly contract?: boolean } = {}): { readonly dir: string; readonly rows: number } {
    const dir = this.dir(label);
    const written = writeTinyRawData(dir);
    if (options.contract) copyFileSync(path.join(RAW_DATA_DIR, 'contract.json'), path.join(dir, 'contract.json'));
    return { dir, ...written };
  }

  /** A copy of the job's scripts that a test may change without touching the checkout. */
  jobCopy(label: string): string {
    const dir = this.dir(label);
    cpSync(JOB_DIR, dir, { recursive: true });
    return dir;
  }

  removeAll(): void {
    for (const dir of this.made.splice(0)) rmSync(dir, { recursive: true, force: true });
  }
}
