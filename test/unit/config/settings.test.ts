import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { WORKER_TYPES } from '../../../src/core/glue.js';
import { assertBucketName } from '../../../src/config/names.js';
import { OPTIONS } from '../../../src/config/options.js';
import { resolveSettings, type RawOptions } from '../../../src/config/settings.js';
import { UsageError } from '../../../src/core/errors.js';

const CWD = '/home/user/project';

function usageErrorOf(raw: RawOptions, env: NodeJS.ProcessEnv = {}): UsageError {
  try {
    resolveSettings(raw, env, CWD);
  } catch (error) {
    expect(error).toBeInstanceOf(UsageError);
    expect((error as UsageError).exitCode).toBe(2);
    return error as UsageError;
  }
  throw new Error(`accepted ${JSON.stringify(raw)}`);
}

describe('resolveSettings defaults', () => {
  it('has the documented defaults', () => {
    const settings = resolveSettings({}, {}, CWD);
    expect(settings).toEqual({
      name: 'flight-delays',
      region: undefined,
      endpointUrl: undefined,
      bucket: undefined,
      dataDir: path.join(CWD, 'rawdata'),
      jobDir: path.join(CWD, 'glue-job'),
      // contract.json in the data directory, when there is one.
      contract: undefined,
      maxBadRows: { percent: 0.1 },
      schedule: 'cron(0 6 1 1,4,7,10 ? *)',
      startOn: 'schedule',
      arrivalMarker: '_DELIVERED',
      roleArn: undefined,
      kmsKey: undefined,
      workerType: 'G.1X',
      // auto: `up` chooses the count from the raw data it uploads.
      workers: undefined,
      jobTimeoutMinutes: 120,
      glueVersion: '5.0',
      executionClass: 'STANDARD',
      pythonModules: [],
      jobRunQueuing: false,
      maxUsd: undefined,
      driftThreshold: 0.2,
      expectedMinutes: undefined,
      // auto: run --local sizes it to the machine.
      sparkMemory: undefined,
      retentionDays: 30,
      athenaScanLimitMb: 10240,
      prune: false,
      notify: [],
      notifyTopicArn: undefined,
      dashboard: false,
      maxRequests: 32,
      maxMemoryMib: 24,
      multipartThresholdMib: 64,
      logLevel: 'info',
      logFormat: 'pretty',
      json: false,
    });
    expect(Object.isFrozen(settings)).toBe(true);
  });

  // Empty text is a value given, not an option left out: `--name "$UNSET"` must not mean the default stack.
  it.each([
    [{ name: '' }, 'invalid --name "": use 2 to 32 lowercase letters'],
    [{ bucket: '' }, 'invalid --bucket "": it is empty; valid: 3-63 lowercase letters'],
    [{ region: '' }, 'invalid --region "": expected an AWS region'],
    [{ endpointUrl: '' }, 'invalid --endpoint-url "": expected an http:// or https:// URL'],
    [{ dataDir: '' }, 'invalid --data-dir "": expected a directory'],
    [{ jobDir: '' }, 'invalid --job-dir "": expected a directory'],
    [{ schedule: '' }, 'invalid --schedule "": '],
    [{ roleArn: '' }, 'invalid --role-arn "": expected arn:aws:iam::'],
    [{ kmsKey: '' }, 'invalid --kms-key "": expected a key id'],
    [{ workerType: '' }, 'invalid --worker-type "": valid values are'],
    [{ workers: '' }, 'invalid --workers "": expected a whole number'],
    [{ jobTimeout: '' }, 'invalid --job-timeout "": expected a whole number'],
    [{ glueVersion: '' }, 'invalid --glue-version "": valid values are 5.0, 5.1, 6.0'],
    [{ executionClass: '' }, 'invalid --execution-class "": valid values are STANDARD, FLEX'],
    [{ expectedMinutes: '' }, 'invalid --expected-minutes "": expected a number of minutes'],
    [{ retentionDays: '' }, 'invalid --retention-days "": expected a whole number'],
    [{ logLevel: '' }, 'invalid --log-level "": valid values are'],
    [{ logFormat: '' }, 'invalid --log-format "": valid values are'],
  ])('rejects empty text, naming the option and what is valid: %j', (raw, text) => {
    const message = usageErrorOf(raw as RawOptions).message;
    expect(message).toContain(text);
    expect(message).not.toContain('\n');
  });

  it('still lets the AWS variables be empty, as the AWS SDK and CLI do', () => {
    expect(resolveSettings({}, { AWS_REGION: '', AWS_DEFAULT_REGION: 'eu-west-1', AWS_ENDPOINT_URL: '' }, CWD)).toMatchObject({ region: 'eu-west-1', endpointUrl: undefined });
  });

  it('resolves directories against the working directory, keeping absolute ones', () => {
    const settings = resolveSettings({ dataDir: 'data/raw', jobDir: '/opt/job' }, {}, CWD);
    expect(settings.dataDir).toBe(path.join(CWD, 'data/raw'));
    expect(settings.jobDir).toBe('/opt/job');
  });

  it('takes the region from --region, then AWS_REGION, then AWS_DEFAULT_REGION', () => {
    expect(resolveSettings({ region: 'eu-west-1' }, { AWS_REGION: 'us-west-2', AWS_DEFAULT_REGION: 'us-east-2' }, CWD).region).toBe('eu-west-1');
    expect(resolveSettings({}, { AWS_REGION: 'us-west-2', AWS_DEFAULT_REGION: 'us-east-2' }, CWD).region).toBe('us-west-2');
    expect(resolveSettings({}, { AWS_DEFAULT_REGION: 'us-east-2' }, CWD).region).toBe('us-east-2');
  });

  it('takes the endpoint from --endpoint-url, then AWS_ENDPOINT_URL, without a trailing slash', () => {
    expect(resolveSettings({ endpointUrl: 'http://127.0.0.1:5000/' }, { AWS_ENDPOINT_URL: 'http://other:1' }, CWD).endpointUrl).toBe('http://127.0.0.1:5000');
    expect(resolveSettings({}, { AWS_ENDPOINT_URL: 'https://glue.example.internal' }, CWD).endpointUrl).toBe('https://glue.example.internal');
  });

  it('accepts numbers given as text, as environment variables give them', () => {
    expect(resolveSettings({ workers: '10', jobTimeout: '30' }, {}, CWD)).toMatchObject({ workers: 10, jobTimeoutMinutes: 30 });
  });

  it('turns prune and json on for true or a word for yes, and off only for false or a word for no', () => {
    expect(resolveSettings({ prune: true, json: true }, {}, CWD)).toMatchObject({ prune: true, json: true });
    expect(resolveSettings({ prune: 'yes', json: 1 }, {}, CWD)).toMatchObject({ prune: true, json: true });
    expect(resolveSettings({ prune: 'OFF', json: 0 }, {}, CWD)).toMatchObject({ prune: false, json: false });
    expect(usageErrorOf({ prune: 'maybe' }).message).toBe('invalid --prune "maybe": valid values are true, false, 1, 0, yes, no, on, off (any case)');
    expect(usageErrorOf({ json: 2 }).message).toBe('invalid --json 2: valid values are true, false, 1, 0, yes, no, on, off (any case)');
  });
});

