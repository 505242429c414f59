import { describe, expect, it } from 'vitest';
import { WORKER_TYPES } from '../../../src/core/glue.js';
import { OPTIONS } from '../../../src/config/options.js';
import { resolveSettings, type RawOptions } from '../../../src/config/settings.js';

const CWD = '/home/user/project';

describe('the option table', () => {
  it('gives every setting one option, read from its camelCase flag', () => {
    const defaults = resolveSettings({}, {}, CWD);
    expect(Object.keys(OPTIONS).sort()).toEqual(Object.keys(defaults).sort());
    // Each option's raw key is its flag in camelCase: setting it changes that setting alone.
    const raw: Record<string, unknown> = { workers: 7, jobTimeout: 9, workerType: 'G.2X', logLevel: 'debug', dataDir: '/d', roleArn: 'arn:aws:iam::123456789012:role/r' };
    const settings = resolveSettings(raw as RawOptions, {}, CWD);
    expect(settings).toMatchObject({ workers: 7, jobTimeoutMinutes: 9, workerType: 'G.2X', logLevel: 'debug', dataDir: '/d', roleArn: 'arn:aws:iam::123456789012:role/r' });
  });

  it('parses each declared default into the setting an unset option gets', () => {
    for (const [key, spec] of Object.entries(OPTIONS)) {
      if (!('default' in spec)) continue;
      const fromDefault = resolveSettings({}, {}, CWD)[key as keyof typeof OPTIONS];
      const given = resolveSettings({ [key === 'jobTimeoutMinutes' ? 'jobTimeout' : key]: spec.default } as RawOptions, {}, CWD)[key as keyof typeof OPTIONS];
      expect(given, key).toEqual(fromDefault);
    }
  });

  it('offers a choice list exactly where the setting is one of a few values', () => {
    expect(OPTIONS.workerType.choices).toEqual(WORKER_TYPES);
    expect(OPTIONS.logLevel.choices).toEqual(['error', 'warn', 'info', 'debug']);
    expect(Object.values(OPTIONS).filter((spec) => 'choices' in spec).map((spec) => spec.flag).sort()).toEqual(['execution-class', 'log-format', 'log-level', 'start-on', 'worker-type']);
  });
});
