import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Outcome } from '../../../src/commands/command.js';
import { cycle, type CycleOptions, type StepName } from '../../../src/commands/cycle.js';
import { resolveSettings } from '../../../src/config/settings.js';
import { UsageError } from '../../../src/core/errors.js';
import { silentLogger } from '../../../src/core/logger.js';
import { silentProgress } from '../../../src/core/progress.js';

let work: string;

beforeEach(async () => {
  work = await mkdtemp(path.join(tmpdir(), 'cycle-command-'));
});
afterEach(async () => {
  await rm(work, { recursive: true, force: true });
});

const options = (overrides: Partial<CycleOptions> = {}): CycleOptions => ({
  to: path.join(work, 'out'),
  only: undefined,
  force: false,
  local: false,
  python: 'python3',
  timeoutMinutes: 1,
  pollSeconds: 1,
  yes: true,
  teardownOnFailure: false,
  ...overrides,
});

/** A stack whose raw data folder does not exist: `up` refuses it before any AWS call. */
function env() {
  return {
    settings: resolveSettings({ region: 'eu-west-1', dataDir: path.join(work, 'no-such-folder') }, {}, work),
    runtime: { logger: silentLogger(), progress: silentProgress, signal: new AbortController().signal },
  };
}

describe('cycle, as a result', () => {
  it('stops at a step that fails, with the step, its exit code and its error in the result', async () => {
    const heard: [StepName, Outcome<unknown>][] = [];
    const outcome = await cycle(env(), options(), (step, stepOutcome) => heard.push([step, stepOutcome]));
    expect(outcome.exitCode).toBe(2);
    expect(outcome.result).toMatchObject({ stack: 'flight-delays', completed: false });
    expect(outcome.result?.steps).toHaveLength(1);
    expect(outcome.result?.steps[0]).toMatchObject({ step: 'up', exitCode: 2, error: expect.stringContaining('no-such-folder') });
    // A step that threw has no outcome of its own to show.
    expect(heard).toEqual([]);
  });

  it('refuses to begin without --yes when nobody can confirm the teardown at its end', async () => {
    await expect(cycle(env(), options({ yes: false }))).rejects.toBeInstanceOf(UsageError);
  });

  it('refuses a bad --only before any step runs', async () => {
    const heard: StepName[] = [];
    await expect(cycle(env(), options({ only: 'no-such-part' }), (step) => heard.push(step))).rejects.toBeInstanceOf(UsageError);
    expect(heard).toEqual([]);
  });
});