describe('resolveSettings validation', () => {
  it.each(['ab', 'flight-delays', 'a1', 'x'.repeat(32), 'team-7-delays'])('accepts the stack name %s', (name) => {
    expect(resolveSettings({ name }, {}, CWD).name).toBe(name);
  });

  it.each(['a', 'Flight', '1abc', 'a--b', 'ab-', '-ab', 'x'.repeat(33), 'has_underscore', 'has.dot', 'ünï'])('rejects the stack name %j', (name) => {
    const error = usageErrorOf({ name });
    expect(error.message).toContain(`invalid --name "${name}"`);
  });

  it('rejects a name that is not text', () => {
    expect(usageErrorOf({ name: 42 }).message).toBe('invalid --name 42: expected text');
  });

  it.each([
    ['ab', 'characters long'],
    ['b'.repeat(64), 'characters long'],
    ['My_Bucket', 'characters other than'],
    ['UPPER', 'characters other than'],
    ['-bucket', 'start and end'],
    ['bucket-', 'start and end'],
    ['bucket.', 'start and end'],
    ['my..bucket', 'two dots'],
    ['192.168.1.1', 'IP address'],
    ['xn--bucket', 'reserved prefix'],
    ['sthree-bucket', 'reserved prefix'],
    ['amzn-s3-demo-bucket', 'reserved prefix'],
    ['data-s3alias', 'reserved suffix'],
    ['data--ol-s3', 'reserved suffix'],
    ['data--x-s3', 'reserved suffix'],
    ['data--table-s3', 'reserved suffix'],
  ])('rejects the bucket name %j (%s)', (bucket, why) => {
    const error = usageErrorOf({ bucket });
    expect(error.message).toContain(`invalid --bucket "${bucket}"`);
    expect(error.message).toContain(why);
  });

  it.each(['abc', 'my.data-bucket-1', 'b'.repeat(63), '1bucket'])('accepts the bucket name %s', (bucket) => {
    expect(() => assertBucketName(bucket)).not.toThrow();
    expect(resolveSettings({ bucket }, {}, CWD).bucket).toBe(bucket);
  });

  it('rejects a bad schedule through the cron parser, naming it', () => {
    expect(usageErrorOf({ schedule: 'cron(bad)' }).message).toContain('invalid --schedule "cron(bad)"');
    expect(resolveSettings({ schedule: 'weekly' }, {}, CWD).schedule).toBe('cron(0 6 ? * MON *)');
  });

  it('takes --start-on schedule or arrival, from a flag or PROVISIONER_START_ON, and refuses anything else naming both', () => {
    expect(resolveSettings({ startOn: 'arrival' }, {}, CWD).startOn).toBe('arrival');
    expect(resolveSettings({}, {}, CWD).startOn).toBe('schedule');
    expect(usageErrorOf({ startOn: 'arrive' }).message).toBe('invalid --start-on "arrive": valid values are schedule, arrival');
  });

  it.each(['_DELIVERED', '.done', '_SUCCESS-2024.q1'])('accepts the arrival marker %s', (arrivalMarker) => {
    expect(resolveSettings({ arrivalMarker }, {}, CWD).arrivalMarker).toBe(arrivalMarker);
  });

  // A marker must stay one exact name in the rule's pattern, and one the crawler and Spark skip.
  it.each(['DELIVERED', '_', 'raw/_DELIVERED', '_DONE*', '_a b', '..', '', `_${'x'.repeat(64)}`])('refuses the arrival marker %j, naming it and what is valid', (arrivalMarker) => {
    const message = usageErrorOf({ arrivalMarker }).message;
    expect(message).toContain(`invalid --arrival-marker ${JSON.stringify(arrivalMarker)}`);
    expect(message).toContain('starting with "_" or "."');
  });

  it.each([
    'arn:aws:iam::123456789012:role/glue',
    'arn:aws:iam::123456789012:role/service-role/team/glue+x=y,z.a@b-c_d',
    'arn:aws-cn:iam::123456789012:role/glue',
    'arn:aws-us-gov:iam::123456789012:role/glue',
  ])('accepts the role ARN %s', (roleArn) => {
    expect(resolveSettings({ roleArn }, {}, CWD).roleArn).toBe(roleArn);
  });

  it.each([
    'glue-role',
    'arn:aws:iam::12345:role/glue',
    'arn:aws:iam::123456789012:user/glue',
    'arn:aws:iam::123456789012:role/',
    'arn:aws:sts::123456789012:assumed-role/glue/deploy-1',
    'arn:aws:iam:us-east-1:123456789012:role/glue',
  ])('rejects the role ARN %j', (roleArn) => {
    expect(usageErrorOf({ roleArn }).message).toContain(`invalid --role-arn "${roleArn}"`);
  });

  it.each([
    '0b3f0c9e-1111-4222-8333-944455556666',
    'alias/data-key',
    'arn:aws:kms:eu-west-1:123456789012:key/0b3f0c9e-1111-4222-8333-944455556666',
    'arn:aws:kms:eu-west-1:123456789012:alias/data-key',
  ])('accepts the KMS key %s', (kmsKey) => {
    expect(resolveSettings({ kmsKey }, {}, CWD).kmsKey).toBe(kmsKey);
  });

  it.each(['my-key', 'alias/', 'arn:aws:kms:eu-west-1:123456789012:secret/x', '0B3F0C9E-1111-4222-8333-944455556666'])('rejects the KMS key %j', (kmsKey) => {
    expect(usageErrorOf({ kmsKey }).message).toContain(`invalid --kms-key "${kmsKey}"`);
  });

  it.each([...WORKER_TYPES])('accepts the worker type %s', (workerType) => {
    expect(resolveSettings({ workerType }, {}, CWD).workerType).toBe(workerType);
  });

  it.each(['G.3X', 'g.1x', 'Standard', 'G.025X', 42])('rejects the worker type %j, listing the valid ones', (workerType) => {
    const message = usageErrorOf({ workerType }).message;
    expect(message).toContain(`invalid --worker-type ${JSON.stringify(workerType)}`);
    expect(message).toContain('G.1X, G.2X, G.4X, G.8X');
  });

  it.each([2, 299, '50'])('accepts %j workers', (workers) => {
    expect(resolveSettings({ workers }, {}, CWD).workers).toBe(Number(workers));
  });

  it.each([
    [1, 'invalid --workers 1:'],
    [300, 'invalid --workers 300:'],
    [2.5, 'invalid --workers 2.5:'],
    [-3, 'invalid --workers -3:'],
    ['abc', 'invalid --workers "abc":'],
    ['', 'invalid --workers "":'],
    [Number.NaN, 'invalid --workers NaN:'],
    [true, 'invalid --workers true:'],
  ])('rejects %j workers, naming the value', (workers, text) => {
    const message = usageErrorOf({ workers }).message;
    expect(message).toContain(text);
    expect(message).toContain('from 2 to 299');
  });

  it('leaves the worker count to up for auto, the default, and says auto is valid when refusing a count', () => {
    expect(resolveSettings({ workers: 'auto' }, {}, CWD).workers).toBeUndefined();
    expect(resolveSettings({}, {}, CWD).workers).toBeUndefined();
    expect(OPTIONS.workers.default).toBe('auto');
    expect(usageErrorOf({ workers: 1 }).message).toBe('invalid --workers 1: expected a whole number from 2 to 299, or auto');
    expect(usageErrorOf({ workers: 'AUTO' }).message).toContain('invalid --workers "AUTO":');
  });

  it.each([
    ['4g', '4g'],
    ['1g', '1g'],
    ['16G', '16g'],
    ['1536m', '1536m'],
    ['1024m', '1024m'],
    ['1048576k', '1048576k'],
    ['1t', '1t'],
  ])('accepts --spark-memory %j as %j', (sparkMemory, size) => {
    expect(resolveSettings({ sparkMemory }, {}, CWD).sparkMemory).toBe(size);
  });

  it('leaves the Spark memory to run --local for auto, the default', () => {
    expect(resolveSettings({ sparkMemory: 'auto' }, {}, CWD).sparkMemory).toBeUndefined();
    expect(OPTIONS.sparkMemory.default).toBe('auto');
  });

  it.each([
    ['512m', 'invalid --spark-memory "512m": below 1g'],
    ['1023m', 'invalid --spark-memory "1023m": below 1g'],
    ['1048575k', 'invalid --spark-memory "1048575k": below 1g'],
    ['0g', 'invalid --spark-memory "0g": valid values are auto, or a size'],
    ['4gb', 'invalid --spark-memory "4gb": valid values are auto, or a size'],
    ['4', 'invalid --spark-memory "4": valid values are auto, or a size'],
    ['4 g', 'invalid --spark-memory "4 g": valid values are auto, or a size'],
    ['-4g', 'invalid --spark-memory "-4g": valid values are auto, or a size'],
    ['1.5g', 'invalid --spark-memory "1.5g": valid values are auto, or a size'],
    ['lots', 'invalid --spark-memory "lots": valid values are auto, or a size'],
    ['', 'invalid --spark-memory "": valid values are auto, or a size'],
    [4, 'invalid --spark-memory 4: valid values are auto, or a size'],
  ])('refuses --spark-memory %j in one line naming the value and what is valid', (sparkMemory, text) => {
    const message = usageErrorOf({ sparkMemory }).message;
    expect(message).toContain(text);
    expect(message).toMatch(/valid.*(4g|1g)/);
    expect(message).not.toContain('\n');
  });

  it.each([0, 2881, 1.5])('rejects a job timeout of %j minutes', (jobTimeout) => {
    expect(usageErrorOf({ jobTimeout }).message).toContain(`invalid --job-timeout ${jobTimeout}`);
  });

  it.each(['us-east-1', 'eu-central-2', 'ap-southeast-4', 'us-gov-west-1', 'cn-northwest-1'])('accepts the region %s', (region) => {
    expect(resolveSettings({ region }, {}, CWD).region).toBe(region);
  });

  it.each(['useast1', 'US-EAST-1', 'us-east', 'eu_west_1', 'mars-north-1a'])('rejects the region %j', (region) => {
    expect(usageErrorOf({ region }).message).toContain(`invalid --region "${region}"`);
  });

  it.each(['eu-north-9', 'us-east-7', 'ap-moon-1', 'cn-south-4'])('rejects the well-formed but unknown region %j, saying how to list the real ones', (region) => {
    const message = usageErrorOf({ region }).message;
    expect(message).toContain(`invalid --region "${region}"`);
    expect(message).toContain('aws account list-regions');
  });

  it('rejects an unknown region from AWS_REGION too', () => {
    expect(usageErrorOf({}, { AWS_REGION: 'eu-north-9' }).message).toContain('invalid --region "eu-north-9"');
  });

  // Moto (like LocalStack without ALLOW_NONSTANDARD_REGIONS) serves known regions only: with an
  // unknown one it creates the bucket and role, then answers Glue with an HTML page.
  it('rejects an unknown region with a custom endpoint as well', () => {
    expect(usageErrorOf({ region: 'eu-north-9', endpointUrl: 'http://127.0.0.1:5000' }).message).toContain('invalid --region "eu-north-9"');
  });

  it('rejects a bad region from the environment too, naming it', () => {
    expect(usageErrorOf({}, { AWS_REGION: 'nowhere' }).message).toContain('"nowhere"');
  });

  it.each(['localhost:4566', 'ftp://example.com', 'not a url', '//host:1'])('rejects the endpoint URL %j', (endpointUrl) => {
    expect(usageErrorOf({ endpointUrl }).message).toContain(`invalid --endpoint-url "${endpointUrl}"`);
  });

  it.each([
    ['ftp://user:s3cret@example.com', 'ftp://user:****@example.com'],
    ['user:s3cret@localhost:4566', '****@localhost:4566'],
    ['http://user:pa/s3cret@host', 'http://****@host'],
    ['mailto://s3cret@host', 'mailto://****@host'],
  ])('never echoes the password in the endpoint URL %j', (endpointUrl, shown) => {
    const message = usageErrorOf({ endpointUrl }).message;
    expect(message).not.toContain('s3cret');
    expect(message).toContain(`invalid --endpoint-url "${shown}"`);
  });

  it.each([
    [{ logLevel: 'verbose' }, 'invalid --log-level "verbose"'],
    [{ logFormat: 'xml' }, 'invalid --log-format "xml"'],
  ])('rejects %j', (raw, text) => {
    expect(usageErrorOf(raw).message).toContain(text);
  });
});

