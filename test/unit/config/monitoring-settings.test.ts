import { describe, expect, it } from 'vitest';
import { UsageError } from '../../../src/core/errors.js';
import { resolveSettings, type RawOptions } from '../../../src/config/settings.js';

const CWD = '/work/project';
const resolve = (raw: RawOptions, env: NodeJS.ProcessEnv = {}) => resolveSettings(raw, env, CWD);

describe('--notify', () => {
  it('is no address by default', () => {
    expect(resolve({}).notify).toEqual([]);
  });

  it('takes one address, a repeated flag (a list from yargs), and comma-separated text (PROVISIONER_NOTIFY, config file)', () => {
    expect(resolve({ notify: 'ops@example.com' }).notify).toEqual(['ops@example.com']);
    expect(resolve({ notify: ['ops@example.com', 'dev+glue@example.co.uk'] }).notify).toEqual(['ops@example.com', 'dev+glue@example.co.uk']);
    expect(resolve({ notify: 'ops@example.com, dev@example.com' }).notify).toEqual(['ops@example.com', 'dev@example.com']);
  });

  it('drops an address given twice, in any letter case, keeping the first spelling', () => {
    expect(resolve({ notify: ['Ops@Example.com', 'ops@example.com'] }).notify).toEqual(['Ops@Example.com']);
  });

  it.each([
    ['', 'invalid --notify "": not an email address; valid: an address such as ops@example.com'],
    ['ops', 'invalid --notify "ops": not an email address'],
    ['ops@example', 'invalid --notify "ops@example": not an email address'],
    ['ops@example.com,', 'invalid --notify "": not an email address'],
    ['two words@example.com', 'invalid --notify "two words@example.com": not an email address'],
    [`${'a'.repeat(250)}@example.com`, 'not an email address'],
  ])('refuses %j in one line naming it', (value, message) => {
    expect(() => resolve({ notify: value })).toThrow(UsageError);
    expect(() => resolve({ notify: value })).toThrow(message);
  });

  it('refuses a value that is not text', () => {
    expect(() => resolve({ notify: [42] })).toThrow('invalid --notify 42: expected an email address');
  });
});

describe('--notify-topic-arn', () => {
  it('takes a standard topic ARN, in any partition', () => {
    expect(resolve({ notifyTopicArn: 'arn:aws:sns:eu-west-1:123456789012:ops-alerts' }).notifyTopicArn).toBe('arn:aws:sns:eu-west-1:123456789012:ops-alerts');
    expect(resolve({ notifyTopicArn: 'arn:aws-cn:sns:cn-north-1:123456789012:ops' }).notifyTopicArn).toBe('arn:aws-cn:sns:cn-north-1:123456789012:ops');
    expect(resolve({}).notifyTopicArn).toBeUndefined();
  });

  it.each([
    ['', 'invalid --notify-topic-arn "": expected arn:aws:sns:<region>:<12-digit account>:<topic name>'],
    ['ops-alerts', 'invalid --notify-topic-arn "ops-alerts": expected arn:aws:sns:'],
    ['arn:aws:sqs:eu-west-1:123456789012:q', 'expected arn:aws:sns:'],
    ['arn:aws:sns:eu-west-1:1234:ops', 'expected arn:aws:sns:'],
    ['arn:aws:sns:eu-west-1:123456789012:ops.fifo', 'a FIFO topic takes only messages with a group id, which alerts do not have; valid: a standard topic'],
  ])('refuses %j in one line naming it', (value, message) => {
    expect(() => resolve({ notifyTopicArn: value })).toThrow(message);
  });

  it('cannot go with --notify: the stack never subscribes addresses to a topic of yours', () => {
    expect(() => resolve({ notify: 'ops@example.com', notifyTopicArn: 'arn:aws:sns:eu-west-1:123456789012:ops' })).toThrow(
      'invalid --notify "ops@example.com" with --notify-topic-arn: the stack emails --notify addresses from a topic of its own and never changes yours; valid: one of the two',
    );
  });
});

describe('--dashboard', () => {
  it('is off unless given', () => {
    expect(resolve({}).dashboard).toBe(false);
    expect(resolve({ dashboard: true }).dashboard).toBe(true);
  });
});
