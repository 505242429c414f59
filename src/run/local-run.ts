import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { availableParallelism, tmpdir, totalmem } from 'node:os';
import path from 'node:path';
import { GetObjectCommand, paginateListObjectsV2 } from '@aws-sdk/client-s3';
import { GetJobCommand } from '@aws-sdk/client-glue';
import { orUndefined } from '../aws/errors.js';
import { CONTRACT_ARGUMENT } from '../resources/job.js';
import type { StackContext } from '../core/context.js';
import { InterruptedError, ProvisionerError } from '../core/errors.js';
import { JOB_ENTRY_SCRIPT } from '../transfer/local-files.js';
import { PREFIX } from '../core/names.js';
import { usesTls } from '../resources/bucket-policy.js';
import type { LocalSpark } from './local-tools.js';
import { SegmentSplitter, SparkProgress } from './spark-progress.js';

/** The job prints its run report on one stdout line with this prefix. */
export const REPORT_PREFIX = 'RUN_REPORT ';

/** The share of the machine's memory `--spark-memory auto` gives Spark. */
export const AUTO_SPARK_MEMORY_SHARE = 0.6;

const GIB = 1024 ** 3;

/** The heap of local Spark's driver, and where the size came from. */
export interface SparkMemoryChoice {
  /** As --driver-memory takes it, e.g. "14g". */
  readonly size: string;
  readonly from: 'setting' | 'auto';
  /** The machine's memory in bytes, which an auto size is a share of. */
  readonly totalBytes: number;
}

/**
 * --spark-memory, or for auto (undefined) 60% of the machine's `totalBytes`, in whole GiB rounded
 * down, at least 1 GiB. In local mode the driver's JVM runs every task, so its heap is what the
 * job's shuffles and caches live in; Spark's default of 1g spills a large quarter to disk. The
 * rest is left to Python workers, the JVM's own off-heap memory and the system.
 */
export function chooseSparkMemory(setting: string | undefined, totalBytes: number): SparkMemoryChoice {
  if (setting !== undefined) return { size: setting, from: 'setting', totalBytes };
  const gib = Math.max(1, Math.floor((totalBytes * AUTO_SPARK_MEMORY_SHARE) / GIB));
  return { size: `${gib}g`, from: 'auto', totalBytes };
}

/** "local Spark: all 2 cores, 14g of memory (auto: 60% of 24 GiB; set --spark-memory to change)". */
export function describeLocalSpark(cores: number, memory: SparkMemoryChoice): string {
  const gib = memory.totalBytes / GIB;
  const total = Number.isInteger(gib) || gib >= 10 ? String(Math.round(gib)) : gib.toFixed(1);
  const why =
    memory.from === 'setting'
      ? '--spark-memory'
      : `auto: ${Math.round(AUTO_SPARK_MEMORY_SHARE * 100)}% of ${total} GiB; set --spark-memory to change`;
  return `local Spark: ${cores === 1 ? '1 core' : `all ${cores} cores`}, ${memory.size} of memory (${why})`;
}

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
    const memory = chooseSparkMemory(ctx.settings.sparkMemory, totalmem());
    ctx.logger.info(`running ${JOB_ENTRY_SCRIPT} on local Spark ${spark.pysparkVersion} (hadoop-aws ${spark.hadoopVersion}) with ${spark.python}`);
    // local[*]: Spark runs as many tasks at once as the JVM sees processors.
    ctx.logger.info(describeLocalSpark(availableParallelism(), memory));
    const stdout = await runSpark(ctx, spark, workDir, memory.size, await contractOfJob(ctx));
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

/**
 * Spark settings that point s3a at the stack's endpoint and credentials, and size the driver's heap
 * (`driverMemory`, by default as chooseSparkMemory sizes it for this machine).
 */
export function sparkSubmitArgs(
  ctx: Pick<StackContext, 'settings' | 'aws'>,
  hadoopVersion: string,
  driverMemory: string = chooseSparkMemory(ctx.settings.sparkMemory, totalmem()).size,
): string[] {
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
    // In local mode the driver's JVM runs every task: its heap is the memory the job has.
    '--driver-memory',
    driverMemory,
    '--packages',
    `org.apache.hadoop:hadoop-aws:${hadoopVersion}`,
    ...Object.entries(conf).flatMap(([key, value]) => ['--conf', `${key}=${value}`]),
    'pyspark-shell',
  ];
}

/**
 * The job's arguments for a local run: the stack's paths through s3a, and the data contract's
 * checksum that `up` gave the Glue job (`contractSha256`), so the run's manifest names it too.
 */
export function jobArguments(ctx: Pick<StackContext, 'names' | 'settings'>, contractSha256?: string): string[] {
  const base = `s3a://${ctx.names.bucket}/`;
  return [
    ...(contractSha256 ? [CONTRACT_ARGUMENT, contractSha256] : []),
    '--JOB_NAME',
    ctx.names.job,
    '--flights_path',
    `${base}${PREFIX.raw}flights/`,
    '--airports_path',
    `${base}${PREFIX.raw}airports/`,
    '--output_path',
    `${base}${PREFIX.processed}`,
    '--drift_threshold',
    String(ctx.settings.driftThreshold),
  ];
}

/** The contract checksum the Glue job was given by `up`; undefined without a job or a contract. */
async function contractOfJob(ctx: StackContext): Promise<string | undefined> {
  const found = await orUndefined(ctx.aws.glue.send(new GetJobCommand({ JobName: ctx.names.job })));
  return found?.Job?.DefaultArguments?.[CONTRACT_ARGUMENT];
}

async function runSpark(ctx: StackContext, spark: LocalSpark, workDir: string, driverMemory: string, contractSha256: string | undefined): Promise<string> {
  // Hand the credentials the SDK resolved (profile, SSO, role) to Spark as plain variables.
  const credentials = await ctx.aws.s3.config.credentials();
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    AWS_ACCESS_KEY_ID: credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
    ...(credentials.sessionToken ? { AWS_SESSION_TOKEN: credentials.sessionToken } : {}),
    AWS_REGION: ctx.aws.region,
    PYSPARK_SUBMIT_ARGS: sparkSubmitArgs(ctx, spark.hadoopVersion, driverMemory).join(' '),
    PYTHONPATH: [workDir, process.env.PYTHONPATH].filter(Boolean).join(path.delimiter),
    PYSPARK_PYTHON: spark.python,
  };
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(spark.python, [path.join(workDir, JOB_ENTRY_SCRIPT), ...jobArguments(ctx, contractSha256)], {
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
