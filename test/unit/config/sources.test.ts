import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { gatherOptions, readSources, unknownConfigKeys, type SourcedOption } from '../../../src/config/sources.js';
import { UsageError } from '../../../src/core/errors.js';

let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'sources-test-'));
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function config(content: Record<string, unknown>): Promise<string> {
  const file = path.join(dir, 'config.json');
  await writeFile(file, JSON.stringify(content));
  return file;
}

const NAME: SourcedOption = { flag: 'name', type: 'string', default: 'flight-delays' };
const WORKERS: SourcedOption = { flag: 'workers', default: 'auto' };

describe('gatherOptions', () => {
  it('takes a flag, else the variable, else the config file, else the default', async () => {
    const file = await config({ name: 'from-file', workers: 6 });
    const gather = (flags: Record<string, unknown>, env: NodeJS.ProcessEnv) => Object.fromEntries(gatherOptions([NAME, WORKERS], readSources({ ...flags, config: file }, env)));
    expect(gather({ name: 'from-flag' }, { PROVISIONER_NAME: 'from-env' })).toEqual({ name: 'from-flag', workers: 6 });
    expect(gather({}, { PROVISIONER_NAME: 'from-env' })).toEqual({ name: 'from-env', workers: 6 });
    expect(gather({}, {})).toEqual({ name: 'from-file', workers: 6 });
    expect(Object.fromEntries(gatherOptions([NAME, WORKERS], readSources({}, {})))).toEqual({ name: 'flight-delays', workers: 'auto' });
  });

  it('reads the config file named by PROVISIONER_CONFIG, and its keys in camelCase or kebab-case', async () => {
    const file = await config({ 'data-dir': '/kebab', jobDir: '/camel' });
    const values = gatherOptions([{ flag: 'data-dir', type: 'string' }, { flag: 'job-dir', type: 'string' }], readSources({}, { PROVISIONER_CONFIG: file }));
    expect(Object.fromEntries(values)).toEqual({ 'data-dir': '/kebab', 'job-dir': '/camel' });
  });

  it('reads a variable as yargs reads the flag: a number where it looks like one, text where the option is text', () => {
    const env = { PROVISIONER_WORKERS: '1', PROVISIONER_NAME: '42', PROVISIONER_TIMEOUT: 'abc', PROVISIONER_SPARK_MEMORY: '' };
    const options: SourcedOption[] = [NAME, WORKERS, { flag: 'timeout', type: 'number' }, { flag: 'spark-memory' }];
    expect(Object.fromEntries(gatherOptions(options, readSources({}, env)))).toEqual({ name: '42', workers: 1, timeout: Number.NaN, 'spark-memory': '' });
  });

  it('keeps a config value that is not text as it is, for the option to judge', async () => {
    const file = await config({ name: 42, workers: [1] });
    expect(Object.fromEntries(gatherOptions([NAME, WORKERS], readSources({ config: file }, {})))).toEqual({ name: 42, workers: [1] });
  });

  it('gives an option without a default and from no source no value', () => {
    expect(gatherOptions([{ flag: 'bucket', type: 'string' }], readSources({}, {})).get('bucket')).toBeUndefined();
  });
});

describe('readSources', () => {
  it.each([[{ config: '' }, {}], [{}, { PROVISIONER_CONFIG: '' }]])('refuses an empty config path from %j %j', (flags, env) => {
    expect(() => readSources(flags, env)).toThrow(new UsageError('invalid --config "": expected the path of a JSON file'));
  });

  it('finds the keys of the config file that are no option', async () => {
    const file = await config({ name: 'x', dryRun: true, bogus: 1 });
    expect(unknownConfigKeys(readSources({ config: file }, {}), ['name', 'dry-run'])).toEqual({ bogus: 1 });
  });
});