describe('job settings that follow Glue', () => {
  it.each([
    [{ glueVersion: '4.0' }, 'invalid --glue-version "4.0": valid values are 5.0, 5.1, 6.0'],
    [{ glueVersion: 7 }, 'invalid --glue-version 7: valid values are 5.0, 5.1, 6.0'],
    [{ glueVersion: '6' }, 'invalid --glue-version "6": valid values are 5.0, 5.1, 6.0'],
    [{ glueVersion: 6.1 }, 'invalid --glue-version 6.1: valid values are 5.0, 5.1, 6.0'],
    [{ executionClass: 'flex' }, 'invalid --execution-class "flex": valid values are STANDARD, FLEX'],
    [{ expectedMinutes: 0 }, 'invalid --expected-minutes 0: expected a number of minutes greater than 0 and at most 2880'],
    [{ expectedMinutes: 'soon' }, 'invalid --expected-minutes "soon"'],
    [{ retentionDays: -1 }, 'invalid --retention-days -1: expected a whole number from 0 to 3650'],
    [{ retentionDays: 1.5 }, 'invalid --retention-days 1.5'],
  ])('rejects %j in one line naming the value and what is valid', (raw, text) => {
    const message = usageErrorOf(raw as RawOptions).message;
    expect(message).toContain(text);
    expect(message).not.toContain('\n');
  });

  it('takes Glue 5.1, also as a number from a config file, and 5 as 5.0', () => {
    expect(resolveSettings({ glueVersion: '5.1' }, {}, CWD).glueVersion).toBe('5.1');
    expect(resolveSettings({ glueVersion: 5.1 }, {}, CWD).glueVersion).toBe('5.1');
    expect(resolveSettings({ glueVersion: 5 }, {}, CWD).glueVersion).toBe('5.0');
  });

  it('takes Glue 6.0, also as the number 6 from a config file', () => {
    expect(resolveSettings({ glueVersion: '6.0' }, {}, CWD).glueVersion).toBe('6.0');
    expect(resolveSettings({ glueVersion: 6 }, {}, CWD).glueVersion).toBe('6.0');
  });

  it('takes FLEX on G.1X and G.2X workers, and refuses it on larger ones as Glue does', () => {
    expect(resolveSettings({ executionClass: 'FLEX', workerType: 'G.2X' }, {}, CWD).executionClass).toBe('FLEX');
    const message = usageErrorOf({ executionClass: 'FLEX', workerType: 'G.4X' }).message;
    expect(message).toBe(
      'invalid --worker-type G.4X with --execution-class FLEX: Glue runs Flex jobs on G.1X or G.2X workers only; valid: --worker-type G.1X or G.2X, or --execution-class STANDARD',
    );
  });

  it('takes minutes with a fraction and retention 0, which keeps everything', () => {
    expect(resolveSettings({ expectedMinutes: '2.5', retentionDays: '0' }, {}, CWD)).toMatchObject({ expectedMinutes: 2.5, retentionDays: 0 });
  });

  it('turns job run queuing on for true or a word for yes, and refuses any other value', () => {
    expect(resolveSettings({ jobRunQueuing: true }, {}, CWD).jobRunQueuing).toBe(true);
    expect(resolveSettings({ jobRunQueuing: 'yes' }, {}, CWD).jobRunQueuing).toBe(true);
    expect(resolveSettings({ jobRunQueuing: 'no' }, {}, CWD).jobRunQueuing).toBe(false);
    expect(usageErrorOf({ jobRunQueuing: 'queue' }).message).toContain('invalid --job-run-queuing "queue": valid values are true, false');
  });

  it('reads --python-modules as a list of pip requirements, spaces around commas aside', () => {
    expect(resolveSettings({ pythonModules: 'pyarrow==17.0.0, rapidfuzz>=3,requests[socks]~=2.31,s3://wheels-bucket/lib/x-1.0-py3-none-any.whl' }, {}, CWD).pythonModules).toEqual([
      'pyarrow==17.0.0',
      'rapidfuzz>=3',
      'requests[socks]~=2.31',
      's3://wheels-bucket/lib/x-1.0-py3-none-any.whl',
    ]);
    expect(resolveSettings({ pythonModules: '' }, {}, CWD).pythonModules).toEqual([]);
  });

  it.each([
    ['pandas==', '"pandas==" is not a pip requirement'],
    ['my package', '"my package" is not a pip requirement'],
    ['pandas>=1,<2', '"<2" is not a pip requirement'],
    ['a,,b', 'an empty entry'],
    ['pandas,numpy,', 'an empty entry'],
    ['https://example.com/x.whl', '"https://example.com/x.whl" is not a pip requirement'],
  ])('rejects --python-modules %j, saying which entry and what is valid', (pythonModules, why) => {
    const message = usageErrorOf({ pythonModules }).message;
    expect(message).toContain(`invalid --python-modules "${pythonModules}": ${why}`);
    expect(message).toContain('valid: comma-separated NAME, NAME==VERSION');
  });

  it('rejects a package listed twice, however its name is spelt', () => {
    expect(usageErrorOf({ pythonModules: 'pandas==2.2.2,Pandas' }).message).toBe(
      'invalid --python-modules "pandas==2.2.2,Pandas": "pandas" is listed twice; valid: each package once',
    );
  });
});
