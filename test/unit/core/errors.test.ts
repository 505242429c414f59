import { describe, expect, it } from 'vitest';
import { InterruptedError, ProvisionerError, StepError, UsageError, describeCause } from '../../../src/core/errors.js';
import { glueNotFound } from '../support/errors.js';

describe('exit codes', () => {
  it('is 2 for the user, 1 for AWS or the tool, 130 when interrupted', () => {
    expect(new UsageError('x').exitCode).toBe(2);
    expect(new ProvisionerError('x', 'user').exitCode).toBe(2);
    expect(new ProvisionerError('x').exitCode).toBe(1);
    expect(new InterruptedError().exitCode).toBe(130);
  });

  it('gives a failed step the fault of its cause', () => {
    expect(new StepError('create', 'bucket b', new UsageError('bad')).exitCode).toBe(2);
    expect(new StepError('create', 'bucket b', glueNotFound()).exitCode).toBe(1);
    expect(new StepError('create', 'bucket b', new InterruptedError()).exitCode).toBe(130);
  });
});

describe('describeCause', () => {
  it('shows the SDK error name and the first line of its message', () => {
    expect(describeCause(glueNotFound('Database x not found.\n  at somewhere'))).toBe('EntityNotFoundException: Database x not found.');
  });

  it('shows our own errors as their message only, and anything else as text', () => {
    expect(describeCause(new UsageError('invalid --name "X"'))).toBe('invalid --name "X"');
    expect(describeCause(new Error(''))).toBe('(no message)');
    expect(describeCause('plain')).toBe('plain');
  });
});
