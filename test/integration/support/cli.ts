import { spawn } from 'node:child_process';
import { FAKE_AWS, TEST_REGION } from './fake-aws.js';
import { CLI } from './paths.js';

export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Environment for the CLI: fake credentials, our endpoint, and nothing from the developer's own AWS
 * setup. An undefined value in `extra` leaves that variable out.
 */
export function awsEnv(endpoint: string, extra: Record<string, string | undefined> = {}): Record<string, string> {
  const base: Record<string, string | undefined> = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    ...FAKE_AWS,
    AWS_REGION: TEST_REGION,
    AWS_ENDPOINT_URL: endpoint,
    ...extra,
  };
  return Object.fromEntries(Object.entries(base).filter((e): e is [string, string] => e[1] !== undefined));
}

/** Runs the built CLI (`make build`) as a user would: a process, its output and exit code. */
export function runCli(args: string[], env: Record<string, string>, input?: string): Promise<CliResult> {
  return collect(spawn(process.execPath, [CLI, ...args], { env, stdio: ['pipe', 'pipe', 'pipe'] }), input);
}

/** The built CLI on a pseudo-terminal (util-linux `script`), as a person at a terminal runs it. */
export function runCliOnTerminal(args: string[], env: Record<string, string>): Promise<CliResult> {
  const command = [process.execPath, CLI, ...args].map((a) => `'${a.replaceAll("'", "'\\''")}'`).join(' ');
  return collect(spawn('script', ['-qec', command, '/dev/null'], { env: { ...env, TERM: 'xterm' }, stdio: ['pipe', 'pipe', 'pipe'] }));
}

function collect(child: ReturnType<typeof spawn>, input?: string): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
    child.stdin!.end(input ?? '');
  });
}

/** A CLI process a test signals or kills while it works. */
export interface RunningCli {
  /** What it has written to stderr so far. */
  readonly stderr: string;
  /** Its exit code once it has ended; null when a signal ended it. */
  readonly exited: Promise<number | null>;
  kill(signal: NodeJS.Signals): void;
}

/**
 * Starts the built CLI without waiting for it. Its stdout goes nowhere: none of these tests reads
 * it, and a pipe nobody drains would stall a CLI that prints much.
 */
export function startCli(args: string[], env: Record<string, string>): RunningCli {
  const child = spawn(process.execPath, [CLI, ...args], { env, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const exited = new Promise<number | null>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve(code));
  });
  return {
    get stderr() {
      return stderr;
    },
    exited,
    kill: (signal) => void child.kill(signal),
  };
}
