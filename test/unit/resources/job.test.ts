import {
  CreateJobCommand,
  DeleteJobCommand,
  GetJobCommand,
  GetTagsCommand,
  TagResourceCommand,
  UpdateJobCommand,
  type Job,
} from '@aws-sdk/client-glue';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { AUTO_WORKERS, BYTES_PER_WORKER, chooseWorkers, jobCreateDetails, jobDrift, jobResource, jobSpec, rawDataBytes } from '../../../src/resources/job.js';
import { applyStep, planStep } from '../../../src/stack/plan.js';
import { glueInvalidInput, glueNotFound, rolePropagating } from '../support/errors.js';
import { driftLabels, glueResourceArn, mockedStack, ownershipIn, sentCommands, updateStep, type MockedStack } from '../support/stack.js';

const TAGS = { ManagedBy: 'glue-provisioner', Stack: 'flight-delays' };
const MODULES = ['scripts/features.py', 'scripts/options.py'];

let t: MockedStack;
beforeEach(() => {
  t = mockedStack({ raw: { bucket: 'data-bucket' } });
  t.glue.on(GetTagsCommand).resolves({ Tags: TAGS });
});
afterEach(() => {
  vi.useRealTimers();
});

const EXPECTED_ARGUMENTS = {
  '--job-language': 'python',
  '--job-bookmark-option': 'job-bookmark-enable',
  '--enable-metrics': 'true',
  '--enable-continuous-cloudwatch-log': 'true',
  '--enable-spark-ui': 'true',
  '--spark-event-logs-path': 's3://data-bucket/spark-logs/',
  '--TempDir': 's3://data-bucket/tmp/',
  '--database': 'flight_delays',
  '--flights_table': 'flights',
  '--airports_table': 'airports',
  '--output_path': 's3://data-bucket/processed/',
  '--drift_threshold': '0.2',
  '--extra-py-files': 's3://data-bucket/scripts/features.py,s3://data-bucket/scripts/options.py',
};

/** The job as GetJob returns it after CreateJob with the default settings. */
function asGlueReturnsIt(): Job {
  return {
    Name: 'flight-delays-features',
    Description: 'Builds the flight-delay feature table of stack flight-delays',
    Role: 'arn:aws:iam::123456789012:role/flight-delays-glue-role',
    CreatedOn: new Date('2025-01-01T00:00:00Z'),
    LastModifiedOn: new Date('2025-01-01T00:00:00Z'),
    ExecutionProperty: { MaxConcurrentRuns: 1 },
    Command: { Name: 'glueetl', ScriptLocation: 's3://data-bucket/scripts/job.py', PythonVersion: '3' },
    DefaultArguments: { ...EXPECTED_ARGUMENTS },
    MaxRetries: 0,
    AllocatedCapacity: 2,
    Timeout: 120,
    MaxCapacity: 2,
    WorkerType: 'G.1X',
    NumberOfWorkers: 2,
    GlueVersion: '5.0',
    ExecutionClass: 'STANDARD',
  };
}

describe('chooseWorkers', () => {
  const MIB = 1024 * 1024;

  it.each([
    [0, 2],
    [1, 2],
    [BYTES_PER_WORKER, 2],
    [BYTES_PER_WORKER + 1, 3],
    [700 * MIB, 4],
    [2 * BYTES_PER_WORKER, 3],
    [2 * BYTES_PER_WORKER + 1, 4],
    [19 * BYTES_PER_WORKER, 20],
    [19 * BYTES_PER_WORKER + 1, 20],
    [100 * 1024 * MIB, 20],
  ])('under auto gives %j bytes of raw data %j workers: the driver and one per started 256 MiB, from 2 to 20', (bytes, count) => {
    expect(chooseWorkers(undefined, bytes)).toEqual({ count, from: 'auto', rawBytes: bytes });
  });

  it('counts 256 MiB a worker and keeps within 2 to 20', () => {
    expect(BYTES_PER_WORKER).toBe(256 * MIB);
    expect(AUTO_WORKERS).toEqual({ min: 2, max: 20 });
  });

  it.each([2, 3, 21, 299])('lets --workers %j win over any amount of data', (workers) => {
    for (const bytes of [0, 700 * MIB, 100 * 1024 * MIB]) expect(chooseWorkers(workers, bytes)).toEqual({ count: workers, from: 'setting', rawBytes: bytes });
  });

  it('adds up the sizes of the files up sends to raw/', () => {
    const files = [
      { path: '/d/a', key: 'raw/a', size: BYTES_PER_WORKER },
      { path: '/d/b', key: 'raw/b', size: 1 },
    ];
    expect(rawDataBytes(files)).toBe(BYTES_PER_WORKER + 1);
    expect(rawDataBytes([])).toBe(0);
  });
});

