import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Settings } from '../core/settings.js';
import { loadContract, type Contract } from './contract.js';

/** The contract's name in the data directory, where it is looked for without --contract. */
export const CONTRACT_FILE = 'contract.json';

/** The contract's file: --contract, else contract.json in the data directory. */
export function contractPath(settings: Pick<Settings, 'contract' | 'dataDir'>): string {
  return settings.contract ?? path.join(settings.dataDir, CONTRACT_FILE);
}

/**
 * The contract, or undefined when none was named and the data directory has none: data without a
 * contract is still uploaded, as before there were contracts. One named with --contract must exist.
 */
export async function openContract(settings: Pick<Settings, 'contract' | 'dataDir'>): Promise<Contract | undefined> {
  const file = contractPath(settings);
  if (settings.contract === undefined && !existsSync(file)) return undefined;
  return loadContract(file);
}
