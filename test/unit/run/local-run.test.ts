import { describe, expect, it } from 'vitest';
import { jobArguments, sparkSubmitArgs } from '../../../src/run/local-run.js';
import { checkLocalSpark, type CommandOutput } from '../../../src/run/local-tools.js';
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

describe('checkLocalSpark', () => {
  it('finds pyspark and the Hadoop version it ships', async () => {
    const spark = await checkLocalSpark('/venv/bin/python', tools({ python: ok('Python 3.11.7'), pyspark: ok('3.5.4 3.3.4\n'), java: ok() }));
    expect(spark).toEqual({ python: '/venv/bin/python', pysparkVersion: '3.5.4', hadoopVersion: '3.3.4' });
  });

  it.each([
    [{}, /Python not found at "py".*--python/],
    [{ python: ok() }, /pyspark is not installed .*pip install pyspark==3\.5\.4/],
    [{ python: ok(), pyspark: ok('3.5.4 3.3.4') }, /Java not found: install a Java 17 runtime/],
  ])('says exactly what to install when something is missing (%#)', async (answers, message) => {
    await expect(checkLocalSpark('py', tools(answers))).rejects.toMatchObject({ fault: 'user', message: expect.stringMatching(message) });
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

describe('jobArguments', () => {
  it('reads raw/ and writes processed/ of the stack bucket through s3a', () => {
    const { ctx } = mockedStack();
    const args = jobArguments(ctx);
    const value = (flag: string) => args[args.indexOf(flag) + 1];
    expect(value('--flights_path')).toBe(`s3a://${ctx.names.bucket}/raw/flights/`);
    expect(value('--airports_path')).toBe(`s3a://${ctx.names.bucket}/raw/airports/`);
    expect(value('--output_path')).toBe(`s3a://${ctx.names.bucket}/processed/`);
  });
});
