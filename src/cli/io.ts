import type { Settings } from '../config/settings.js';
import type { Runtime } from '../stack/resources.js';

/** How a command talks to the person or program that ran it. */
export interface CommandIo {
  /** Results: tables or JSON, on stdout. */
  out(text: string): void;
  /** Asks a yes/no question when a person is at a terminal; undefined when nobody can answer. */
  confirm?: (question: string) => Promise<boolean>;
}

export interface CommandEnv {
  readonly settings: Settings;
  readonly runtime: Runtime;
  readonly io: CommandIo;
}
