import { GetJobCommand } from '@aws-sdk/client-glue';
import { GetObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import type { Logger } from '../../../src/core/logger.js';
import { silentProgress, type Progress } from '../../../src/core/progress.js';
import { chooseSparkMemory, describeLocalSpark, jobArguments, runJobLocally, sparkSubmitArgs } from '../../../src/run/local-run.js';
import { checkLocalSpark, chooseLocalPython, type CommandOutput } from '../../../src/run/local-tools.js';
import { mockedStack } from '../support/stack.js';

const ok = (stdout = ''): CommandOutput => ({ code: 0, stdout, stderr: '' });
const missing: CommandOutput = { code: 127, stdout: '', stderr: '' };

/** A stand-in for running commands: answers by program name. */
function tools(answers: Record<string, CommandOutput>) {
  return async (command: string, args: string[]): Promise<CommandOutput> => {
    if (command === 'java') return answers.java ?? missing;
    if (args[0] === '--version') return answers.python ?? missing;
    return answers.pyspark ?? missing;
  };
}

describe('chooseLocalPython', () => {
  const made = (...files: string[]) => (file: string) => files.includes(file);

  it.each([
    ['5.0', '/repo/.venv/bin/python'],
    ['5.1', '/repo/.venv/bin/python'],
    ['6.0', '/repo/.venv-spark4/bin/python'],
  ] as const)('takes for Glue %s the Python `make` installs for it, when it is here', (version, python) => {
    const here = made('/repo/.venv/bin/python', '/repo/.venv-spark4/bin/python');
    expect(chooseLocalPython(undefined, version, '/repo', here)).toBe(python);
  });

  it("falls back to python3 when the version's Python is not here, even if the other one is", () => {
    expect(chooseLocalPython(undefined, '6.0', '/repo', made('/repo/.venv/bin/python'))).toBe('python3');
    expect(chooseLocalPython(undefined, '5.0', '/repo', made('/repo/.venv-spark4/bin/python'))).toBe('python3');
  });

  it('takes --python over any of them: a path made absolute from here, a bare command as it is', () => {
    const here = made('/repo/.venv/bin/python', '/repo/.venv-spark4/bin/python');
    expect(chooseLocalPython('.venv/bin/python', '6.0', '/repo', here)).toBe('/repo/.venv/bin/python');
    expect(chooseLocalPython('python3.13', '6.0', '/repo', here)).toBe('python3.13');
    expect(chooseLocalPython('/opt/py/bin/python', '5.0', '/repo', here)).toBe('/opt/py/bin/python');
  });
});

describe('checkLocalSpark', () => {
  it('finds pyspark and the Hadoop version it ships', async () => {
    const spark = await checkLocalSpark('/venv/bin/python', '5.0', tools({ python: ok('Python 3.11.7'), pyspark: ok('3.5.4 3.3.4\n'), java: ok() }));
    expect(spark).toEqual({ python: '/venv/bin/python', pysparkVersion: '3.5.4', hadoopVersion: '3.3.4' });
  });

  it.each([
    ['5.0', '3.5.4'],
    ['5.1', '3.5.4'],
    ['6.0', '4.1.1'],
  ] as const)('takes for Glue %s a pyspark of its Spark line (%s)', async (version, pyspark) => {
    const spark = await checkLocalSpark('py', version, tools({ python: ok(), pyspark: ok(`${pyspark} 3.4.2`), java: ok() }));
    expect(spark.pysparkVersion).toBe(pyspark);
  });

  it.each([
    ['6.0', '3.5.4', /^pyspark 3\.5\.4 at py is not the Spark of Glue 6\.0 \(4\.1\.1\): pass --python with pyspark 4\.1 \(`make` makes \.venv-spark4\/bin\/python\), or install it with "py -m pip install pyspark==4\.1\.1"$/],
    ['5.0', '4.1.1', /^pyspark 4\.1\.1 at py is not the Spark of Glue 5\.0 \(3\.5\.4\): pass --python with pyspark 3\.5 \(`make` makes \.venv\/bin\/python\)/],
    ['5.1', '4.0.0', /not the Spark of Glue 5\.1 \(3\.5\.6\).*pyspark==3\.5\.6"$/],
  ] as const)('refuses for Glue %s a pyspark %s of the other line, in one line naming both', async (version, pyspark, message) => {
    const run = tools({ python: ok(), pyspark: ok(`${pyspark} 3.4.2`), java: ok() });
    await expect(checkLocalSpark('py', version, run)).rejects.toMatchObject({ fault: 'user', message: expect.stringMatching(message) });
  });

  it.each([
    [{}, /Python not found at "py".*--python/],
    [{ python: ok() }, /pyspark is not installed .*pip install pyspark==3\.5\.4"$/],
    [{ python: ok(), pyspark: ok('3.5.4 3.3.4') }, /Java not found: install a Java 17 runtime/],
  ])('says exactly what to install when something is missing (%#)', async (answers, message) => {
    await expect(checkLocalSpark('py', '5.0', tools(answers))).rejects.toMatchObject({ fault: 'user', message: expect.stringMatching(message) });
  });

  it('names the pyspark and Python of Glue 6.0 when they are missing', async () => {
    await expect(checkLocalSpark('py', '6.0', tools({}))).rejects.toThrow(/install Python 3\.13/);
    await expect(checkLocalSpark('py', '6.0', tools({ python: ok() }))).rejects.toThrow(/pip install pyspark==4\.1\.1"$/);
  });
});

describe('sparkSubmitArgs', () => {
  it('points s3a at a plain-HTTP emulator with path-style addressing and no TLS', () => {
    const { ctx } = mockedStack({ raw: { endpointUrl: 'http://127.0.0.1:5000' } });
    const args = sparkSubmitArgs(ctx, '3.3.4').join(' ');
    expect(args).toContain('--packages org.apache.hadoop:hadoop-aws:3.3.4');
    expect(args).toContain('spark.hadoop.fs.s3a.endpoint=http://127.0.0.1:5000');
    expect(args).toContain('spark.hadoop.fs.s3a.path.style.access=true');
    expect(args).toContain('spark.hadoop.fs.s3a.connection.ssl.enabled=false');
    expect(args).toContain('spark.ui.showConsoleProgress=true');
    expect(args.endsWith('pyspark-shell')).toBe(true);
  });

  it('on AWS sets only the region, and never puts credentials on the command line', () => {
    const { ctx } = mockedStack();
    const args = sparkSubmitArgs(ctx, '3.3.4').join(' ');
    expect(args).toContain('spark.hadoop.fs.s3a.endpoint.region=eu-west-1');
    expect(args).not.toContain('fs.s3a.endpoint=');
    expect(args).not.toMatch(/secret|access\.key/i);
  });
});

describe('chooseSparkMemory', () => {
  const GIB = 1024 ** 3;

  it.each([
    [24 * GIB, '14g'],
    [16 * GIB, '9g'],
    [8 * GIB, '4g'],
    [3.4 * GIB, '2g'],
    [2 * GIB, '1g'],
    [1 * GIB, '1g'],
    [512 * 1024 ** 2, '1g'],
    [256 * GIB, '153g'],
  ])('gives Spark 60%% of %j bytes under auto, in whole GiB rounded down, at least 1g: %s', (total, size) => {
    expect(chooseSparkMemory(undefined, total)).toEqual({ size, from: 'auto', totalBytes: total });
  });

  it('takes --spark-memory as given, whatever the machine has', () => {
    expect(chooseSparkMemory('4g', 24 * GIB)).toEqual({ size: '4g', from: 'setting', totalBytes: 24 * GIB });
    expect(chooseSparkMemory('1536m', 1 * GIB).size).toBe('1536m');
  });

  it('says what Spark gets and why, in one line', () => {
    expect(describeLocalSpark(2, chooseSparkMemory(undefined, 24 * GIB))).toBe(
      'local Spark: all 2 cores, 14g of memory (auto: 60% of 24 GiB; set --spark-memory to change)',
    );
    expect(describeLocalSpark(8, chooseSparkMemory('4g', 24 * GIB))).toBe('local Spark: all 8 cores, 4g of memory (--spark-memory)');
    expect(describeLocalSpark(1, chooseSparkMemory(undefined, 3.5 * GIB))).toBe(
      'local Spark: 1 core, 2g of memory (auto: 60% of 3.5 GiB; set --spark-memory to change)',
    );
  });
});

describe('sparkSubmitArgs driver memory', () => {
  const value = (args: string[], flag: string) => (args.includes(flag) ? args[args.indexOf(flag) + 1] : undefined);

  it('passes the size chosen as --driver-memory, before pyspark-shell', () => {
    const { ctx } = mockedStack();
    const args = sparkSubmitArgs(ctx, '3.3.4', '14g');
    expect(value(args, '--driver-memory')).toBe('14g');
    expect(args.indexOf('--driver-memory')).toBeLessThan(args.indexOf('pyspark-shell'));
    expect(args.at(-1)).toBe('pyspark-shell');
  });

  it('takes --spark-memory from the settings, and otherwise sizes it to this machine', () => {
    expect(value(sparkSubmitArgs(mockedStack({ raw: { sparkMemory: '3g' } }).ctx, '3.3.4'), '--driver-memory')).toBe('3g');
    expect(value(sparkSubmitArgs(mockedStack().ctx, '3.3.4'), '--driver-memory')).toMatch(/^[1-9]\d*g$/);
  });
});

describe('jobArguments', () => {
  it('reads raw/ and writes processed/ of the stack bucket through s3a', () => {
    const { ctx } = mockedStack();
    const args = jobArguments(ctx);
    const value = (flag: string) => args[args.indexOf(flag) + 1];
    expect(value('--flights_path')).toBe(`s3a://${ctx.names.bucket}/raw/flights/`);
    expect(value('--airports_path')).toBe(`s3a://${ctx.names.bucket}/raw/airports/`);
    expect(value('--output_path')).toBe(`s3a://${ctx.names.bucket}/processed/`);
    // The job writes its drift alert above --drift-threshold, as on Glue.
    expect(value('--drift_threshold')).toBe('0.2');
    expect(args).not.toContain('--contract_sha256');
  });

  it("hands over the data contract's checksum the Glue job was given, for the run manifest", () => {
    const { ctx } = mockedStack();
    const args = jobArguments(ctx, 'ab'.repeat(32));
    expect(args[args.indexOf('--contract_sha256') + 1]).toBe('ab'.repeat(32));
  });
});

describe('runJobLocally progress', () => {
  // Stands in for the job: writes Spark's progress bar and a log line on stderr, its report on stdout.
  const JOB = [
    'import sys, time',
    'sys.stderr.write("\\r[Stage 0:===>                  (13 + 3) / 16]\\r")',
    'sys.stderr.flush()',
    'time.sleep(0.2)',
    'sys.stderr.write("\\r" + " " * 80 + "\\r")',
    'sys.stderr.write("WARN a log line\\n")',
    'print(\'RUN_REPORT {"rows": 1}\')',
  ].join('\n');

  function recorded() {
    const statuses: string[] = [];
    const debug: string[] = [];
    const progress: Progress = { ...silentProgress, status: (text) => void statuses.push(text) };
    const logger = { error() {}, warn() {}, info() {}, debug: (message: string) => void debug.push(message) } as unknown as Logger;
    return { statuses, debug, progress, logger };
  }

  it("shows Spark's stage and task counts as the progress line, and keeps the bar out of the log", async () => {
    const t = mockedStack();
    t.s3.on(ListObjectsV2Command).resolves({ Contents: [{ Key: 'scripts/job.py' }] });
    t.s3.on(GetObjectCommand).resolves({ Body: { transformToString: async () => JOB } } as never);
    const { statuses, debug, progress, logger } = recorded();
    const report = await runJobLocally({ ...t.ctx, progress, logger }, { python: 'python3', pysparkVersion: '3.5.4', hadoopVersion: '3.3.4' });
    expect(report).toEqual({ rows: 1 });
    expect(statuses).toContainEqual(expect.stringMatching(/^local Spark job \d+s · stage 0: 13\/16 tasks \(3 running\)$/));
    expect(statuses).toContainEqual(expect.stringMatching(/^local Spark job \d+s · 1 stage done$/));
    expect(debug).toEqual(['spark: WARN a log line']);
  });

  it("runs the job with the data contract's checksum the Glue job holds, and without one when the job has none", async () => {
    const t = mockedStack();
    const job = ['import json, sys', 'print("RUN_REPORT " + json.dumps({"argv": sys.argv[1:]}))'].join('\n');
    t.s3.on(ListObjectsV2Command).resolves({ Contents: [{ Key: 'scripts/job.py' }] });
    t.s3.on(GetObjectCommand).resolves({ Body: { transformToString: async () => job } } as never);
    const spark = { python: 'python3', pysparkVersion: '3.5.4', hadoopVersion: '3.3.4' };
    const { logger } = recorded();
    t.glue
      .on(GetJobCommand)
      .resolvesOnce({ Job: { Name: t.ctx.names.job, Role: 'r', Command: {}, DefaultArguments: { '--contract_sha256': 'cd'.repeat(32) } } })
      .resolves({ Job: { Name: t.ctx.names.job, Role: 'r', Command: {}, DefaultArguments: {} } });
    const withContract = (await runJobLocally({ ...t.ctx, logger }, spark)) as { argv: string[] };
    expect(withContract.argv.slice(0, 2)).toEqual(['--contract_sha256', 'cd'.repeat(32)]);
    expect(t.glue.commandCalls(GetJobCommand)[0]?.args[0].input).toEqual({ JobName: t.ctx.names.job });
    const without = (await runJobLocally({ ...t.ctx, logger }, spark)) as { argv: string[] };
    expect(without.argv).not.toContain('--contract_sha256');
  });

  it('says how many cores and how much memory Spark gets before it starts, and hands the size to spark-submit', async () => {
    const t = mockedStack({ raw: { sparkMemory: '2g' } });
    const job = ['import json, os', 'print("RUN_REPORT " + json.dumps({"args": os.environ["PYSPARK_SUBMIT_ARGS"]}))'].join('\n');
    t.s3.on(ListObjectsV2Command).resolves({ Contents: [{ Key: 'scripts/job.py' }] });
    t.s3.on(GetObjectCommand).resolves({ Body: { transformToString: async () => job } } as never);
    const info: string[] = [];
    const logger = { error() {}, warn() {}, info: (message: string) => void info.push(message), debug() {} } as unknown as Logger;
    const report = (await runJobLocally({ ...t.ctx, logger }, { python: 'python3', pysparkVersion: '3.5.4', hadoopVersion: '3.3.4' })) as { args: string };
    expect(report.args).toContain('--driver-memory 2g ');
    expect(info.slice(0, 2)).toEqual([
      'running job.py on local Spark 3.5.4 (hadoop-aws 3.3.4) with python3',
      expect.stringMatching(/^local Spark: (1 core|all \d+ cores), 2g of memory \(--spark-memory\)$/),
    ]);
  });
});
