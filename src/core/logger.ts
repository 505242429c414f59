/**
 * The logger port: what every layer may write to. The terminal implements it (cli/logger.ts, on
 * stderr, with secrets redacted); tests hand in a silent or recording one.
 */
export interface Logger {
  error(message: string): unknown;
  warn(message: string): unknown;
  info(message: string): unknown;
  debug(message: string): unknown;
}

export type LogLevel = 'error' | 'warn' | 'info' | 'debug';
export type LogFormat = 'pretty' | 'json';
export const LOG_LEVELS: readonly LogLevel[] = ['error', 'warn', 'info', 'debug'];
export const LOG_FORMATS: readonly LogFormat[] = ['pretty', 'json'];

/** A logger that drops everything, for library use and tests. */
export function silentLogger(): Logger {
  return { error() {}, warn() {}, info() {}, debug() {} };
}
