import { describe, expect, it } from 'vitest';
import { stackName } from '../../../src/config/names.js';

describe('stackName', () => {
  it('returns a valid name unchanged and names an invalid one in the error', () => {
    expect(stackName('flights-2')).toBe('flights-2');
    expect(() => stackName('Bad Name')).toThrow(/invalid --name "Bad Name"/);
  });
});