describe('jobSpec', () => {
  it('is a Glue 5.0 Python 3 Spark job on 2 G.1X workers with a timeout, bookmarks, metrics and the Spark UI', () => {
    expect(jobSpec(t.ctx, MODULES)).toEqual({
      Description: 'Builds the flight-delay feature table of stack flight-delays',
      Role: 'arn:aws:iam::123456789012:role/flight-delays-glue-role',
      Command: { Name: 'glueetl', ScriptLocation: 's3://data-bucket/scripts/job.py', PythonVersion: '3' },
      DefaultArguments: EXPECTED_ARGUMENTS,
      GlueVersion: '5.0',
      WorkerType: 'G.1X',
      NumberOfWorkers: 2,
      Timeout: 120,
      MaxRetries: 0,
      ExecutionProperty: { MaxConcurrentRuns: 1 },
      ExecutionClass: 'STANDARD',
      JobRunQueuingEnabled: false,
    });
  });

  it('takes worker type, worker count and timeout from the settings', () => {
    const s = mockedStack({ raw: { workerType: 'G.2X', workers: 10, jobTimeout: 45 } });
    expect(jobSpec(s.ctx, [])).toMatchObject({ WorkerType: 'G.2X', NumberOfWorkers: 10, Timeout: 45 });
  });

  it('gives the job the worker count chosen for the data, and the one for no data without it', () => {
    expect(jobSpec(t.ctx, [], 7).NumberOfWorkers).toBe(7);
    expect(jobResource(t.ctx, MODULES, 7).createDetails?.()).toContain('7 x G.1X');
    expect(jobSpec(mockedStack({ raw: { workers: 'auto' } }).ctx, []).NumberOfWorkers).toBe(2);
  });

  it("passes the data contract's checksum as an argument, a drift of its own when it changes, and none without a contract", () => {
    const sha = 'ab'.repeat(32);
    const withContract = jobSpec(t.ctx, MODULES, 2, 120, sha);
    expect(withContract.DefaultArguments).toEqual({ ...EXPECTED_ARGUMENTS, '--contract_sha256': sha });
    expect(jobSpec(t.ctx, MODULES).DefaultArguments).not.toHaveProperty('--contract_sha256');
    const found = { ...asGlueReturnsIt(), DefaultArguments: withContract.DefaultArguments };
    expect(jobDrift(withContract, found)).toEqual([]);
    expect(jobDrift(jobSpec(t.ctx, MODULES, 2, 120, 'cd'.repeat(32)), found)).toEqual(['contract']);
    expect(jobDrift(jobSpec(t.ctx, MODULES), found)).toEqual(['contract']);
    expect(jobResource(t.ctx, MODULES).label('contract')).toBe('data contract checksum');
  });

  it('compares the job found with the count chosen: the same count is no drift, another one is', () => {
    const found = { ...asGlueReturnsIt(), NumberOfWorkers: 4 };
    expect(jobDrift(jobSpec(t.ctx, MODULES, 4), found)).toEqual([]);
    expect(jobDrift(jobSpec(t.ctx, MODULES, 5), found)).toEqual(['workers']);
  });

  it('takes the Glue version, execution class, extra Python packages and run queuing from the settings', () => {
    const s = mockedStack({
      raw: { bucket: 'data-bucket', glueVersion: '5.1', executionClass: 'FLEX', pythonModules: 'pyarrow==17.0.0, rapidfuzz>=3', jobRunQueuing: true },
    });
    const spec = jobSpec(s.ctx, MODULES);
    expect(spec).toMatchObject({ GlueVersion: '5.1', ExecutionClass: 'FLEX', JobRunQueuingEnabled: true });
    expect(spec.DefaultArguments).toEqual({ ...EXPECTED_ARGUMENTS, '--additional-python-modules': 'pyarrow==17.0.0,rapidfuzz>=3' });
    expect(jobCreateDetails(spec)).toEqual([
      'Glue 5.1',
      '2 x G.1X',
      'FLEX',
      'timeout 120 min',
      'Python modules pyarrow==17.0.0,rapidfuzz>=3',
      'job run queuing',
    ]);
  });

  it('passes no --additional-python-modules without extra packages, and a plan shows the defaults', () => {
    const spec = jobSpec(t.ctx, MODULES);
    expect(spec.DefaultArguments).not.toHaveProperty('--additional-python-modules');
    expect(jobResource(t.ctx, MODULES).createDetails?.()).toEqual(['Glue 5.0', '2 x G.1X', 'STANDARD', 'timeout 120 min']);
  });

  it('passes no --extra-py-files when there are no modules', () => {
    expect(jobSpec(t.ctx, []).DefaultArguments).not.toHaveProperty('--extra-py-files');
  });
});

