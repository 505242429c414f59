import { describe, expect, it } from 'vitest';
import { canonicalJson, parsePolicyDocument, sameJson } from '../../../src/util/json.js';

describe('canonicalJson', () => {
  it('sorts keys at every depth and drops undefined values, keeping array order', () => {
    expect(canonicalJson({ b: 1, a: { d: [2, 1], c: undefined, b: null } })).toBe('{"a":{"b":null,"d":[2,1]},"b":1}');
  });
});

describe('sameJson', () => {
  it('ignores key order but not array order or values', () => {
    expect(sameJson({ a: 1, b: [1, 2] }, { b: [1, 2], a: 1 })).toBe(true);
    expect(sameJson({ a: 1, b: [1, 2] }, { a: 1, b: [2, 1] })).toBe(false);
    expect(sameJson({ a: '1' }, { a: 1 })).toBe(false);
  });
});

describe('parsePolicyDocument', () => {
  const document = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::b/raw/*' }] };

  it('reads plain JSON and the URL-encoded JSON IAM returns alike', () => {
    expect(parsePolicyDocument(JSON.stringify(document))).toEqual(document);
    expect(parsePolicyDocument(`  ${JSON.stringify(document, null, 2)}`)).toEqual(document);
    expect(parsePolicyDocument(encodeURIComponent(JSON.stringify(document)))).toEqual(document);
  });

  it('is undefined for no document', () => {
    expect(parsePolicyDocument(undefined)).toBeUndefined();
  });
});
