import { GetTagsCommand, TagResourceCommand } from '@aws-sdk/client-glue';
import { beforeEach, describe, expect, it } from 'vitest';
import { addMissingGlueTags, glueOwnership, readGlueTags } from '../../../src/resources/glue-tags.js';
import { glueNotFound } from '../support/errors.js';
import { mockedStack, type MockedStack } from '../support/stack.js';

const ARN = 'arn:aws:glue:eu-west-1:123456789012:job/j';
let t: MockedStack;
beforeEach(() => {
  t = mockedStack();
});

describe('readGlueTags', () => {
  it('reads the tags, and none for a resource that is gone', async () => {
    t.glue.on(GetTagsCommand).resolvesOnce({ Tags: { a: '1' } }).rejectsOnce(glueNotFound());
    await expect(readGlueTags(t.ctx.aws.glue, ARN)).resolves.toEqual({ a: '1' });
    await expect(readGlueTags(t.ctx.aws.glue, ARN)).resolves.toEqual({});
    expect(t.glue.commandCalls(GetTagsCommand)[0]?.args[0].input).toEqual({ ResourceArn: ARN });
  });
});

describe('addMissingGlueTags', () => {
  it('adds only the missing tags and says whether it called', async () => {
    await expect(addMissingGlueTags(t.ctx.aws.glue, ARN, { a: '1', b: '2' }, { a: '1' })).resolves.toBe(true);
    expect(t.glue.commandCalls(TagResourceCommand)[0]?.args[0].input).toEqual({ ResourceArn: ARN, TagsToAdd: { b: '2' } });
    await expect(addMissingGlueTags(t.ctx.aws.glue, ARN, { a: '1' }, { a: '1', z: '0' })).resolves.toBe(false);
    expect(t.glue.commandCalls(TagResourceCommand)).toHaveLength(1);
  });

  it('reads the current tags itself when not given them', async () => {
    t.glue.on(GetTagsCommand).resolves({ Tags: { a: '1' } });
    await expect(addMissingGlueTags(t.ctx.aws.glue, ARN, { a: '1' })).resolves.toBe(false);
    expect(t.glue.commandCalls(GetTagsCommand)).toHaveLength(1);
  });
});

describe('glueOwnership', () => {
  it('is absent without reading tags when the resource does not exist', async () => {
    await expect(glueOwnership(t.ctx.aws.glue, ARN, 'flight-delays', async () => false)).resolves.toBe('absent');
    expect(t.glue.calls()).toHaveLength(0);
  });

  it('is owned or foreign by the tags', async () => {
    t.glue.on(GetTagsCommand).resolvesOnce({ Tags: { ManagedBy: 'glue-provisioner', Stack: 'flight-delays' } }).resolvesOnce({ Tags: {} });
    await expect(glueOwnership(t.ctx.aws.glue, ARN, 'flight-delays', async () => true)).resolves.toBe('owned');
    await expect(glueOwnership(t.ctx.aws.glue, ARN, 'flight-delays', async () => true)).resolves.toBe('foreign');
  });
});
