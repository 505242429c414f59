import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { GetObjectCommand, paginateListObjectsV2 } from '@aws-sdk/client-s3';
import type { StackContext } from '../stack/context.js';
import { InterruptedError, ProvisionerError } from '../errors.js';
import { JOB_ENTRY_SCRIPT } from '../transfer/local-files.js';
import { PREFIX } from '../stack/names.js';
import { usesTls } from '../resources/bucket.js';
import type { LocalSpark } from './local-tools.js';
import { SegmentSplitter, SparkProgress } from './spark-progress.js';

/** The job prints its run report on one stdout line with this prefix. */
export const REPORT_PREFIX = 'RUN_REPORT ';

/**
 * Runs the job Glue would run, on this machine's Spark: the scripts come from the bucket, the
 * raw data is read from raw/ and the output written to processed/ through s3a://.
 */
export async function runJobLocally(ctx: StackContext, spark: LocalSpark): Promise<unknown> {
  const workDir = await mkdtemp(path.join(tmpdir(), 'provisioner-local-run-'));
  try {
    const scripts = await downloadScripts(ctx, workDir);
    if (!scripts.includes(JOB_ENTRY_SCRIPT)) {
      throw new ProvisionerError(`s3://${ctx.names.bucket}/${PREFIX.scripts}${JOB_ENTRY_SCRIPT} is missing: run \`provisioner up\` first`, 'user');
    }
    ctx.logger.info(`running ${JOB_ENTRY_SCRIPT} on local Spark ${spark.pysparkVersion} (hadoop-aws ${spark.hadoopVersion})`);
    const stdout = await runSpark(ctx, spark, workDir);
    const line = stdout.split('\n').find((l) => l.startsWith(REPORT_PREFIX));
    if (!line) throw new ProvisionerError('the job finished without printing its run report');
    return JSON.parse(line.slice(REPORT_PREFIX.length));
  } finally {
    await rm(workDir, { recursive: true, force: true });
  }
}

async function downloadScripts(ctx: StackContext, dir: string): Promise<string[]> {
  const { s3 } = ctx.aws;
  const names: string[] = [];
  for await (const page of paginateListObjectsV2({ client: s3 }, { Bucket: ctx.names.bucket, Prefix: PREFIX.scripts })) {
    for (const object of page.Contents ?? []) {
      const name = object.Key?.slice(PREFIX.scripts.length);
      // Only top-level modules: that is what Glue gets through --extra-py-files.
      if (!name || name.includes('/') || !name.endsWith('.py')) continue;
      const body = await s3.send(new GetObjectCommand({ Bucket: ctx.names.bucket, Key: object.Key }));
      await writeFile(path.join(dir, name), await body.Body!.transformToString());
      names.push(name);
    }
  }
  return names;
}

/** Spark settings that point s3a at the stack's endpoint and credentials. */
export function sparkSubmitArgs(ctx: Pick<StackContext, 'settings' | 'aws'>, hadoopVersion: string): string[] {
  const conf: Record<string, string> = {
    'spark.hadoop.fs.s3a.aws.credentials.provider': 'com.amazonaws.auth.EnvironmentVariableCredentialsProvider',
    'spark.hadoop.fs.s3a.endpoint.region': ctx.aws.region,
    'spark.sql.session.timeZone': 'UTC',
    // Stage and task counts on stderr, which runSpark turns into its progress line.
    'spark.ui.showConsoleProgress': 'true',
  };
  const endpoint = ctx.settings.endpointUrl;
  if (endpoint) {
    conf['spark.hadoop.fs.s3a.endpoint'] = endpoint;
    conf['spark.hadoop.fs.s3a.path.style.access'] = 'true';
    conf['spark.hadoop.fs.s3a.connection.ssl.enabled'] = String(usesTls(endpoint));
  }
  return [
    '--master',
    'local[*]',
    '--packages',
    `org.apache.hadoop:hadoop-aws:${hadoopVersion}`,
    ...Object.entries(conf).flatMap(([key, value]) => ['--conf', `${key}=${value}`]),
    'pyspark-shell',
  ];
}

export function jobArguments(ctx: Pick<StackContext, 'names'>): string[] {
  const base = `s3a://${ctx.names.bucket}/`;
  return [
    '--JOB_NAME',
    ctx.names.job,
    '--flights_path',
    `${base}${PREFIX.raw}flights/`,
    '--airports_path',
    `${base}${PREFIX.raw}airports/`,
    '--output_path',
    `${base}${PREFIX.processed}`,
  ];
}

async function runSpark(ctx: StackContext, spark: LocalSpark, workDir: string): Promise<string> {
  // Hand the credentials the SDK resolved (profile, SSO, role) to Spark as plain variables.
  const credentials = await ctx.aws.s3.config.credentials();
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    AWS_ACCESS_KEY_ID: credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
    ...(credentials.sessionToken ? { AWS_SESSION_TOKEN: credentials.sessionToken } : {}),
    AWS_REGION: ctx.aws.region,
    PYSPARK_SUBMIT_ARGS: sparkSubmitArgs(ctx, spark.hadoopVersion).join(' '),
    PYTHONPATH: [workDir, process.env.PYTHONPATH].filter(Boolean).join(path.delimiter),
    PYSPARK_PYTHON: spark.python,
  };
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(spark.python, [path.join(workDir, JOB_ENTRY_SCRIPT), ...jobArguments(ctx)], {
      cwd: workDir,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderrTail = '';
    // On a terminal, one line that Spark's progress bar keeps current; elsewhere progress is silent.
    const sparkProgress = new SparkProgress();
    const draw = (): void => ctx.progress.status(sparkProgress.render((Date.now() - started) / 1000));
    const ticker = setInterval(draw, 1000);
    const stderr = new SegmentSplitter();
    const onSegments = (segments: string[]): void => {
      let changed = false;
      for (const segment of segments) {
        if (sparkProgress.update(segment)) {
          changed = true;
        } else if (segment.trim()) {
          stderrTail = `${stderrTail}${segment}\n`.slice(-4000);
          ctx.logger.debug(`spark: ${segment}`);
        }
      }
      if (changed) draw();
    };
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => onSegments(stderr.push(c.toString())));
    const stop = (): void => void child.kill('SIGTERM');
    ctx.signal.addEventListener('abort', stop, { once: true });
    child.on('error', (error) => reject(new ProvisionerError(`cannot start ${spark.python}: ${error.message}`, 'user')));
    child.on('close', (code) => {
      onSegments(stderr.flush());
      clearInterval(ticker);
      ctx.progress.clear();
      ctx.signal.removeEventListener('abort', stop);
      if (ctx.signal.aborted) return reject(new InterruptedError('interrupted: the local job was stopped'));
      if (code === 0) return resolve(stdout);
      const lastError = stderrTail.split('\n').filter((l) => /Error|Exception/.test(l)).slice(-1)[0]?.trim();
      reject(new ProvisionerError(`the local job failed with exit code ${code}${lastError ? `: ${lastError}` : ''} (see --log-level debug for Spark's output)`));
    });
  });
}
