import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { EXIT_COST_CEILING } from '../../../src/core/errors.js';
import { resolveSettings } from '../../../src/config/settings.js';
import { silentLogger } from '../../../src/core/logger.js';
import { silentProgress } from '../../../src/core/progress.js';

// The steps stand in for the commands of the same name: up succeeds, the run is stopped by the ceiling.
const steps = vi.hoisted(() => ({ called: [] as string[] }));
vi.mock('../../../src/commands/up.js', () => ({ up: async () => (steps.called.push('up'), { exitCode: 0, result: {} }) }));
vi.mock('../../../src/commands/run.js', () => ({
  runLocally: async () => ({ exitCode: 0 }),
  runPipelineToEnd: async () => {
    steps.called.push('run');
    return { exitCode: 3, result: { succeeded: false, stoppedByCeiling: true, message: 'job run jr_1 stopped by the cost ceiling of $0.50 (--max-usd) after 34 min' } };
  },
}));
vi.mock('../../../src/commands/export.js', () => ({ exportResults: async () => (steps.called.push('export'), { exitCode: 0 }) }));
vi.mock('../../../src/commands/teardown.js', () => ({ teardown: async () => (steps.called.push('teardown'), { exitCode: 0 }) }));

const { cycle } = await import('../../../src/commands/cycle.js');

let work: string;
beforeEach(async () => {
  work = await mkdtemp(path.join(tmpdir(), 'cycle-ceiling-'));
  steps.called = [];
});
afterEach(async () => {
  await rm(work, { recursive: true, force: true });
});

describe('cycle, when the cost ceiling stops the run', () => {
  it('stops at the run with exit 3, keeps the stack and exports nothing', async () => {
    const env = {
      settings: resolveSettings({ region: 'eu-west-1', maxUsd: '0.5' }, {}, work),
      runtime: { logger: silentLogger(), progress: silentProgress, signal: new AbortController().signal },
    };
    const options = { to: path.join(work, 'out'), only: undefined, force: false, local: false, python: 'python3', timeoutMinutes: 1, pollSeconds: 1, yes: true, teardownOnFailure: false };
    const outcome = await cycle(env, options);
    expect(outcome.exitCode).toBe(EXIT_COST_CEILING);
    expect(steps.called).toEqual(['up', 'run']);
    expect(outcome.result?.steps.map((step) => [step.step, step.exitCode])).toEqual([
      ['up', 0],
      ['run', 3],
    ]);
  });
});
