import { readFileSync } from 'node:fs';
import { UsageError } from '../core/errors.js';

/** The --config file: a JSON object whose keys are options, camelCase or kebab-case. */
export function loadConfigFile(file: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new UsageError(`invalid --config "${file}": ${(error as NodeJS.ErrnoException).code ?? 'unreadable'}; valid: a readable JSON file`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new UsageError(`invalid --config "${file}": not JSON (${jsonProblem((error as Error).message, text)})`);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new UsageError(`invalid --config "${file}": expected a JSON object of options`);
  }
  return parsed as Record<string, unknown>;
}

/**
 * What JSON.parse found wrong, in one line: V8 quotes the start of the text in some messages
 * (`Unexpected token 'a', "name: x\nfoo" is not valid JSON`), newlines included, and gives a
 * character offset in others, shown here as a line and column.
 */
function jsonProblem(message: string, text: string): string {
  const withoutQuote = message.replace(/, ".*" is not valid JSON$/s, '');
  const position = / in JSON at position (\d+).*$/s.exec(withoutQuote);
  if (!position) return oneLine(withoutQuote);
  const before = text.slice(0, Number(position[1]));
  const line = before.split('\n').length;
  const column = before.length - before.lastIndexOf('\n');
  return oneLine(`${withoutQuote.slice(0, position.index)} at line ${line} column ${column}`);
}

function oneLine(message: string): string {
  return message.replace(/\s*\n\s*/g, ' ').trim();
}
