import winston from 'winston';
import { LOG_LEVELS, type LogFormat, type Logger, type LogLevel } from '../core/logger.js';

// Keys whose values must never be written, wherever they appear in a log entry.
const SECRET_KEY = /secret|token|password|credential|authorization|signature/i;

const redactSecrets = winston.format((info) => {
  for (const key of Object.keys(info)) {
    if (SECRET_KEY.test(key)) info[key] = '[redacted]';
  }
  return info;
});

/**
 * Logs go to stderr so that stdout carries only results (tables, JSON). `beforeLine` runs before
 * each line that is written: the progress line is cleared there, so that a log line written while
 * an upload goes on (`up` makes the Glue resources meanwhile) does not land in the middle of it.
 */
export function createLogger(level: LogLevel, format: LogFormat, beforeLine?: () => void): Logger {
  const shown = LOG_LEVELS.indexOf(level);
  const announce = winston.format((info) => {
    if (LOG_LEVELS.indexOf(info.level as LogLevel) <= shown) beforeLine?.();
    return info;
  });
  const rendering =
    format === 'json'
      ? winston.format.combine(winston.format.timestamp(), winston.format.json())
      : winston.format.combine(
          ...(process.stderr.isTTY === true ? [winston.format.colorize()] : []),
          winston.format.printf(({ level: lvl, message }) => `${lvl} ${String(message)}`),
        );
  return winston.createLogger({
    level,
    format: winston.format.combine(redactSecrets(), announce(), rendering),
    transports: [
      new winston.transports.Console({
        stderrLevels: [...LOG_LEVELS],
      }),
    ],
  });
}
