import type { Runtime } from '../core/context.js';
import { EXIT_OK } from '../core/errors.js';
import type { Settings } from '../core/settings.js';

/** Asks a person a yes/no question; absent when nobody can answer (no terminal, a pipe, CI). */
export type Confirm = (question: string) => Promise<boolean>;

/** What every command is handed: validated settings and the ports it reports through. */
export interface CommandEnv {
  readonly settings: Settings;
  readonly runtime: Runtime;
  readonly confirm?: Confirm | undefined;
}

/**
 * What a command ends with: its exit code and its result, the value `--json` prints. Commands never
 * print; the terminal (cli/) renders the result as text or JSON. No result: nothing to show (a
 * teardown the person declined).
 */
export interface Outcome<R> {
  readonly exitCode: number;
  readonly result?: R;
}

export function succeeded<R>(result: R): Outcome<R> {
  return { exitCode: EXIT_OK, result };
}