describe('jobDrift', () => {
  const spec = () => jobSpec(t.ctx, MODULES);

  it('is empty for the job as Glue returns it', () => {
    expect(jobDrift(spec(), asGlueReturnsIt())).toEqual([]);
  });

  it.each<[string, ReturnType<typeof jobDrift>[number], Partial<Job>]>([
    ['role', 'role', { Role: 'arn:aws:iam::123456789012:role/other' }],
    ['description', 'description', { Description: 'x' }],
    ['command', 'command', { Command: { Name: 'pythonshell', ScriptLocation: 's3://data-bucket/scripts/job.py', PythonVersion: '3' } }],
    ['command', 'command', { Command: { Name: 'glueetl', ScriptLocation: 's3://elsewhere/job.py', PythonVersion: '3' } }],
    ['arguments', 'arguments', { DefaultArguments: { ...EXPECTED_ARGUMENTS, '--job-bookmark-option': 'job-bookmark-disable' } }],
    ['arguments', 'arguments', { DefaultArguments: { ...EXPECTED_ARGUMENTS, '--extra-py-files': 's3://data-bucket/scripts/features.py' } }],
    ['Glue version', 'glueVersion', { GlueVersion: '4.0' }],
    ['worker type', 'workerType', { WorkerType: 'G.2X' }],
    ['workers', 'workers', { NumberOfWorkers: 5 }],
    ['timeout', 'timeout', { Timeout: 2880 }],
    ['retries', 'retries', { MaxRetries: 3 }],
    ['concurrency', 'concurrency', { ExecutionProperty: { MaxConcurrentRuns: 4 } }],
    ['execution class', 'executionClass', { ExecutionClass: 'FLEX' }],
    ['Python modules', 'pythonModules', { DefaultArguments: { ...EXPECTED_ARGUMENTS, '--additional-python-modules': 'pandas==2.2.2' } }],
    ['job run queuing', 'queuing', { JobRunQueuingEnabled: true }],
  ])('reports %s', (what, key, change) => {
    expect(jobDrift(spec(), { ...asGlueReturnsIt(), ...change })).toEqual([key]);
    expect(driftLabels(jobResource(t.ctx, MODULES), { ...asGlueReturnsIt(), ...change })).toEqual([what]);
  });

  it('reads a job without an execution class or queuing flag as STANDARD and not queuing', () => {
    expect(jobDrift(spec(), { ...asGlueReturnsIt(), ExecutionClass: undefined, JobRunQueuingEnabled: undefined })).toEqual([]);
  });

  it('reports new settings asked for against a job made with the defaults', () => {
    const s = mockedStack({
      raw: { bucket: 'data-bucket', glueVersion: '5.1', executionClass: 'FLEX', pythonModules: 'pyarrow==17.0.0', jobRunQueuing: true },
    });
    expect(driftLabels(jobResource(s.ctx, MODULES), asGlueReturnsIt())).toEqual(['Python modules', 'Glue version', 'execution class', 'job run queuing']);
  });
});

