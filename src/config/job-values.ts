import { UsageError } from '../core/errors.js';
import { GLUE_VERSIONS, type GlueVersion } from '../core/glue.js';
import { shown } from './values.js';

/** What the job runs with: its Glue version, extra Python packages, and local Spark's memory. */

/** MiB in one unit of a JVM memory size (what -Xmx and Spark's --driver-memory take). */
const JVM_UNIT_MIB: Readonly<Record<string, number>> = { k: 1 / 1024, m: 1, g: 1024, t: 1024 * 1024 };

/** The least --spark-memory takes: Spark's own default heap (below 450m Spark does not start at all). */
const MIN_SPARK_MEMORY_MIB = 1024;

/**
 * --spark-memory: undefined for auto, else the size as the JVM takes it (digits and k, m, g or t,
 * written in lower case), at least 1g. Spark's "gb" spellings are refused: spark-submit hands the
 * driver's size to the JVM as -Xmx, which knows only the one-letter units.
 */
export function sparkMemory(value: unknown): string | undefined {
  if (value === 'auto') return undefined;
  const match = typeof value === 'string' ? /^([1-9]\d{0,9})([kmgt])$/i.exec(value.trim()) : null;
  if (!match) {
    throw new UsageError(`invalid --spark-memory ${shown(value)}: valid values are auto, or a size in k, m, g or t such as 4g or 1536m (at least 1g)`);
  }
  const unit = match[2]!.toLowerCase();
  if (Number(match[1]) * JVM_UNIT_MIB[unit]! < MIN_SPARK_MEMORY_MIB) {
    throw new UsageError(`invalid --spark-memory ${shown(value)}: below 1g, too little for Spark to run the job; valid: auto, or a size of at least 1g such as 4g`);
  }
  return `${match[1]}${unit}`;
}

export function glueVersion(value: unknown): GlueVersion {
  // 5, 5.1 and 6 from a JSON config file are the versions 5.0, 5.1 and 6.0.
  const given = typeof value === 'number' ? value.toFixed(1) : value;
  if (typeof given === 'string' && (GLUE_VERSIONS as readonly string[]).includes(given)) return given as GlueVersion;
  throw new UsageError(`invalid --glue-version ${shown(value)}: valid values are ${GLUE_VERSIONS.join(', ')}`);
}

/**
 * One pip requirement as Glue's --additional-python-modules takes it: a distribution name, optional
 * extras and at most one version clause (the list itself is split on commas, so "a>=1,<2" cannot be
 * said), or the s3:// path of a wheel.
 */
const PIP_SPEC = /^[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?(?:\[[A-Za-z0-9._-]+\])?(?:(?:===|==|~=|!=|>=|<=|>|<)[A-Za-z0-9.*+!_-]+)?$/;
const WHEEL_PATH = /^s3:\/\/[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]\/\S+\.whl$/;

/** The extra Python packages as a list; empty text or none given is none. */
export function pythonModules(value: string | undefined): readonly string[] {
  if (value === undefined || value.trim() === '') return Object.freeze([]);
  const specs = value.split(',').map((spec) => spec.trim());
  const seen = new Set<string>();
  for (const spec of specs) {
    if (!PIP_SPEC.test(spec) && !WHEEL_PATH.test(spec)) {
      throw new UsageError(
        `invalid --python-modules "${value}": ${spec === '' ? 'an empty entry' : `"${spec}" is not a pip requirement`}; valid: comma-separated NAME, NAME==VERSION (or >=, <=, ~=, !=, >, <), NAME[EXTRA]==VERSION or s3://BUCKET/KEY.whl`,
      );
    }
    const name = spec.startsWith('s3://') ? spec : spec.split(/[[=~!<>]/)[0]!.toLowerCase().replace(/[._-]+/g, '-');
    if (seen.has(name)) throw new UsageError(`invalid --python-modules "${value}": "${name}" is listed twice; valid: each package once`);
    seen.add(name);
  }
  return Object.freeze(specs);
}
