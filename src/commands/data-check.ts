import path from 'node:path';
import type { Runtime } from '../core/context.js';
import { UsageError } from '../core/errors.js';
import type { Settings } from '../core/settings.js';
import { PREFIX } from '../core/names.js';
import { formatBadRowLimit } from '../config/contract-values.js';
import { checkFiles, describeRefusal, type ContractCheck } from '../contract/check.js';
import type { Contract } from '../contract/contract.js';
import { contractPath, openContract } from '../contract/open.js';
import { scanDataDir, type LocalFile } from '../transfer/local-files.js';

/** The raw files `up` uploads: every file of the data directory but the contract. */
export function scanRawData(settings: Settings): Promise<LocalFile[]> {
  return scanDataDir(settings.dataDir, PREFIX.raw, { exclude: [contractPath(settings)] });
}

/**
 * The raw files held to the data contract, or undefined when there is none to hold them to (see
 * warnUnchecked). `plan`, `up` and `check` all check through here, so they agree on every file.
 */
export async function checkRawData(settings: Settings, runtime: Runtime, files: readonly LocalFile[]): Promise<ContractCheck | undefined> {
  const contract = await openContract(settings);
  return contract ? checkAgainst(contract, settings, runtime, files) : undefined;
}

/**
 * Says that the raw files go up unchecked. Called once the stack is open, so that a command
 * refused for its settings (credentials, a role, a key) still fails in one line.
 */
export function warnUnchecked(settings: Settings, runtime: Runtime): void {
  runtime.logger.warn(`no data contract: ${contractPath(settings)} does not exist, so the raw files go up unchecked (--contract names one)`);
}

export function checkAgainst(contract: Contract, settings: Settings, runtime: Runtime, files: readonly LocalFile[]): Promise<ContractCheck> {
  const data = files.map((file) => ({ path: file.path, name: file.key.slice(PREFIX.raw.length) }));
  return checkFiles(contract, data, { maxBadRows: settings.maxBadRows, progress: runtime.progress, signal: runtime.signal });
}

/** The refused files, one line each, as the user knows their paths. */
export function refusals(check: ContractCheck, settings: Settings): string[] {
  const limit = formatBadRowLimit(check.maxBadRows);
  return check.files.filter((file) => file.refused).map((file) => describeRefusal(file, shownPath(path.join(settings.dataDir, file.file)), limit));
}

/** Refuses the upload when a file breaks the contract: the first one named, the others counted. */
export function assertAccepted(check: ContractCheck | undefined, settings: Settings, runtime: Runtime): void {
  if (!check || check.refused === 0) return;
  const [first, ...others] = refusals(check, settings);
  for (const other of others) runtime.logger.error(other);
  const more = others.length === 0 ? '' : `; ${others.length} more ${others.length === 1 ? 'file breaks' : 'files break'} it too (logged above; provisioner check --json lists all)`;
  throw new UsageError(`nothing uploaded, the data contract refuses ${first}${more}`);
}

/** A path relative to the working directory when it is inside it, as the user most likely typed it. */
export function shownPath(file: string): string {
  const relative = path.relative(process.cwd(), file);
  return relative !== '' && !relative.startsWith('..') && !path.isAbsolute(relative) ? relative : file;
}
