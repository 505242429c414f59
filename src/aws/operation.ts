/**
 * SDK errors do not say which call failed, and one without a body (a HEAD's 500, a 403) is named
 * "Unknown" with the message "UnknownError". A small middleware on every client writes the service
 * and operation onto any error a call throws (`S3 HeadObject`), so that describeCause (errors.ts)
 * can name the call, the HTTP status and the request id instead.
 */

import { BUCKET_KEY, OPERATION_KEY } from '../core/errors.js';

interface MiddlewareContext {
  readonly clientName?: string;
  readonly commandName?: string;
}

type Next = (args: unknown) => Promise<unknown>;

/** The part of an SDK client this needs: its middleware stack (typed loosely: every client's differs). */
export interface WithMiddleware {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  readonly middlewareStack: { add(middleware: any, options: any): void };
}

/** `S3Client` and `HeadObjectCommand` become `S3 HeadObject`. */
export function operationName(context: MiddlewareContext): string | undefined {
  const command = context.commandName?.replace(/Command$/, '');
  if (!command) return undefined;
  const service = context.clientName?.replace(/Client$/, '');
  return service ? `${service} ${command}` : command;
}

/** Adds the middleware to a client; the outermost step, so the error is the one after all retries. */
export function rememberOperation<C extends WithMiddleware>(client: C): C {
  const middleware =
    (next: Next, context: MiddlewareContext): Next =>
    async (args) => {
      try {
        return await next(args);
      } catch (error) {
        const name = operationName(context);
        if (name && error !== null && typeof error === 'object' && !(OPERATION_KEY in error)) {
          Object.defineProperty(error, OPERATION_KEY, { value: name, enumerable: false, configurable: true });
          // S3's NoSuchBucket does not say which bucket: the request does.
          const bucket = (args as { input?: { Bucket?: unknown } } | undefined)?.input?.Bucket;
          if (typeof bucket === 'string') Object.defineProperty(error, BUCKET_KEY, { value: bucket, enumerable: false, configurable: true });
        }
        throw error;
      }
    };
  client.middlewareStack.add(middleware, { step: 'initialize', name: 'provisionerOperationName', override: true });
  return client;
}

/** The operation a failed call was, when the middleware saw it. */
export function operationOf(error: unknown): string | undefined {
  if (error === null || typeof error !== 'object') return undefined;
  const value = (error as Record<string, unknown>)[OPERATION_KEY];
  return typeof value === 'string' ? value : undefined;
}
