import type { CommandEnv, Outcome } from './command.js';
import { EXIT_OK, EXIT_USAGE, UsageError } from '../core/errors.js';
import type { ContractCheck } from '../contract/check.js';
import { contractPath, openContract } from '../contract/open.js';
import { checkAgainst, refusals, scanRawData } from './data-check.js';

/**
 * `check`: the data contract's check of `plan` and `up`, alone, for a CI job on the data's
 * repository: no AWS call, exit 2 when a file is refused. With no contract to check against there is
 * nothing to say, and that is an error here, where `up` only warns.
 */
export async function check({ settings, runtime }: CommandEnv): Promise<Outcome<ContractCheck>> {
  const files = await scanRawData(settings);
  const contract = await openContract(settings);
  if (!contract) throw new UsageError(`no data contract to check against: ${contractPath(settings)} does not exist; valid: --contract FILE, or a contract.json in --data-dir`);
  const result = await checkAgainst(contract, settings, runtime, files);
  for (const line of refusals(result, settings)) runtime.logger.error(line);
  return { exitCode: result.refused > 0 ? EXIT_USAGE : EXIT_OK, result };
}
