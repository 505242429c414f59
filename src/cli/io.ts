import { createInterface } from 'node:readline/promises';
import type { Confirm } from '../commands/command.js';

/** How the terminal shows a command's result and asks its questions. */
export interface TerminalIo {
  /**
   * Prints a command's result on stdout: the value itself as JSON with --json, else the text
   * `asText` makes of it for people (nothing when it makes none). Every result goes through here, once.
   */
  result<T>(value: T, asText: (value: T) => string | undefined): void;
  /** Asks a yes/no question when a person is at a terminal; undefined when nobody can answer. */
  confirm?: Confirm;
}

/** Results to `write` (stdout), questions on stderr when both ends are a terminal. */
export function terminalIo(json: boolean, write: (text: string) => void = (text) => process.stdout.write(text)): TerminalIo {
  const interactive = process.stdin.isTTY === true && process.stderr.isTTY === true;
  return {
    result(value, asText) {
      const text = json ? JSON.stringify(value, null, 2) : asText(value);
      if (text === undefined) return;
      write(text.endsWith('\n') ? text : `${text}\n`);
    },
    ...(interactive ? { confirm: askOnTerminal } : {}),
  };
}

async function askOnTerminal(question: string): Promise<boolean> {
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    const answer = await rl.question(`${question}Type "yes" to continue: `);
    return answer.trim().toLowerCase() === 'yes';
  } finally {
    rl.close();
  }
}
