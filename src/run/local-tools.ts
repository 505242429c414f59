import { spawn } from 'node:child_process';
import { ProvisionerError } from '../core/errors.js';

/** The Spark of AWS Glue 5.0, which the job is written and tested for. */
export const GLUE_SPARK_VERSION = '3.5.4';

export interface LocalSpark {
  readonly python: string;
  readonly pysparkVersion: string;
  /** The Hadoop version inside pyspark: hadoop-aws must match it exactly. */
  readonly hadoopVersion: string;
}

export interface CommandOutput {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export function capture(command: string, args: string[]): Promise<CommandOutput> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', () => resolve({ code: 127, stdout, stderr }));
    child.on('close', (code) => resolve({ code: code ?? 1, stdout, stderr }));
  });
}

// Prints the pyspark version and the Hadoop version of the jars it ships.
const PROBE = [
  'import glob, os, re, pyspark',
  'jars = glob.glob(os.path.join(os.path.dirname(pyspark.__file__), "jars", "hadoop-client-api-*.jar"))',
  'm = re.search(r"hadoop-client-api-(.+)\\.jar$", jars[0]) if jars else None',
  'print(pyspark.__version__, m.group(1) if m else "")',
].join('\n');

/**
 * Checks that Python, pyspark and Java are here, and says exactly what to install when one is
 * missing: running the job locally needs all three.
 */
export async function checkLocalSpark(python: string, run = capture): Promise<LocalSpark> {
  const version = await run(python, ['--version']);
  if (version.code !== 0) {
    throw new ProvisionerError(
      `Python not found at "${python}": install Python 3.11 (e.g. apt-get install python3) or pass --python PATH`,
      'user',
    );
  }
  const probe = await run(python, ['-c', PROBE]);
  const [pysparkVersion, hadoopVersion] = probe.stdout.trim().split(/\s+/);
  if (probe.code !== 0 || !pysparkVersion) {
    throw new ProvisionerError(
      `pyspark is not installed for ${python}: install it with "${python} -m pip install pyspark==${GLUE_SPARK_VERSION}"`,
      'user',
    );
  }
  if (!hadoopVersion) {
    throw new ProvisionerError(`cannot tell which Hadoop version pyspark ${pysparkVersion} ships: reinstall pyspark==${GLUE_SPARK_VERSION}`, 'user');
  }
  const java = await run('java', ['-version']);
  if (java.code !== 0) {
    throw new ProvisionerError('Java not found: install a Java 17 runtime (e.g. apt-get install openjdk-17-jre-headless) and put java on PATH', 'user');
  }
  return { python, pysparkVersion, hadoopVersion };
}
