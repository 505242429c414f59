import { vi } from 'vitest';

/**
 * What main() wrote, for tests that run it: log lines on stderr (winston's console transport writes
 * to console._stderr, which is not process.stderr under vitest) and results on stdout.
 */
export interface CapturedOutput {
  readonly stderr: string[];
  readonly stdout: string[];
}

/**
 * Runs main() as from a clean shell: no PROVISIONER_* variable of the machine running the tests, a
 * region and dummy credentials, an endpoint nothing listens on, and stdin not a terminal.
 */
export function cleanCliEnvironment(): CapturedOutput {
  for (const key of Object.keys(process.env)) if (key.startsWith('PROVISIONER_')) vi.stubEnv(key, undefined);
  vi.stubEnv('AWS_REGION', 'eu-west-1');
  vi.stubEnv('AWS_ACCESS_KEY_ID', 'AKIDEXAMPLE');
  vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'not-a-secret');
  vi.stubEnv('AWS_ENDPOINT_URL', 'http://127.0.0.1:9');
  vi.stubEnv('AWS_PROFILE', undefined);
  const output: CapturedOutput = { stderr: [], stdout: [] };
  const consoleStderr = (console as unknown as { _stderr?: NodeJS.WriteStream })._stderr;
  for (const stream of new Set([process.stderr, ...(consoleStderr ? [consoleStderr] : [])])) {
    vi.spyOn(stream, 'write').mockImplementation((chunk: string | Uint8Array) => {
      output.stderr.push(String(chunk));
      return true;
    });
  }
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    output.stdout.push(String(chunk));
    return true;
  });
  vi.spyOn(console, 'error').mockImplementation((...args: unknown[]) => void output.stderr.push(args.join(' ')));
  vi.spyOn(console, 'warn').mockImplementation((...args: unknown[]) => void output.stderr.push(args.join(' ')));
  return output;
}

/** The lines written to stderr, without empty ones. */
export function stderrLines(output: CapturedOutput): string[] {
  return output.stderr.join('').split('\n').filter((line) => line.trim() !== '');
}
