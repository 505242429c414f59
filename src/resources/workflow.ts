import { CreateWorkflowCommand, DeleteWorkflowCommand, GetWorkflowCommand, UpdateWorkflowCommand, type Workflow } from '@aws-sdk/client-glue';
import type { StackContext } from '../core/context.js';
import { glueResource } from './glue-resource.js';
import type { ResourceDefinition } from './resource.js';

type WorkflowKey = 'description' | 'concurrency';

/**
 * The workflow groups the crawler and job so that the whole chain descends from one trigger:
 * Glue only fires a conditional trigger for a crawl or job run that a trigger started.
 */
export function workflowResource(ctx: StackContext): ResourceDefinition<Workflow, WorkflowKey> {
  const { glue } = ctx.aws;
  const Name = ctx.names.workflow;
  const Description = `Quarterly crawl then feature job of stack ${ctx.names.stack}`;
  const MaxConcurrentRuns = 1;

  return glueResource(ctx, {
    type: 'workflow',
    name: Name,
    get: async () => (await glue.send(new GetWorkflowCommand({ Name }))).Workflow,
    drift(workflow) {
      const drift: WorkflowKey[] = [];
      if (workflow.Description !== Description) drift.push('description');
      if (workflow.MaxConcurrentRuns !== MaxConcurrentRuns) drift.push('concurrency');
      return drift;
    },
    create: (Tags) => glue.send(new CreateWorkflowCommand({ Name, Description, MaxConcurrentRuns, Tags })),
    // UpdateWorkflow sets both settings in one call.
    update: () => glue.send(new UpdateWorkflowCommand({ Name, Description, MaxConcurrentRuns })),
    delete: () => glue.send(new DeleteWorkflowCommand({ Name })),
  });
}
