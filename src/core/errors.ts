import { STATUS_CODES } from 'node:http';

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
/** A job run Glue stopped at the timeout that --max-usd set: it did not fail, it ran out of money. */
export const EXIT_COST_CEILING = 3;

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

/**
 * One line for any thrown value. An SDK error shows the call that failed (`S3 HeadObject`, from
 * aws/operation.ts), its name and message, and the HTTP status, the request id and the number of
 * attempts. What the SDK names a bodiless answer ("Unknown", "UnknownError") is never shown: the
 * status says it ("HTTP 500 Internal Server Error").
 */
export function describeCause(cause: unknown): string {
  if (cause instanceof ProvisionerError) return cause.message;
  if (cause instanceof Error) {
    const { $metadata: meta, code } = cause as SdkErrorFields;
    const status = meta?.httpStatusCode;
    const name = cause.name && cause.name !== 'Error' && !UNINFORMATIVE.test(cause.name) ? cause.name : undefined;
    const message = UNINFORMATIVE.test(cause.message.trim()) || cause.message.trim() === name ? undefined : firstLine(cause.message);
    const facts: string[] = [];
    let what: string;
    if (name || message) {
      what = [name, message].filter(Boolean).join(': ');
      if (status) facts.push(`HTTP ${status}`);
    } else {
      what = status ? `HTTP ${status} ${STATUS_CODES[status] ?? ''}`.trim() : '(no message)';
    }
    const bucket = (cause as unknown as Record<string, unknown>)[BUCKET_KEY];
    if (typeof bucket === 'string' && /Bucket/.test(cause.name) && !what.includes(bucket)) facts.unshift(`bucket ${bucket}`);
    if (!status && code && !what.includes(code)) facts.push(code);
    if (meta?.requestId) facts.push(`request id ${meta.requestId}`);
    if (meta?.attempts && meta.attempts > 1) facts.push(`${meta.attempts} attempts`);
    const operation = (cause as unknown as Record<string, unknown>)[OPERATION_KEY];
    const prefix = typeof operation === 'string' ? `${operation}: ` : '';
    return `${prefix}${what}${facts.length > 0 ? ` (${facts.join(', ')})` : ''}`;
  }
  return String(cause);
}

/** What an SDK error carries besides name and message; a network error has a Node `code`. */
interface SdkErrorFields {
  readonly $metadata?: { httpStatusCode?: number; requestId?: string; attempts?: number };
  readonly code?: string;
}

/** The names and messages the SDK makes up for an answer without an error body. */
const UNINFORMATIVE = /^(Unknown|UnknownError|\d{3}|)$/;

/** The property aws/operation.ts sets on an SDK error: the service and operation, e.g. `S3 HeadObject`. */
export const OPERATION_KEY = '$operation';
/** And the bucket an S3 request named, so that an error about a bucket names it. */
export const BUCKET_KEY = '$bucket';

function firstLine(text: string): string {
  const line = text.split('\n', 1)[0] ?? '';
  return line.trim() || '(no message)';
}
