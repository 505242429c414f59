import {
  CreateWorkflowCommand,
  DeleteWorkflowCommand,
  GetTagsCommand,
  GetWorkflowCommand,
  TagResourceCommand,
  UpdateWorkflowCommand,
} from '@aws-sdk/client-glue';
import { beforeEach, describe, expect, it } from 'vitest';
import { workflowResource } from '../../../src/resources/workflow.js';
import { applyStep } from '../../../src/stack/plan.js';
import { glueNotFound } from '../support/errors.js';
import { driftLabels, glueResourceArn, mockedStack, ownershipIn, sentCommands, updateStep, type MockedStack } from '../support/stack.js';

const TAGS = { ManagedBy: 'glue-provisioner', Stack: 'flight-delays' };

let t: MockedStack;
beforeEach(() => {
  t = mockedStack();
  t.glue.on(GetTagsCommand).resolves({ Tags: TAGS });
});

describe('workflowResource', () => {
  const DESCRIPTION = 'Quarterly crawl then feature job of stack flight-delays';

  it('finds a missing workflow as undefined', async () => {
    t.glue.on(GetWorkflowCommand).rejects(glueNotFound());
    await expect(workflowResource(t.ctx).find()).resolves.toBeUndefined();
  });

  it('has no drift when as wanted, and reports description and concurrency changes', async () => {
    t.glue.on(GetWorkflowCommand).resolves({ Workflow: { Name: 'flight-delays-pipeline', Description: DESCRIPTION, MaxConcurrentRuns: 1 } });
    const resource = workflowResource(t.ctx);
    const found = await resource.find();
    expect(found?.tags).toEqual(TAGS);
    const state = found!.state;
    expect(resource.drift(state)).toEqual([]);
    expect(driftLabels(resource, { ...state, MaxConcurrentRuns: undefined })).toEqual(['concurrency']);
    expect(driftLabels(resource, { ...state, Description: 'x' })).toEqual(['description']);
    expect(t.glue.commandCalls(GetWorkflowCommand)[0]?.args[0].input).toEqual({ Name: 'flight-delays-pipeline' });
  });

  it('creates the workflow with one run at a time and tags', async () => {
    await workflowResource(t.ctx).create();
    expect(t.glue.commandCalls(CreateWorkflowCommand)[0]?.args[0].input).toEqual({
      Name: 'flight-delays-pipeline',
      Description: DESCRIPTION,
      MaxConcurrentRuns: 1,
      Tags: TAGS,
    });
  });

  it('updates description and concurrency together', async () => {
    const resource = workflowResource(t.ctx);
    const state = { Name: 'flight-delays-pipeline', Description: DESCRIPTION, MaxConcurrentRuns: 3 };
    expect(resource.drift(state)).toEqual(['concurrency']);
    await resource.update(state, resource.drift(state));
    expect(sentCommands(t)).toEqual(['UpdateWorkflowCommand']);
    expect(t.glue.commandCalls(UpdateWorkflowCommand)[0]?.args[0].input).toEqual({
      Name: 'flight-delays-pipeline',
      Description: DESCRIPTION,
      MaxConcurrentRuns: 1,
    });
  });

  it('tags without updating when only tags are missing (applyStep)', async () => {
    const resource = workflowResource(t.ctx);
    const state = { Name: 'flight-delays-pipeline', Description: DESCRIPTION, MaxConcurrentRuns: 1 };
    const step = updateStep(t.ctx, resource, { state, tags: { Stack: 'flight-delays' } });
    expect(step.keys).toEqual(['tags']);
    await applyStep(t.ctx, step);
    expect(sentCommands(t)).toEqual(['TagResourceCommand']);
    expect(t.glue.commandCalls(TagResourceCommand)[0]?.args[0].input).toEqual({
      ResourceArn: glueResourceArn(t.ctx, 'workflow', 'flight-delays-pipeline'),
      TagsToAdd: { ManagedBy: 'glue-provisioner' },
    });
  });
});

describe('workflowResource ownership and destroy', () => {
  it('finds ownership by tags and deletes by name', async () => {
    t.glue.on(GetWorkflowCommand).resolves({ Workflow: { Name: 'flight-delays-pipeline' } });
    const resource = workflowResource(t.ctx);
    await expect(ownershipIn(t, resource)).resolves.toBe('owned');

    await resource.destroy!();
    expect(t.glue.commandCalls(DeleteWorkflowCommand)[0]?.args[0].input).toEqual({ Name: 'flight-delays-pipeline' });
  });
});
