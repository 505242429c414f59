import type { Outcome } from '../commands/command.js';
import type { StepListener, StepName } from '../commands/cycle.js';
import { formatChanges, formatExport, formatRunOutcome, formatTeardown } from './format.js';
import type { TerminalIo } from './io.js';
import { formatRunReport } from './run-report.js';

/** Shows a command's result, when it has one, and hands back its exit code. */
export async function shown<R>(io: TerminalIo, outcome: Promise<Outcome<R>>, asText: (result: R) => string | undefined): Promise<number> {
  const { exitCode, result } = await outcome;
  if (result !== undefined) io.result(result, asText);
  return exitCode;
}

/**
 * `cycle` as text shows each step's result as the step ends, as the command of the same name
 * would; with --json the steps are shown together at the end, in the cycle's own result.
 */
export function stepsAsText(io: TerminalIo, json: boolean, local: boolean): StepListener {
  if (json) return () => {};
  const asText: Record<StepName, (result: never) => string> = {
    up: formatChanges,
    run: local ? formatRunReport : formatRunOutcome,
    export: formatExport,
    teardown: formatTeardown,
  };
  return (step, outcome) => {
    if (outcome.result !== undefined) io.result(outcome.result as never, asText[step]);
  };
}