describe('jobResource', () => {
  it('finds a missing job as undefined', async () => {
    t.glue.on(GetJobCommand).rejects(glueNotFound());
    await expect(jobResource(t.ctx, MODULES).find()).resolves.toBeUndefined();
    // The tags are read alongside, by the ARN the name gives: one round trip.
    expect(sentCommands(t).sort()).toEqual(['GetJobCommand', 'GetTagsCommand']);
  });

  it('has no drift when the job and its tags are as wanted', async () => {
    t.glue.on(GetJobCommand).resolves({ Job: asGlueReturnsIt() });
    const resource = jobResource(t.ctx, MODULES);
    const found = await resource.find();
    expect(found).toEqual({ state: asGlueReturnsIt(), tags: TAGS });
    expect(resource.drift(found!.state)).toEqual([]);
    expect((await planStep(t.ctx, resource)).change).toMatchObject({ action: 'no-op', details: [] });
    expect(t.glue.commandCalls(GetJobCommand)[0]?.args[0].input).toEqual({ JobName: 'flight-delays-features' });
    expect(t.glue.commandCalls(GetTagsCommand)[0]?.args[0].input).toEqual({ ResourceArn: glueResourceArn(t.ctx, 'job', 'flight-delays-features') });
  });

  it('creates the job from the spec with tags', async () => {
    await jobResource(t.ctx, MODULES).create();
    expect(t.glue.commandCalls(CreateJobCommand)[0]?.args[0].input).toEqual({
      Name: 'flight-delays-features',
      ...jobSpec(t.ctx, MODULES),
      Tags: TAGS,
    });
  });

  it('retries CreateJob while the new role propagates', async () => {
    vi.useFakeTimers();
    t.glue.on(CreateJobCommand).rejectsOnce(rolePropagating()).resolves({ Name: 'flight-delays-features' });
    const created = jobResource(t.ctx, MODULES).create();
    await vi.advanceTimersByTimeAsync(5_000);
    await created;
    expect(t.glue.commandCalls(CreateJobCommand)).toHaveLength(2);
  });

  it('does not retry other invalid input', async () => {
    t.glue.on(CreateJobCommand).rejects(glueInvalidInput('Worker type G.9X is not supported'));
    await expect(jobResource(t.ctx, MODULES).create()).rejects.toThrow('G.9X');
    expect(t.glue.commandCalls(CreateJobCommand)).toHaveLength(1);
  });

  it('on a changed worker count sends UpdateJob with every setting, not just the workers', async () => {
    const s = mockedStack({ raw: { bucket: 'data-bucket', workers: 6 } });
    const resource = jobResource(s.ctx, MODULES);
    const state = asGlueReturnsIt();
    const drift = resource.drift(state);
    expect(drift).toEqual(['workers']);
    expect(driftLabels(resource, state)).toEqual(['workers']);
    await resource.update(state, drift);

    expect(sentCommands(s)).toEqual(['UpdateJobCommand']);
    const input = s.glue.commandCalls(UpdateJobCommand)[0]!.args[0].input;
    expect(input.JobName).toBe('flight-delays-features');
    expect(input.JobUpdate).toEqual({
      Description: 'Builds the flight-delay feature table of stack flight-delays',
      Role: 'arn:aws:iam::123456789012:role/flight-delays-glue-role',
      Command: { Name: 'glueetl', ScriptLocation: 's3://data-bucket/scripts/job.py', PythonVersion: '3' },
      DefaultArguments: EXPECTED_ARGUMENTS,
      GlueVersion: '5.0',
      WorkerType: 'G.1X',
      NumberOfWorkers: 6,
      Timeout: 120,
      MaxRetries: 0,
      ExecutionProperty: { MaxConcurrentRuns: 1 },
      ExecutionClass: 'STANDARD',
      JobRunQueuingEnabled: false,
    });
  });

  it('on a changed execution class and packages sends UpdateJob with them and every other setting', async () => {
    const s = mockedStack({ raw: { bucket: 'data-bucket', executionClass: 'FLEX', workerType: 'G.2X', pythonModules: 'pyarrow==17.0.0' } });
    const resource = jobResource(s.ctx, MODULES);
    const state = asGlueReturnsIt();
    const drift = resource.drift(state);
    expect(drift).toEqual(['pythonModules', 'workerType', 'executionClass']);
    await resource.update(state, drift);
    expect(s.glue.commandCalls(UpdateJobCommand)[0]!.args[0].input.JobUpdate).toMatchObject({
      WorkerType: 'G.2X',
      ExecutionClass: 'FLEX',
      JobRunQueuingEnabled: false,
      DefaultArguments: { ...EXPECTED_ARGUMENTS, '--additional-python-modules': 'pyarrow==17.0.0' },
    });
  });

  it('only tags a job whose tags are missing (applyStep)', async () => {
    const resource = jobResource(t.ctx, MODULES);
    const step = updateStep(t.ctx, resource, { state: asGlueReturnsIt(), tags: { ManagedBy: 'glue-provisioner' } });
    expect(step.keys).toEqual(['tags']);
    await applyStep(t.ctx, step);
    expect(sentCommands(t)).toEqual(['TagResourceCommand']);
    expect(t.glue.commandCalls(TagResourceCommand)[0]?.args[0].input.TagsToAdd).toEqual({ Stack: 'flight-delays' });
  });
});

describe('jobResource ownership and destroy', () => {
  it('is absent, owned or foreign, and deletes by name', async () => {
    const resource = jobResource(t.ctx, MODULES);
    t.glue.on(GetJobCommand).rejects(glueNotFound());
    await expect(ownershipIn(t, resource)).resolves.toBe('absent');
    t.glue.on(GetJobCommand).resolves({ Job: asGlueReturnsIt() });
    await expect(ownershipIn(t, resource)).resolves.toBe('owned');
    t.glue.on(GetTagsCommand).resolves({ Tags: {} });
    await expect(ownershipIn(t, resource)).resolves.toBe('foreign');
    await resource.destroy!();
    expect(t.glue.commandCalls(DeleteJobCommand)[0]?.args[0].input).toEqual({ JobName: 'flight-delays-features' });
  });
});
