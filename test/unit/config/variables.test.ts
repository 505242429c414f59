import { describe, expect, it } from 'vitest';
import { unknownVariables, variableName, variableValue } from '../../../src/config/variables.js';

describe('PROVISIONER_* variables', () => {
  it('are named after the flag', () => {
    expect(variableName('data-dir')).toBe('PROVISIONER_DATA_DIR');
    expect(variableName('teardown-on-failure')).toBe('PROVISIONER_TEARDOWN_ON_FAILURE');
  });

  it('are found in any letter case after the prefix, the upper-case one first', () => {
    expect(variableValue({ PROVISIONER_data_dir: '/d' }, 'data-dir')).toBe('/d');
    expect(variableValue({ PROVISIONER_data_dir: '/lower', PROVISIONER_DATA_DIR: '/upper' }, 'data-dir')).toBe('/upper');
    expect(variableValue({ provisioner_DATA_DIR: '/d' }, 'data-dir')).toBeUndefined();
    expect(variableValue({ PROVISIONER_NAME: '' }, 'name')).toBe('');
  });

  it('warn about each one no option reads, naming the nearest known one', () => {
    const env = { PROVISIONER_DASHBORD: '1', PROVISIONER_NAME: 'x', PROVISIONER_DATADIR: '/d', AWS_REGION: 'eu-west-1', PROVISIONER_YES: 'true' };
    expect(unknownVariables(env, ['name', 'data-dir', 'dashboard', 'yes'])).toEqual([
      'ignoring PROVISIONER_DASHBORD: no option of any command reads it; did you mean PROVISIONER_DASHBOARD?',
      'ignoring PROVISIONER_DATADIR: no option of any command reads it; did you mean PROVISIONER_DATA_DIR?',
    ]);
  });
});
