import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';

/** A moto server on a free loopback port, started for one test file and stopped after it. */
export interface MotoServer {
  readonly url: string;
  reset(): Promise<void>;
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/**
 * The start-up patches of scripts/moto_patches.py, each where moto lacks what AWS documents: named,
 * asked for by the test files that need them, and listed in the README (what the emulator proves).
 */
export type MotoPatch = 's3-eventbridge-readback' | 'athena-workgroups';

const launcher = fileURLToPath(new URL('../../../scripts/moto_launcher.py', import.meta.url));
const venvPython = fileURLToPath(new URL('../../../.venv/bin/python', import.meta.url));

/**
 * Starts moto through scripts/moto_launcher.py, the launcher the demo, the image test and the
 * benchmark use too: it picks the port, waits until moto answers, prints the URL and stays the
 * parent of moto. Stopping the launcher stops moto; so does this process dying (--watch-stdin).
 */
export async function startMoto(patches: readonly MotoPatch[] = []): Promise<MotoServer> {
  const child = spawn(existsSync(venvPython) ? venvPython : 'python3', [launcher, '--watch-stdin', ...patches.flatMap((name) => ['--patch', name])], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  const exited = new Promise<void>((resolve) => child.once('close', () => resolve()));
  const running = () => child.exitCode === null && child.signalCode === null;

  // The launcher bounds its own wait (30 s) and exits with moto's log tail on stderr if moto fails.
  const url = await new Promise<string>((resolve, reject) => {
    let stdout = '';
    const onData = (chunk: Buffer) => {
      stdout += chunk.toString();
      const newline = stdout.indexOf('\n');
      if (newline >= 0) {
        child.stdout.off('data', onData);
        resolve(stdout.slice(0, newline).trim());
      }
    };
    child.stdout.on('data', onData);
    child.once('error', reject);
    void exited.then(() => reject(new Error(`moto did not start:\n${stderr.trim()}`)));
  });

  return {
    url,
    async reset() {
      await fetch(`${url}/moto-api/reset`, { method: 'POST' });
    },
    async stop() {
      if (running()) {
        // The launcher sends moto SIGTERM, then SIGKILL after 5 s; this is the backstop for the launcher.
        child.kill('SIGTERM');
        await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
        if (running()) child.kill('SIGKILL');
      }
      await exited;
    },
  };
}
