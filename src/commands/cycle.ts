import type { CommandEnv, Outcome } from './command.js';
import { EXIT_FAILURE, EXIT_INTERRUPTED, EXIT_OK, ProvisionerError, UsageError, describeCause } from '../core/errors.js';
import { parseExportParts } from '../transfer/export.js';
import { assertWritableTarget, parseExportTarget } from '../transfer/export-target.js';
import { exportResults } from './export.js';
import { runLocally, runPipelineToEnd } from './run.js';
import { teardown } from './teardown.js';
import { up } from './up.js';

export interface CycleOptions {
  readonly to: string;
  readonly only: string | undefined;
  readonly force: boolean;
  readonly local: boolean;
  /** --python; undefined: the one run --local finds for the Glue version. */
  readonly python: string | undefined;
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
export type StepName = (typeof STEPS)[number];

/** Hears each step's outcome as the step ends, so that a person sees it before the next begins. */
export type StepListener = (step: StepName, outcome: Outcome<unknown>) => void;

/**
 * `cycle`: one quarter without standing infrastructure: `up`, run the pipeline to its end,
 * `export` the results, `teardown`. Each step is the command of the same name; a failing step
 * stops the cycle with its name and exit code. A failed run keeps the stack to look into, unless
 * told otherwise. Interrupted anywhere, a rerun or `teardown` finishes the job.
 */
export async function cycle(env: CommandEnv, options: CycleOptions, onStepEnded: StepListener = () => {}): Promise<Outcome<CycleResult>> {
  const { settings, runtime, confirm } = env;
  const { logger } = runtime;
  // Everything that can be refused is refused before anything is created.
  const target = parseExportTarget(options.to);
  parseExportParts(options.only);
  if (!options.yes && !confirm) {
    throw new UsageError('cycle ends with teardown, which deletes the stack and its data: pass --yes (or PROVISIONER_YES=true) to confirm');
  }
  await assertWritableTarget(target);

  // Every step's result is gathered into one document: what `--json` prints.
  const steps: CycleStep[] = [];
  const finish = (completed: boolean, exitCode: number): Outcome<CycleResult> => ({ exitCode, result: { stack: settings.name, completed, steps } });

  const runStep = async (name: StepName, action: (stepEnv: CommandEnv) => Promise<Outcome<unknown>>): Promise<number> => {
    logger.info(`== cycle step ${STEPS.indexOf(name) + 1}/${STEPS.length}: ${name}`);
    try {
      const outcome = await action(env);
      onStepEnded(name, outcome);
      steps.push({ step: name, exitCode: outcome.exitCode, ...(outcome.result !== undefined ? { result: outcome.result } : {}) });
      return outcome.exitCode;
    } catch (error) {
      const code = runtime.signal.aborted ? EXIT_INTERRUPTED : error instanceof ProvisionerError ? error.exitCode : EXIT_FAILURE;
      steps.push({ step: name, exitCode: code, error: describeCause(error) });
      logger.error(`${describeCause(error)}`);
      return code;
    }
  };
  const stopped = (name: StepName, code: number): Outcome<CycleResult> => {
    logger.error(`cycle stopped at step ${name} (exit ${code})`);
    return finish(false, code);
  };

  let code = await runStep('up', (e) => up(e, { dryRun: false }));
  if (code !== EXIT_OK) return stopped('up', code);

  code = await runStep('run', (e) => (options.local ? runLocally(e, options) : runPipelineToEnd(e, options)));
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
