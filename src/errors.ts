/**
 * Every failure the CLI reports goes through one class, so the top level can pick the exit code
 * and print one line without knowing where the error came from.
 */

/** Who has to act: the user (bad input, exit 2), AWS or the tool (exit 1), or nobody (interrupted). */
export type Fault = 'user' | 'aws' | 'interrupted';

export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;
export const EXIT_INTERRUPTED = 130;

export class ProvisionerError extends Error {
  override readonly name: string = 'ProvisionerError';

  constructor(
    message: string,
    readonly fault: Fault = 'aws',
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }

  get exitCode(): number {
    switch (this.fault) {
      case 'user':
        return EXIT_USAGE;
      case 'interrupted':
        return EXIT_INTERRUPTED;
      default:
        return EXIT_FAILURE;
    }
  }
}

/** Bad flag, env var, config file or local file: nothing was created when this is thrown. */
export class UsageError extends ProvisionerError {
  constructor(message: string) {
    super(message, 'user');
  }
}

export class InterruptedError extends ProvisionerError {
  constructor(message = 'interrupted') {
    super(message, 'interrupted');
  }
}

/** Waited as long as allowed for AWS to reach a state; the operation may still finish there. */
export class TimeoutError extends ProvisionerError {
  override readonly name: string = 'TimeoutError';

  constructor(message: string) {
    super(message, 'aws');
  }
}

/** A step of `up` or `teardown` failed; the message names the step and the resource. */
export class StepError extends ProvisionerError {
  constructor(
    readonly step: string,
    readonly resource: string,
    cause: unknown,
  ) {
    super(`${step} ${resource} failed: ${describeCause(cause)}`, faultOf(cause), { cause });
  }
}

function faultOf(cause: unknown): Fault {
  return cause instanceof ProvisionerError ? cause.fault : 'aws';
}

/** One line for any thrown value: SDK errors carry a name worth showing next to the message. */
export function describeCause(cause: unknown): string {
  if (cause instanceof ProvisionerError) return cause.message;
  if (cause instanceof Error) {
    const name = cause.name && cause.name !== 'Error' ? `${cause.name}: ` : '';
    return `${name}${firstLine(cause.message)}`;
  }
  return String(cause);
}

function firstLine(text: string): string {
  const line = text.split('\n', 1)[0] ?? '';
  return line.trim() || '(no message)';
}
