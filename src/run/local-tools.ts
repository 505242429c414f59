import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { ProvisionerError } from '../core/errors.js';
import { GLUE_RUNTIMES, sparkLine, type GlueVersion } from '../core/glue.js';

/** The Python that `make` installs with each version's PySpark (Makefile: VENV and VENV_SPARK4). */
export const LOCAL_VENVS: Readonly<Record<GlueVersion, string>> = {
  '5.0': '.venv/bin/python',
  '5.1': '.venv/bin/python',
  '6.0': '.venv-spark4/bin/python',
};

/**
 * The Python `run --local` uses: `--python` if given (a path relative to here, or a command on
 * PATH), else the one `make` installs for the stack's Glue version if it is in the current
 * folder (a checkout of the tool), else `python3`. checkLocalSpark then holds it to the version.
 */
export function chooseLocalPython(
  given: string | undefined,
  glueVersion: GlueVersion,
  cwd = process.cwd(),
  exists: (file: string) => boolean = existsSync,
): string {
  if (given !== undefined) return given.includes('/') ? path.resolve(cwd, given) : given;
  const made = path.join(cwd, LOCAL_VENVS[glueVersion]);
  return exists(made) ? made : 'python3';
}

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
 * Checks that Python, pyspark and Java are here, and that pyspark is of the Spark line of the
 * stack's Glue version (3.5 for 5.x, 4.1 for 6.0: Spark 4 runs the job's SQL in ANSI mode, so a
 * run on the other line proves nothing about Glue's), and says exactly what to install when one
 * is missing: running the job locally needs all three.
 */
export async function checkLocalSpark(python: string, glueVersion: GlueVersion, run = capture): Promise<LocalSpark> {
  const runtime = GLUE_RUNTIMES[glueVersion];
  const install = `${python} -m pip install pyspark==${runtime.spark}`;
  const version = await run(python, ['--version']);
  if (version.code !== 0) {
    throw new ProvisionerError(
      `Python not found at "${python}": install Python ${runtime.python} (e.g. apt-get install python3) or pass --python PATH`,
      'user',
    );
  }
  const probe = await run(python, ['-c', PROBE]);
  const [pysparkVersion, hadoopVersion] = probe.stdout.trim().split(/\s+/);
  if (probe.code !== 0 || !pysparkVersion) {
    throw new ProvisionerError(
      `pyspark is not installed for ${python}: install it with "${install}"`,
      'user',
    );
  }
  if (!hadoopVersion) {
    throw new ProvisionerError(`cannot tell which Hadoop version pyspark ${pysparkVersion} ships: reinstall pyspark==${runtime.spark}`, 'user');
  }
  if (sparkLine(pysparkVersion) !== sparkLine(runtime.spark)) {
    throw new ProvisionerError(
      `pyspark ${pysparkVersion} at ${python} is not the Spark of Glue ${glueVersion} (${runtime.spark}): pass --python with pyspark ${sparkLine(runtime.spark)} (\`make\` makes ${LOCAL_VENVS[glueVersion]}), or install it with "${install}"`,
      'user',
    );
  }
  const java = await run('java', ['-version']);
  if (java.code !== 0) {
    throw new ProvisionerError('Java not found: install a Java 17 runtime (e.g. apt-get install openjdk-17-jre-headless) and put java on PATH', 'user');
  }
  return { python, pysparkVersion, hadoopVersion };
}
