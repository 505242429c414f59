import type { CommandEnv, CommandIo } from '../cli/io.js';
import { EXIT_FAILURE, EXIT_INTERRUPTED, EXIT_OK, ProvisionerError, UsageError, describeCause } from '../core/errors.js';
import { parseExportParts, parseExportTarget } from '../transfer/export.js';
import { exportResults } from './export.js';
import { run } from './run.js';
import { teardown } from './teardown.js';
import { up } from './up.js';

export interface CycleOptions {
  readonly to: string;
  readonly only: string | undefined;
  readonly force: boolean;
  readonly local: boolean;
  readonly python: string;
  readonly timeoutMinutes: number;
  readonly pollSeconds: number;
  readonly yes: boolean;
  /** Tear down even when the run failed (default: keep everything to look into it). */
  readonly teardownOnFailure: boolean;
}

/** One step of a cycle as `--json` reports it. */
export interface CycleStep {
  readonly step: string;
  readonly exitCode: number;
  readonly result?: unknown;
  readonly error?: string;
}

export interface CycleResult {
  readonly stack: string;
  readonly completed: boolean;
  readonly steps: readonly CycleStep[];
}

const STEPS = ['up', 'run', 'export', 'teardown'] as const;
type StepName = (typeof STEPS)[number];

/**
 * `cycle`: one quarter without standing infrastructure: `up`, run the pipeline to its end,
 * `export` the results, `teardown`. Each step is the command of the same name; a failing step
 * stops the cycle with its name and exit code. A failed run keeps the stack to look into, unless
 * told otherwise. Interrupted anywhere, a rerun or `teardown` finishes the job.
 */
export async function cycle(env: CommandEnv, options: CycleOptions): Promise<number> {
  const { settings, runtime, io } = env;
  const { logger } = runtime;
  // Everything that can be refused is refused before anything is created.
  parseExportTarget(options.to);
  parseExportParts(options.only);
  if (!options.yes && !io.confirm) {
    throw new UsageError('cycle ends with teardown, which deletes the stack and its data: pass --yes (or PROVISIONER_YES=true) to confirm');
  }

  const steps: CycleStep[] = [];
  const stepIo = (name: StepName): CommandIo => ({
    // With --json the steps' results are gathered into one document; as text each prints as it ends.
    result: (value, asText) => {
      if (settings.json) steps.push({ step: name, exitCode: EXIT_OK, result: value });
      else io.result(value, asText);
    },
    ...(io.confirm ? { confirm: io.confirm } : {}),
  });
  const finish = (completed: boolean, exitCode: number): number => {
    if (settings.json) io.result<CycleResult>({ stack: settings.name, completed, steps }, () => '');
    return exitCode;
  };

  const runStep = async (name: StepName, action: (stepEnv: CommandEnv) => Promise<number>): Promise<number> => {
    logger.info(`== cycle step ${STEPS.indexOf(name) + 1}/${STEPS.length}: ${name}`);
    try {
      const code = await action({ settings, runtime, io: stepIo(name) });
      record(steps, name, code);
      return code;
    } catch (error) {
      const code = runtime.signal.aborted ? EXIT_INTERRUPTED : error instanceof ProvisionerError ? error.exitCode : EXIT_FAILURE;
      record(steps, name, code, describeCause(error));
      logger.error(`${describeCause(error)}`);
      return code;
    }
  };
  const stopped = (name: StepName, code: number): number => {
    logger.error(`cycle stopped at step ${name} (exit ${code})`);
    return finish(false, code);
  };

  let code = await runStep('up', (e) => up(e, { dryRun: false }));
  if (code !== EXIT_OK) return stopped('up', code);

  code = await runStep('run', (e) =>
    run(e, { wait: true, local: options.local, python: options.python, timeoutMinutes: options.timeoutMinutes, pollSeconds: options.pollSeconds }),
  );
  if (code !== EXIT_OK) {
    if (code === EXIT_INTERRUPTED || !options.teardownOnFailure) {
      logger.error(
        `the run did not succeed; the stack ${settings.name} is kept to look into: \`provisioner status --name ${settings.name}\`` +
          ` (and the job's logs in CloudWatch); remove it with \`provisioner teardown --yes --name ${settings.name}\``,
      );
      return stopped('run', code);
    }
    logger.warn('the run did not succeed; tearing down as --teardown-on-failure says (nothing is exported)');
    const down = await runStep('teardown', (e) => teardown(e, { yes: options.yes }));
    if (down !== EXIT_OK) return stopped('teardown', down);
    return stopped('run', code);
  }

  code = await runStep('export', (e) => exportResults(e, { to: options.to, only: options.only, force: options.force }));
  // Without its results out, tearing down would lose the quarter: keep the stack.
  if (code !== EXIT_OK) {
    logger.error(`the results were not exported; the stack ${settings.name} is kept: export again, then \`provisioner teardown --yes --name ${settings.name}\``);
    return stopped('export', code);
  }

  code = await runStep('teardown', (e) => teardown(e, { yes: options.yes }));
  if (code !== EXIT_OK) return stopped('teardown', code);
  logger.info(`cycle complete: results in ${options.to}; nothing of stack ${settings.name} is left standing`);
  return finish(true, EXIT_OK);
}

/** Notes a step's exit code on the result it printed, or as a step of its own when it printed none. */
function record(steps: CycleStep[], name: StepName, exitCode: number, error?: string): void {
  const index = steps.findIndex((s) => s.step === name);
  const printed = index >= 0 ? steps[index]?.result : undefined;
  const entry: CycleStep = { step: name, exitCode, ...(printed !== undefined ? { result: printed } : {}), ...(error ? { error } : {}) };
  if (index >= 0) steps[index] = entry;
  else steps.push(entry);
}
