import { describe, expect, it } from 'vitest';
import { missingTags, tagList, tagRecord } from '../../../src/aws/tags.js';

describe('missingTags', () => {
  it('lists tags that are absent or have another value, ignoring extra ones', () => {
    expect(missingTags({ a: '1', b: '2', c: '3' }, { a: '1', b: 'x', z: '9' })).toEqual({ b: '2', c: '3' });
    expect(missingTags({ a: '1' }, undefined)).toEqual({ a: '1' });
    expect(missingTags({ a: '1' }, { a: '1' })).toEqual({});
  });
});

describe('tagList and tagRecord', () => {
  it('convert between the two shapes AWS uses', () => {
    expect(tagList({ a: '1', b: '' })).toEqual([
      { Key: 'a', Value: '1' },
      { Key: 'b', Value: '' },
    ]);
    expect(tagRecord([{ Key: 'a', Value: '1' }, { Key: 'b' }, { Value: 'orphan' }])).toEqual({ a: '1', b: '' });
    expect(tagRecord(undefined)).toEqual({});
  });
});
